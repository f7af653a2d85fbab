/**
 * One operation on one key's register, as a CASPaxos round (Rystsov 2018): the lab
 * proposer's round (machines/round.ts, the same guards and actions) with two differences.
 *
 *   prepare(n) to the key's acceptors;
 *   on a majority of promises: take the state of the highest accepted proposal (the empty
 *   register if none), apply the operation's change, broadcast accept(n, new state);
 *   on a majority of acceptances: the operation took effect; the round ends with its
 *   result (the new state, or the mismatch and the state that refused it).
 *
 * The lab's proposer adopts the highest accepted value or keeps its own; here the value is
 * always computed from the highest accepted one, and a round decides once, for one
 * operation: a host runs one round per operation and one acceptor machine per key.
 *
 * A refused prepare retries above the refusal, as the lab's does: nothing was proposed yet.
 * After accept has gone out, only a round that writes back what it read (a get, a mismatch)
 * retries; a put or delete whose accept failed ends `uncertain` (see the state).
 *
 * Numbers come from the proposer's incarnation instead of a durable counter
 * (machines/proposalNumbers.ts): the host fsyncs the incarnation once per start and hands
 * each round the highest number this life used on the key, so a round never reuses one.
 */
import { assertEvent, assign, emit, setup } from 'xstate';
import {
  type AcceptAck,
  type GroupId,
  NO_PROPOSAL,
  type PeerId,
  type PrepareAck,
  type Send,
} from './messages';
import { INCARNATION_LIMIT } from './proposalNumbers';
import { change, decodeRegister, encodeRegister, type Operation, type RoundResult } from './register';
import { highestAccepted, numberAboveRival, type RoundContext, roundActions, roundGuards } from './round';
import type { ArmTimer } from './timers';

export interface RegisterRoundInput {
  self: PeerId;
  group: GroupId;
  groupCount: number;
  /** This start of the proposer, fsynced by its host before the first round; below INCARNATION_LIMIT. */
  incarnation: number;
  acceptors: PeerId[];
  key: string;
  /** The highest number this life of the proposer used on the key (0 if none): the round goes above it. */
  lastNumber?: number;
}

export interface RegisterRoundContext extends RoundContext {
  incarnation: number;
  key: string;
  operation: Operation | null;
  /** What the round answers once its accept reaches a majority; set with the proposal. */
  result: RoundResult | null;
}

export type RegisterRoundEvent =
  | { type: 'START'; operation: Operation }
  | { type: 'TIMEOUT' }
  | PrepareAck
  | AcceptAck;

/** Told to the host: the operation took effect at proposal `n` (a majority accepted it). */
interface Completed {
  type: 'completed';
  key: string;
  n: number;
  result: RoundResult;
}

/** Told to the host: the operation may or may not take effect (interface.md's 503 with `indeterminate`). */
interface Uncertain {
  type: 'uncertain';
  key: string;
  n: number;
}

export type RegisterRoundEmitted = Send | ArmTimer | Completed | Uncertain;

const writesBack = (context: RegisterRoundContext) =>
  context.result?.outcome === 'mismatch' || context.operation?.kind === 'get';

