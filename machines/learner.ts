/**
 * A peer's learner: the one place where a peer comes to know the chosen value, so that it
 * prints `chose` exactly once whatever roles it holds. Every peer that takes part runs one.
 *
 * It learns in one of two ways, never before the value is chosen:
 *  - it counts accept_acks from the acceptors of the groups it is learnerK of, and learns
 *    when a majority of one group accepted the same proposal number;
 *  - it is told: a `chose` message from a proposer, or `decided` from its own proposer.
 * Accepting is not choosing: an acceptor's own acceptance teaches its learner nothing.
 */
import { assertEvent, assign, emit, setup } from 'xstate';
import {
  type AcceptAck,
  type Chose,
  type GroupId,
  isAcceptance,
  majority,
  type PeerId,
  type Value,
} from './messages';
import type { Decided } from './proposer';

export interface LearnerDurable {
  learned: { n: number; value: Value } | null;
}

export interface LearnerInput {
  self: PeerId;
  /** For each group K this peer is learnerK of: the group's acceptors. */
  groups?: Record<GroupId, PeerId[]>;
  durable?: LearnerDurable;
}

export interface Acceptance {
  group: GroupId;
  n: number;
  from: PeerId;
  value: Value;
}

export interface LearnerContext extends LearnerDurable {
  self: PeerId;
  groups: Record<GroupId, PeerId[]>;
  /** Acceptances heard so far, sorted by (group, n, from); counted per group and number. */
  acceptances: Acceptance[];
}

export type LearnerEvent = AcceptAck | Chose | Decided;

/** Printed once by the host as this peer's `chose` line. */
export interface Learned {
  type: 'learned';
  n: number;
  value: Value;
}

const isNewAcceptance = (context: LearnerContext, ack: AcceptAck) =>
  isAcceptance(ack) &&
  ack.value !== null &&
  (context.groups[ack.group] ?? []).includes(ack.from) &&
  !context.acceptances.some((a) => a.group === ack.group && a.n === ack.n && a.from === ack.from);

export const learnerMachine = setup({
  types: {
    context: {} as LearnerContext,
    events: {} as LearnerEvent,
    emitted: {} as Learned,
    input: {} as LearnerInput,
  },
  guards: {
    hasLearned: ({ context }) => context.learned !== null,
    isNewAcceptance: ({ context, event }) => {
      assertEvent(event, 'accept_ack');
      return isNewAcceptance(context, event);
    },
    completesMajority: ({ context, event }) => {
      assertEvent(event, 'accept_ack');
      if (!isNewAcceptance(context, event)) return false;
      const sameNumber =
        context.acceptances.filter((a) => a.group === event.group && a.n === event.n).length + 1;
      return sameNumber >= majority((context.groups[event.group] ?? []).length);
    },
  },
  actions: {
    recordAcceptance: assign({
      acceptances: ({ context, event }) => {
        assertEvent(event, 'accept_ack');
        const acceptance = { group: event.group, n: event.n, from: event.from, value: event.value ?? '' };
        return [...context.acceptances, acceptance].sort(
          (a, b) => a.group - b.group || a.n - b.n || a.from - b.from,
        );
      },
    }),
    // Both paths carry (n, value); what was counted is no longer needed once learned.
    learn: assign(({ event }) => ({ learned: { n: event.n, value: event.value ?? '' }, acceptances: [] })),
    reportLearned: emit(({ context }) => ({
      type: 'learned' as const,
      n: context.learned?.n ?? 0,
      value: context.learned?.value ?? '',
    })),
  },
}).createMachine({
  id: 'learner',
  context: ({ input }) => ({
    self: input.self,
    groups: input.groups ?? {},
    acceptances: [],
    learned: input.durable?.learned ?? null,
  }),
  initial: 'recovering',
  states: {
    // A peer that already printed its chose line before a restart must not print another.
    recovering: {
      always: [{ guard: 'hasLearned', target: 'learned' }, { target: 'listening' }],
    },
    listening: {
      on: {
        accept_ack: [
          { guard: 'completesMajority', target: 'learned', actions: ['learn', 'reportLearned'] },
          { guard: 'isNewAcceptance', actions: 'recordAcceptance' },
          {},
        ],
        chose: { target: 'learned', actions: ['learn', 'reportLearned'] },
        decided: { target: 'learned', actions: ['learn', 'reportLearned'] },
      },
    },
    // Learned once, for good: later acceptances and announcements change nothing.
    learned: {},
  },
});

export const learnerDurable = (context: LearnerContext): LearnerDurable => ({ learned: context.learned });
