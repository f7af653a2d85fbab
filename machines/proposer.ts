/**
 * The proposer of slide 45 for group K.
 *
 *   pick a new number n, broadcast prepare(n) to the group's acceptors;
 *   on a majority of promises: adopt the value of the highest acceptedProposal, else keep
 *   its own; broadcast accept(n, value);
 *   on a majority of accept_acks: any result > n means retry with a higher n, otherwise
 *   the value is chosen.
 *
 * Time is the machine's own decision (machines/timers.ts): every state that waits for an
 * answer arms a timer as it is entered, and its TIMEOUT says what to do when none came.
 * The host only carries that out, so the machine stays pure and replayable.
 */
import { assertEvent, assign, emit, enqueueActions, setup } from 'xstate';
import {
  type AcceptAck,
  type Chose,
  type GroupId,
  NO_PROPOSAL,
  type PeerId,
  type PrepareAck,
  type Send,
  type Value,
} from './messages';
import { highestAccepted, numberAboveSeen, type PromiseHeard, roundActions, roundGuards } from './round';
import { ANNOUNCE_ATTEMPT_CAP, type ArmTimer } from './timers';

/**
 * What the proposer keeps on stable storage: a restarted proposer must never reuse a number,
 * and one that saw its value chosen stays decided instead of starting new rounds.
 */
export interface ProposerDurable {
  n: number;
  /** The decision it saw, once it has; absent while undecided. */
  chosen?: { n: number; value: Value };
}

export interface ProposerInput {
  self: PeerId;
  group: GroupId;
  /** P, the number of proposer groups (the stride of the proposal numbers). */
  groupCount: number;
  acceptors: PeerId[];
  /** learnerK holders of the group; with the acceptors they hear the decision. */
  learners?: PeerId[];
  durable?: ProposerDurable;
}

export type { PromiseHeard };

export interface ProposerContext {
  self: PeerId;
  group: GroupId;
  groupCount: number;
  acceptors: PeerId[];
  /** Who is told the decision: the group's acceptors and learners, not this peer. */
  members: PeerId[];
  /** The value this proposer was started with. */
  value: Value | null;
  /** The number of the current round (0 before the first). */
  n: number;
  /** The highest proposal number heard of, so that a retry goes above it. */
  highestSeen: number;
  /** Promises for `n`, one per acceptor, sorted by acceptor. */
  promises: PromiseHeard[];
  /** The value sent with accept(n, ·); fixed once per number. */
  proposal: Value | null;
  /** Acceptors that accepted (n, proposal), sorted. */
  accepted: PeerId[];
  /** Rounds refused since one last made progress (an acceptor accepted it); sets the backoff. */
  refusals: number;
  /** Repeats of the announcement made so far; sets how long until the next. */
  announcements: number;
  chosen: { n: number; value: Value } | null;
}

export type ProposerEvent =
  | { type: 'START'; value: Value }
  | { type: 'TIMEOUT' }
  | { type: 'LEARNED'; n: number; value: Value }
  | PrepareAck
  | AcceptAck;

/** Told to the host's own learner: this peer's proposer saw its value chosen. */
export interface Decided {
  type: 'decided';
  n: number;
  value: Value;
}

export type ProposerEmitted = Send | Decided | ArmTimer;

/**
 * The proposal number the proposer's next round would take, for hosts that bound rounds (the
 * checker): NO_PROPOSAL once it has decided, since a decided proposer starts no round.
 */
export const nextRoundNumber = (context: ProposerContext): number =>
  context.chosen !== null ? NO_PROPOSAL : numberAboveSeen(context);

