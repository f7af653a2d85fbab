/**
 * The proposer of slide 45 for group K.
 *
 *   pick a new number n, broadcast prepare(n) to the group's acceptors;
 *   on a majority of promises: adopt the value of the highest acceptedProposal, else keep
 *   its own; broadcast accept(n, value);
 *   on a majority of accept_acks: any result > n means retry with a higher n, otherwise
 *   the value is chosen.
 *
 * Time enters as TIMEOUT, sent by the host when no majority answered (or after a refusal,
 * once a randomised backoff has passed), so the machine stays pure and replayable.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import {
  type Accept,
  type AcceptAck,
  type Chose,
  type GroupId,
  isAcceptance,
  majority,
  NO_PROPOSAL,
  type PeerId,
  type Prepare,
  type PrepareAck,
  type Send,
  type Value,
} from './messages';
import { nextProposalNumber } from './proposalNumbers';

/** What the proposer keeps on stable storage: a restarted proposer must never reuse a number. */
export interface ProposerDurable {
  n: number;
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

export interface Promise {
  from: PeerId;
  acceptedProposal: number;
  acceptedValue: Value | null;
}

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
  promises: Promise[];
  /** The value sent with accept(n, ·); fixed once per number. */
  proposal: Value | null;
  /** Acceptors that accepted (n, proposal), sorted. */
  accepted: PeerId[];
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

export type ProposerEmitted = Send | Decided;

const isMember = (context: ProposerContext, from: PeerId) => context.acceptors.includes(from);

const isNewPromise = (context: ProposerContext, ack: PrepareAck) =>
  ack.n === context.n &&
  ack.promised &&
  isMember(context, ack.from) &&
  !context.promises.some((p) => p.from === ack.from);

const isNewAcceptance = (context: ProposerContext, ack: AcceptAck) =>
  ack.n === context.n &&
  isAcceptance(ack) &&
  isMember(context, ack.from) &&
  !context.accepted.includes(ack.from);

const quorum = (context: ProposerContext) => majority(context.acceptors.length);

export const proposerMachine = setup({
  types: {
    context: {} as ProposerContext,
    events: {} as ProposerEvent,
    emitted: {} as ProposerEmitted,
    input: {} as ProposerInput,
  },
  guards: {
    isNewPromise: ({ context, event }) => isNewPromise(context, event as PrepareAck),
    completesPromiseMajority: ({ context, event }) =>
      isNewPromise(context, event as PrepareAck) && context.promises.length + 1 >= quorum(context),
    // Refused only if the acceptor promised a higher number. An answer to a duplicated
    // prepare(n) is not a promise either (minProposal is already n), but it is no refusal.
    isRefusal: ({ context, event }) => {
      const ack = event as PrepareAck;
      return ack.n === context.n && !ack.promised && ack.minProposal > ack.n && isMember(context, ack.from);
    },
    isNewAcceptance: ({ context, event }) => isNewAcceptance(context, event as AcceptAck),
    completesAcceptMajority: ({ context, event }) =>
      isNewAcceptance(context, event as AcceptAck) && context.accepted.length + 1 >= quorum(context),
    isRejection: ({ context, event }) => {
      const ack = event as AcceptAck;
      return ack.n === context.n && ack.minProposal > ack.n && isMember(context, ack.from);
    },
  },
  actions: {
    takeValue: assign({ value: ({ event }) => (event as { value: Value }).value }),
    // Slide 45's "retry with a higher n": the smallest own number above all seen.
    beginRound: assign(({ context }) => ({
      n: nextProposalNumber(context.group, context.groupCount, Math.max(context.n, context.highestSeen)),
      promises: [],
      proposal: null,
      accepted: [],
    })),
    sendPrepare: enqueueActions(({ context, enqueue }) => {
      for (const to of context.acceptors) {
        const message: Prepare = { type: 'prepare', from: context.self, group: context.group, n: context.n };
        enqueue.emit({ type: 'send', to, message });
      }
    }),
    noteHighestSeen: assign({
      highestSeen: ({ context, event }) => {
        const ack = event as PrepareAck | AcceptAck;
        const reported =
          ack.type === 'prepare_ack' ? Math.max(ack.minProposal, ack.acceptedProposal) : ack.minProposal;
        return Math.max(context.highestSeen, reported);
      },
    }),
    recordPromise: assign({
      promises: ({ context, event }) => {
        const ack = event as PrepareAck;
        const promise = {
          from: ack.from,
          acceptedProposal: ack.acceptedProposal,
          acceptedValue: ack.acceptedValue,
        };
        return [...context.promises, promise].sort((a, b) => a.from - b.from);
      },
    }),
    // Slide 46: a value some acceptor may already have seen chosen wins over our own.
    adoptHighestAccepted: assign({
      proposal: ({ context }) => {
        let best: Promise | undefined;
        for (const p of context.promises) {
          if (p.acceptedProposal !== NO_PROPOSAL && (!best || p.acceptedProposal > best.acceptedProposal))
            best = p;
        }
        return best?.acceptedValue ?? context.value;
      },
    }),
    sendAccept: enqueueActions(({ context, enqueue }) => {
      for (const to of context.acceptors) {
        const message: Accept = {
          type: 'accept',
          from: context.self,
          group: context.group,
          n: context.n,
          value: context.proposal ?? '',
        };
        enqueue.emit({ type: 'send', to, message });
      }
    }),
    recordAcceptance: assign({
      accepted: ({ context, event }) =>
        [...context.accepted, (event as AcceptAck).from].sort((a, b) => a - b),
    }),
    decide: assign({ chosen: ({ context }) => ({ n: context.n, value: context.proposal ?? '' }) }),
    learnChosen: assign({
      chosen: ({ event }) => {
        const { n, value } = event as { n: number; value: Value };
        return { n, value };
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
    reportDecided: emit(({ context }) => ({
      type: 'decided' as const,
      n: context.chosen?.n ?? NO_PROPOSAL,
      value: context.chosen?.value ?? '',
    })),
  },
}).createMachine({
  id: 'proposer',
  context: ({ input }) => ({
    self: input?.self ?? 0,
    group: input?.group ?? 1,
    groupCount: input?.groupCount ?? 1,
    acceptors: [...(input?.acceptors ?? [])].sort((a, b) => a - b),
    members: [...new Set([...(input?.acceptors ?? []), ...(input?.learners ?? [])])]
      .filter((p) => p !== input?.self)
      .sort((a, b) => a - b),
    value: null,
    n: input?.durable?.n ?? NO_PROPOSAL,
    highestSeen: input?.durable?.n ?? NO_PROPOSAL,
    promises: [],
    proposal: null,
    accepted: [],
    chosen: null,
  }),
  initial: 'idle',
  on: {
    // Whatever the round, the peer's learner may hear the decision first; then stop and pass it on.
    LEARNED: { target: '.chosen', actions: ['learnChosen', 'announceChosen'] },
  },
  states: {
    idle: {
      on: { START: { target: 'preparing', actions: ['takeValue', 'beginRound', 'sendPrepare'] } },
    },
    preparing: {
      on: {
        prepare_ack: [
          {
            guard: 'completesPromiseMajority',
            target: 'accepting',
            actions: ['noteHighestSeen', 'recordPromise', 'adoptHighestAccepted', 'sendAccept'],
          },
          { guard: 'isNewPromise', actions: ['noteHighestSeen', 'recordPromise'] },
          { guard: 'isRefusal', target: 'backingOff', actions: 'noteHighestSeen' },
          { actions: 'noteHighestSeen' },
        ],
        accept_ack: { actions: 'noteHighestSeen' },
        TIMEOUT: { actions: ['beginRound', 'sendPrepare'] },
      },
    },
    accepting: {
      on: {
        accept_ack: [
          {
            guard: 'completesAcceptMajority',
            target: 'chosen',
            actions: ['noteHighestSeen', 'recordAcceptance', 'decide', 'announceChosen', 'reportDecided'],
          },
          { guard: 'isNewAcceptance', actions: ['noteHighestSeen', 'recordAcceptance'] },
          { guard: 'isRejection', target: 'backingOff', actions: 'noteHighestSeen' },
          { actions: 'noteHighestSeen' },
        ],
        prepare_ack: { actions: 'noteHighestSeen' },
        TIMEOUT: { target: 'preparing', actions: ['beginRound', 'sendPrepare'] },
      },
    },
    // Refused: someone runs a higher number. Wait for the host's randomised TIMEOUT so two
    // proposers do not outbid each other forever.
    backingOff: {
      on: {
        prepare_ack: { actions: 'noteHighestSeen' },
        accept_ack: { actions: 'noteHighestSeen' },
        TIMEOUT: { target: 'preparing', actions: ['beginRound', 'sendPrepare'] },
      },
    },
    chosen: {
      on: {
        // A repeat of the announcement, for members whose copy was lost.
        TIMEOUT: { actions: 'announceChosen' },
        LEARNED: {},
      },
    },
  },
});

export const proposerDurable = (context: ProposerContext): ProposerDurable => ({ n: context.n });
