/**
 * The acceptor of slide 45, one per peer whatever number of acceptorK roles the peer
 * holds: two proposers that talk to the same peer must meet the same promises, or their
 * quorums would not intersect.
 *
 *   prepare(n): if n > minProposal then minProposal = n; return (acceptedProposal, acceptedValue)
 *   accept(n, v): if n >= minProposal then acceptedProposal = minProposal = n, acceptedValue = v;
 *                 return minProposal
 *
 * Pure: answers leave through `emit`, and the host must put the durable context on
 * stable storage before it lets them go.
 */
import { assertEvent, assign, emit, enqueueActions, setup } from 'xstate';
import {
  type Accept,
  type AcceptAck,
  type GroupId,
  NO_PROPOSAL,
  type PeerId,
  type Prepare,
  type PrepareAck,
  type Send,
  type Value,
} from './messages';

/** What the acceptor keeps on stable storage. */
export interface AcceptorDurable {
  minProposal: number;
  acceptedProposal: number;
  acceptedValue: Value | null;
}

export interface AcceptorInput {
  self: PeerId;
  /** learnerK holders per group K: they hear every acceptance, so they can learn without the proposer. */
  learners?: Record<GroupId, PeerId[]>;
  /** State recovered from stable storage after a restart. */
  durable?: AcceptorDurable;
}

export interface AcceptorContext extends AcceptorDurable {
  self: PeerId;
  learners: Record<GroupId, PeerId[]>;
}

export type AcceptorEvent = Prepare | Accept;

const prepareAck = (context: AcceptorContext, prepare: Prepare, promised: boolean): Send => {
  const message: PrepareAck = {
    type: 'prepare_ack',
    from: context.self,
    group: prepare.group,
    n: prepare.n,
    promised,
    minProposal: context.minProposal,
    acceptedProposal: context.acceptedProposal,
    acceptedValue: context.acceptedValue,
  };
  return { type: 'send', to: prepare.from, message };
};

const acceptAck = (context: AcceptorContext, accept: Accept, to: PeerId): Send => {
  const message: AcceptAck = {
    type: 'accept_ack',
    from: context.self,
    group: accept.group,
    n: accept.n,
    minProposal: context.minProposal,
    value: context.acceptedValue,
  };
  return { type: 'send', to, message };
};

export const acceptorMachine = setup({
  types: {
    context: {} as AcceptorContext,
    events: {} as AcceptorEvent,
    emitted: {} as Send,
    input: {} as AcceptorInput,
  },
  guards: {
    higherThanPromised: ({ context, event }) => event.n > context.minProposal,
    atLeastPromised: ({ context, event }) => event.n >= context.minProposal,
    hasAccepted: ({ context }) => context.acceptedProposal !== NO_PROPOSAL,
    hasPromised: ({ context }) => context.minProposal !== NO_PROPOSAL,
  },
  actions: {
    promise: assign({ minProposal: ({ event }) => event.n }),
    accept: assign(({ event }) => {
      assertEvent(event, 'accept');
      return { minProposal: event.n, acceptedProposal: event.n, acceptedValue: event.value };
    }),
    replyPromise: emit(({ context, event }) => {
      assertEvent(event, 'prepare');
      return prepareAck(context, event, true);
    }),
    replyRefusal: emit(({ context, event }) => {
      assertEvent(event, 'prepare');
      return prepareAck(context, event, false);
    }),
    // An acceptance also goes to the group's learners, who count a majority themselves.
    replyAccepted: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'accept');
      const to = new Set([event.from, ...(context.learners[event.group] ?? [])]);
      for (const peer of to) enqueue.emit(acceptAck(context, event, peer));
    }),
    replyRejected: emit(({ context, event }) => {
      assertEvent(event, 'accept');
      return acceptAck(context, event, event.from);
    }),
  },
}).createMachine({
  id: 'acceptor',
  context: ({ input }) => ({
    self: input.self,
    learners: input.learners ?? {},
    minProposal: input.durable?.minProposal ?? NO_PROPOSAL,
    acceptedProposal: input.durable?.acceptedProposal ?? NO_PROPOSAL,
    acceptedValue: input.durable?.acceptedValue ?? null,
  }),
  initial: 'recovering',
  states: {
    // Stable storage decides where a restarted acceptor stands; a fresh one has promised nothing.
    recovering: {
      always: [
        { guard: 'hasAccepted', target: 'accepted' },
        { guard: 'hasPromised', target: 'promised' },
        { target: 'idle' },
      ],
    },
    // minProposal is 0 and proposal numbers start at 1, so every prepare and accept is high enough.
    idle: {
      on: {
        prepare: { guard: 'higherThanPromised', target: 'promised', actions: ['promise', 'replyPromise'] },
        accept: { guard: 'atLeastPromised', target: 'accepted', actions: ['accept', 'replyAccepted'] },
      },
    },
    promised: {
      on: {
        prepare: [
          { guard: 'higherThanPromised', actions: ['promise', 'replyPromise'] },
          { actions: 'replyRefusal' },
        ],
        accept: [
          { guard: 'atLeastPromised', target: 'accepted', actions: ['accept', 'replyAccepted'] },
          { actions: 'replyRejected' },
        ],
      },
    },
    accepted: {
      on: {
        prepare: [
          { guard: 'higherThanPromised', actions: ['promise', 'replyPromise'] },
          { actions: 'replyRefusal' },
        ],
        accept: [
          { guard: 'atLeastPromised', actions: ['accept', 'replyAccepted'] },
          { actions: 'replyRejected' },
        ],
      },
    },
  },
});

export const acceptorDurable = (context: AcceptorContext): AcceptorDurable => ({
  minProposal: context.minProposal,
  acceptedProposal: context.acceptedProposal,
  acceptedValue: context.acceptedValue,
});