export const proposerMachine = setup({
  types: {
    context: {} as ProposerContext,
    events: {} as ProposerEvent,
    emitted: {} as ProposerEmitted,
    input: {} as ProposerInput,
  },
  guards: {
    decidedBeforeRestart: ({ context }) => context.chosen !== null,
    ...roundGuards,
  },
  actions: {
    ...roundActions<ProposerContext, ProposerEvent>(),
    takeValue: assign({
      value: ({ event }) => {
        assertEvent(event, 'START');
        return event.value;
      },
    }),
    // Slide 46: a value some acceptor may already have seen chosen wins over our own.
    adoptHighestAccepted: assign({
      proposal: ({ context }) => highestAccepted(context.promises)?.acceptedValue ?? context.value,
    }),
    decide: assign({ chosen: ({ context }) => ({ n: context.n, value: context.proposal ?? '' }) }),
    learnChosen: assign({
      chosen: ({ event }) => {
        assertEvent(event, 'LEARNED');
        return { n: event.n, value: event.value };
      },
    }),
    announceChosen: enqueueActions(({ context, enqueue }) => {
      const chosen = context.chosen;
      if (!chosen) return;
      for (const to of context.members) {
        const message: Chose = { type: 'chose', from: context.self, group: context.group, ...chosen };
        enqueue.emit({ type: 'send', to, message });
      }
    }),
    countAnnouncement: assign({
      announcements: ({ context }) => Math.min(context.announcements + 1, ANNOUNCE_ATTEMPT_CAP),
    }),
    armAnnounceTimer: emit(({ context }) => ({
      type: 'arm' as const,
      timer: { kind: 'announce' as const, attempt: context.announcements },
    })),
    reportDecided: emit(({ context }) => ({
      type: 'decided' as const,
      n: context.chosen?.n ?? NO_PROPOSAL,
      value: context.chosen?.value ?? '',
    })),
  },
}).createMachine({
  id: 'proposer',
  context: ({ input }) => ({
    self: input.self,
    group: input.group,
    groupCount: input.groupCount,
    acceptors: [...input.acceptors].sort((a, b) => a - b),
    members: [...new Set([...input.acceptors, ...(input.learners ?? [])])]
      .filter((p) => p !== input.self)
      .sort((a, b) => a - b),
    value: null,
    n: input.durable?.n ?? NO_PROPOSAL,
    highestSeen: input.durable?.n ?? NO_PROPOSAL,
    promises: [],
    proposal: null,
    accepted: [],
    refusals: 0,
    announcements: 0,
    chosen: input.durable?.chosen ?? null,
  }),
  initial: 'undecided',
  states: {
    undecided: {
      initial: 'idle',
      on: {
        // Whatever the round, the peer's learner may hear the decision first; then stop and pass it on.
        LEARNED: { target: 'chosen', actions: ['learnChosen', 'announceChosen', 'armAnnounceTimer'] },
      },
      states: {
        idle: {
          on: {
            START: [
              // Decided before a restart: it stays decided, and repeats the decision for
              // members that may have missed it instead of proposing anew.
              {
                guard: 'decidedBeforeRestart',
                target: '#proposer.chosen',
                actions: ['announceChosen', 'armAnnounceTimer'],
              },
              {
                target: 'preparing',
                actions: ['takeValue', 'beginRound', 'sendPrepare', 'armRoundTimer'],
              },
            ],
          },
        },
        preparing: {
          on: {
            prepare_ack: [
              {
                guard: 'completesPromiseMajority',
                target: 'accepting',
                actions: [
                  'noteHighestSeen',
                  'recordPromise',
                  'adoptHighestAccepted',
                  'sendAccept',
                  'armRoundTimer',
                ],
              },
              { guard: 'isNewPromise', actions: ['noteHighestSeen', 'recordPromise'] },
              {
                guard: 'isRefusal',
                target: 'backingOff',
                actions: ['noteHighestSeen', 'armBackoffTimer', 'countRefusal'],
              },
              { actions: 'noteHighestSeen' },
            ],
            accept_ack: { actions: 'noteHighestSeen' },
            TIMEOUT: { actions: ['beginRound', 'sendPrepare', 'armRoundTimer'] },
          },
        },
        accepting: {
          on: {
            accept_ack: [
              {
                guard: 'completesAcceptMajority',
                target: '#proposer.chosen',
                actions: [
                  'noteHighestSeen',
                  'recordAcceptance',
                  'decide',
                  'announceChosen',
                  'armAnnounceTimer',
                  'reportDecided',
                ],
              },
              { guard: 'isNewAcceptance', actions: ['noteHighestSeen', 'recordAcceptance'] },
              {
                guard: 'isRejection',
                target: 'backingOff',
                actions: ['noteHighestSeen', 'armBackoffTimer', 'countRefusal'],
              },
              { actions: 'noteHighestSeen' },
            ],
            prepare_ack: { actions: 'noteHighestSeen' },
            TIMEOUT: { target: 'preparing', actions: ['beginRound', 'sendPrepare', 'armRoundTimer'] },
          },
        },
        // Refused: someone runs a higher number. Wait out the backoff before the next round.
        backingOff: {
          on: {
            prepare_ack: { actions: 'noteHighestSeen' },
            accept_ack: { actions: 'noteHighestSeen' },
            TIMEOUT: { target: 'preparing', actions: ['beginRound', 'sendPrepare', 'armRoundTimer'] },
          },
        },
      },
    },
    chosen: {
      on: {
        // A repeat of the announcement, for members whose copy was lost.
        TIMEOUT: { actions: ['announceChosen', 'countAnnouncement', 'armAnnounceTimer'] },
      },
    },
  },
});

// Undecided, the record is the number alone, as states saved before decisions were kept.
export const proposerDurable = (context: ProposerContext): ProposerDurable =>
  context.chosen === null ? { n: context.n } : { n: context.n, chosen: context.chosen };
