/**
 * One Paxos round as a proposer runs it, shared by the lab's proposer (machines/proposer.ts)
 * and the register round (machines/registerRound.ts): the guards that count promises and
 * acceptances, and the actions that number rounds, broadcast and back off. The two machines
 * differ only in the value they send with accept (the lab's proposer adopts the highest
 * accepted value or keeps its own; a register round applies its operation's change to the
 * highest accepted value) and in what they do once a majority accepted. Writing the rest
 * once is what keeps the register round as safe as the round the checker explored.
 *
 * Guards are plain functions of the base context, so either machine's `setup` takes them
 * as they are. Actions are built per machine (`roundActions`) because XState ties an
 * action's type to the whole context and event types of the machine that runs it.
 */
import { assertEvent, assign, type EventObject, emit, enqueueActions } from 'xstate';
import {
  type Accept,
  type AcceptAck,
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
import { INCARNATION_LIMIT, nextProposalNumber } from './proposalNumbers';
import { type ArmTimer, BACKOFF_ATTEMPT_CAP } from './timers';

/** A promise heard in the current round: what that acceptor had accepted before. */
export interface PromiseHeard {
  from: PeerId;
  acceptedProposal: number;
  acceptedValue: Value | null;
}

/** What a round needs of its proposer's context; each machine adds its own fields. */
export interface RoundContext {
  self: PeerId;
  group: GroupId;
  /** P, the number of proposer groups (the stride of the proposal numbers). */
  groupCount: number;
  /**
   * This life of the proposer, when its numbers are not on disk (machines/proposalNumbers.ts):
   * absent for the lab's proposer, which keeps its last number durable instead.
   */
  incarnation?: number;
  acceptors: PeerId[];
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
}

const isMember = (context: RoundContext, from: PeerId) => context.acceptors.includes(from);

const isNewPromise = (context: RoundContext, ack: PrepareAck) =>
  ack.n === context.n &&
  ack.promised &&
  isMember(context, ack.from) &&
  !context.promises.some((p) => p.from === ack.from);

const isNewAcceptance = (context: RoundContext, ack: AcceptAck) =>
  ack.n === context.n &&
  isAcceptance(ack) &&
  isMember(context, ack.from) &&
  !context.accepted.includes(ack.from);

const quorum = (context: RoundContext) => majority(context.acceptors.length);

const prepareAckOf = (event: EventObject): PrepareAck => {
  assertEvent(event, 'prepare_ack');
  return event as PrepareAck;
};

const acceptAckOf = (event: EventObject): AcceptAck => {
  assertEvent(event, 'accept_ack');
  return event as AcceptAck;
};

const arm = (timer: ArmTimer['timer']): ArmTimer => ({ type: 'arm', timer });

// A proposer with an incarnation owns K + P*i + P*I*j (i its incarnation, I the limit):
// one residue per (group, life), so no life can repeat a number an earlier one sent.
const ownNumbers = (context: RoundContext): { first: number; stride: number } =>
  context.incarnation === undefined
    ? { first: context.group, stride: context.groupCount }
    : {
        first: context.group + context.incarnation * context.groupCount,
        stride: context.groupCount * INCARNATION_LIMIT,
      };

/** Slide 45's "retry with a higher n": the smallest own number above all seen. */
export const numberAboveSeen = (context: RoundContext): number => {
  const { first, stride } = ownNumbers(context);
  return nextProposalNumber(first, stride, Math.max(context.n, context.highestSeen));
};

/**
 * A retry after refusals in a row: the smallest own number above the next number of whoever
 * refused (the highest seen plus one stride). Just above the highest seen is where the
 * refuser's own next round goes too, and the one with the higher offset would win every
 * such race: one proposer starved while another kept writing the same key.
 */
export const numberAboveRival = (context: RoundContext): number => {
  const { first, stride } = ownNumbers(context);
  return nextProposalNumber(first, stride, Math.max(context.n, context.highestSeen) + stride);
};

/** The promise that reports the highest accepted proposal, if any reports one. */
export function highestAccepted(promises: readonly PromiseHeard[]): PromiseHeard | undefined {
  let best: PromiseHeard | undefined;
  for (const p of promises) {
    if (p.acceptedProposal !== NO_PROPOSAL && (!best || p.acceptedProposal > best.acceptedProposal)) best = p;
  }
  return best;
}

type GuardArgs = { context: RoundContext; event: EventObject };

export const roundGuards = {
  isNewPromise: ({ context, event }: GuardArgs) => isNewPromise(context, prepareAckOf(event)),
  completesPromiseMajority: ({ context, event }: GuardArgs) =>
    isNewPromise(context, prepareAckOf(event)) && context.promises.length + 1 >= quorum(context),
  // Refused only if the acceptor promised a higher number. An answer to a duplicated
  // prepare(n) is not a promise either (minProposal is already n), but it is no refusal.
  isRefusal: ({ context, event }: GuardArgs) => {
    const ack = prepareAckOf(event);
    return ack.n === context.n && !ack.promised && ack.minProposal > ack.n && isMember(context, ack.from);
  },
  isNewAcceptance: ({ context, event }: GuardArgs) => isNewAcceptance(context, acceptAckOf(event)),
  completesAcceptMajority: ({ context, event }: GuardArgs) =>
    isNewAcceptance(context, acceptAckOf(event)) && context.accepted.length + 1 >= quorum(context),
  isRejection: ({ context, event }: GuardArgs) => {
    const ack = acceptAckOf(event);
    return ack.n === context.n && ack.minProposal > ack.n && isMember(context, ack.from);
  },
};

/**
 * The round's actions for a machine whose context is C and events E. `patch` only widens
 * a change of the base fields to C: the compiler cannot see that a partial RoundContext is
 * a partial C.
 */
export function roundActions<C extends RoundContext, E extends EventObject>() {
  const patch = (p: Partial<RoundContext>) => p as Partial<C>;
  return {
    beginRound: assign<C, E, undefined, E, never>(({ context }) =>
      patch({ n: numberAboveSeen(context), promises: [], proposal: null, accepted: [] }),
    ),
    sendPrepare: enqueueActions<C, E, undefined, E, never, never, never, never, Send>(
      ({ context, enqueue }) => {
        for (const to of context.acceptors) {
          const message: Prepare = {
            type: 'prepare',
            from: context.self,
            group: context.group,
            n: context.n,
          };
          enqueue.emit({ type: 'send', to, message });
        }
      },
    ),
    // Each phase waits for its own majority: a round timer is armed with each broadcast.
    armRoundTimer: emit<C, E, undefined, E, ArmTimer>(arm({ kind: 'round' })),
    noteHighestSeen: assign<C, E, undefined, E, never>(({ context, event }) => {
      const reported =
        event.type === 'prepare_ack'
          ? Math.max(prepareAckOf(event).minProposal, prepareAckOf(event).acceptedProposal)
          : acceptAckOf(event).minProposal;
      return patch({ highestSeen: Math.max(context.highestSeen, reported) });
    }),
    recordPromise: assign<C, E, undefined, E, never>(({ context, event }) => {
      const ack = prepareAckOf(event);
      const promise: PromiseHeard = {
        from: ack.from,
        acceptedProposal: ack.acceptedProposal,
        acceptedValue: ack.acceptedValue,
      };
      return patch({ promises: [...context.promises, promise].sort((a, b) => a.from - b.from) });
    }),
    sendAccept: enqueueActions<C, E, undefined, E, never, never, never, never, Send>(
      ({ context, enqueue }) => {
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
      },
    ),
    // An acceptor took the proposal: the round got through, so contention is not growing.
    recordAcceptance: assign<C, E, undefined, E, never>(({ context, event }) =>
      patch({ accepted: [...context.accepted, acceptAckOf(event).from].sort((a, b) => a - b), refusals: 0 }),
    ),
    armBackoffTimer: emit<C, E, undefined, E, ArmTimer>(({ context }) =>
      arm({ kind: 'backoff', attempt: context.refusals }),
    ),
    countRefusal: assign<C, E, undefined, E, never>(({ context }) =>
      patch({ refusals: Math.min(context.refusals + 1, BACKOFF_ATTEMPT_CAP) }),
    ),
  };
}