export const registerRoundMachine = setup({
  types: {
    context: {} as RegisterRoundContext,
    events: {} as RegisterRoundEvent,
    emitted: {} as RegisterRoundEmitted,
    input: {} as RegisterRoundInput,
  },
  guards: {
    ...roundGuards,
    // A get, or a change refused by a version mismatch, writes the state it read back
    // unchanged: done twice it changes nothing, so such a round may retry after phase 2.
    writesBack: ({ context }) => writesBack(context),
    isRejectionOfWriteBack: (args) => roundGuards.isRejection(args) && writesBack(args.context),
    // A first refusal is most often a number gone stale (the key was written through another
    // peer since); a second in a row is a rival that keeps starting rounds on the key.
    refusedAgain: ({ context }) => context.refusals >= 2,
  },
  actions: {
    ...roundActions<RegisterRoundContext, RegisterRoundEvent>(),
    beginRoundAboveRival: assign(({ context }) => ({
      n: numberAboveRival(context),
      promises: [],
      proposal: null,
      accepted: [],
    })),
    takeOperation: assign({
      operation: ({ event }) => {
        assertEvent(event, 'START');
        return event.operation;
      },
    }),
    // CASPaxos: the change applies to the state of the highest accepted proposal, which a
    // completed round may have left at only some acceptors of this quorum.
    applyChange: assign(({ context }) => {
      const current = decodeRegister(highestAccepted(context.promises)?.acceptedValue ?? null);
      const result = change(context.operation ?? { kind: 'get' }, current);
      return { proposal: encodeRegister(result.state), result };
    }),
    reportResult: emit(({ context }) => ({
      type: 'completed' as const,
      key: context.key,
      n: context.n,
      result: context.result ?? { outcome: 'ok' as const, state: decodeRegister(null) },
    })),
    reportUncertain: emit(({ context }) => ({ type: 'uncertain' as const, key: context.key, n: context.n })),
  },
}).createMachine({
  id: 'registerRound',
  context: ({ input }) => {
    if (
      !Number.isInteger(input.incarnation) ||
      input.incarnation < 0 ||
      input.incarnation >= INCARNATION_LIMIT
    )
      throw new Error(`incarnation ${input.incarnation} is outside 0..${INCARNATION_LIMIT - 1}`);
    return {
      self: input.self,
      group: input.group,
      groupCount: input.groupCount,
      incarnation: input.incarnation,
      acceptors: [...input.acceptors].sort((a, b) => a - b),
      key: input.key,
      operation: null,
      n: input.lastNumber ?? NO_PROPOSAL,
      highestSeen: input.lastNumber ?? NO_PROPOSAL,
      promises: [],
      proposal: null,
      accepted: [],
      refusals: 0,
      result: null,
    };
  },
  initial: 'idle',
  states: {
    idle: {
      on: {
        START: {
          target: 'preparing',
          actions: ['takeOperation', 'beginRound', 'sendPrepare', 'armRoundTimer'],
        },
      },
    },
    preparing: {
      on: {
        prepare_ack: [
          {
            guard: 'completesPromiseMajority',
            target: 'accepting',
            actions: ['noteHighestSeen', 'recordPromise', 'applyChange', 'sendAccept', 'armRoundTimer'],
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
            target: 'done',
            actions: ['noteHighestSeen', 'recordAcceptance', 'reportResult'],
          },
          { guard: 'isNewAcceptance', actions: ['noteHighestSeen', 'recordAcceptance'] },
          {
            guard: 'isRejectionOfWriteBack',
            target: 'backingOff',
            actions: ['noteHighestSeen', 'armBackoffTimer', 'countRefusal'],
          },
          { guard: 'isRejection', target: 'uncertain', actions: ['noteHighestSeen', 'reportUncertain'] },
          { actions: 'noteHighestSeen' },
        ],
        prepare_ack: { actions: 'noteHighestSeen' },
        TIMEOUT: [
          {
            guard: 'writesBack',
            target: 'preparing',
            actions: ['beginRound', 'sendPrepare', 'armRoundTimer'],
          },
          { target: 'uncertain', actions: 'reportUncertain' },
        ],
      },
    },
    // Refused: someone runs a higher number on this key. Wait out the backoff, then retry above it.
    backingOff: {
      on: {
        prepare_ack: { actions: 'noteHighestSeen' },
        accept_ack: { actions: 'noteHighestSeen' },
        TIMEOUT: [
          {
            guard: 'refusedAgain',
            target: 'preparing',
            actions: ['beginRoundAboveRival', 'sendPrepare', 'armRoundTimer'],
          },
          { target: 'preparing', actions: ['beginRound', 'sendPrepare', 'armRoundTimer'] },
        ],
      },
    },
    // The operation took effect; the host drops the round and its timer.
    done: { type: 'final' },
    // A change whose accept was refused or went unanswered may still take effect: another
    // round may adopt it from the acceptors that took it. Applying it again in a retry could
    // change the register twice, so the round ends and the client learns it is unknown.
    uncertain: { type: 'final' },
  },
});

/**
 * Whether the round's operation may take effect if the round is abandoned now (a client's
 * time limit ran out): true once an accept carrying a change may have left, since another
 * round may adopt it from any acceptor that took it. A get, or a change refused by a version
 * mismatch, writes back what it read and changes nothing, however far it went.
 */
export function mayTakeEffect(context: RegisterRoundContext): boolean {
  return context.proposal !== null && !writesBack(context);
}
