/**
 * A register peer as a value, as src/peer/node.ts is for the lab: per key an acceptor
 * (the lab's acceptor machine, made when the key's first message arrives), per client
 * operation a register round (machines/registerRound.ts) on its key. The peer only routes;
 * every protocol decision is the machines'.
 *
 * The rounds of one key at one peer run one at a time: two of them would outbid each other
 * at the same acceptors for nothing, and an ack carries no round id, only the key, so with
 * one round per key the ack's key names its round. A round's numbers start above the last
 * one this life used on the key, so rounds of a key at a peer go up; across lives the
 * incarnation (durable, one more at every start) keeps them apart.
 */
import type { SnapshotFrom } from 'xstate';
import { type AcceptorDurable, acceptorDurable, acceptorMachine } from '../../machines/acceptor';
import type { GroupId, Message, PeerId, Send } from '../../machines/messages';
import type { Operation, RegisterState } from '../../machines/register';
import { mayTakeEffect, type RegisterRoundEmitted, registerRoundMachine } from '../../machines/registerRound';
import type { Timer } from '../../machines/timers';
import { makeStepper, type Stepper } from '../peer/stepper';

/** The machines a register peer runs; faulty variants (`.provide()`) keep these types. */
export interface RegisterMachines {
  round: typeof registerRoundMachine;
  acceptor: typeof acceptorMachine;
}

export const registerMachines: RegisterMachines = { round: registerRoundMachine, acceptor: acceptorMachine };

type RoundSnapshot = SnapshotFrom<typeof registerRoundMachine>;
type AcceptorSnapshot = SnapshotFrom<typeof acceptorMachine>;

/** A wire message with the key whose acceptors and round it is for. */
export interface KeyedSend {
  to: PeerId;
  key: string;
  message: Message;
}

/**
 * Whether a message may leave before the write of the batch that made it, when its key has
 * nothing unwritten in the batch: an accept. Its number was promised (or outbid) by its
 * sender's own acceptor, if it has one, in a batch written before the prepares left, so a
 * restarted peer still starts above it; its value comes from answers written at their senders; and the
 * round that sends it has counted no answer of its own acceptor that is not yet written
 * (that answer joins the batch after the key's change). So the own acceptor's write of the
 * accept runs beside the other acceptors', not before them. Everything else waits: an
 * acceptor's answer tells its new state, and a prepare's number is fresh only once the own
 * acceptor's promise of it is written.
 */
export const leavesBeforeWrite = (send: KeyedSend): boolean => send.message.type === 'accept';

/** An operation a client asked of this peer, named by the host. */
interface Request {
  id: number;
  key: string;
  operation: Operation;
}

export interface RegisterPeerState {
  incarnation: number;
  acceptors: Record<string, AcceptorSnapshot>;
  /** The round running on each key, and the request it answers. */
  rounds: Record<string, { request: Request; snapshot: RoundSnapshot }>;
  /** Requests waiting for their key's round to end, oldest first. */
  queued: Record<string, readonly Request[]>;
  /** The highest number this life used or heard of on each key: the next round goes above it. */
  lastNumber: Record<string, number>;
  /** The highest number this life used or heard of on any key: where a key loaded again starts. */
  highest: number;
  /** The timer each key's round armed last and that has not fired. */
  timers: Record<string, Timer>;
}

/** What survives a crash: the acceptors, and the incarnation that keeps ballots unique. */
interface RegisterPeerDurable {
  incarnation: number;
  acceptors: Record<string, AcceptorDurable>;
}

/** `cancel`: the request's time ran out; it leaves its queue, or its round is abandoned. */
export type RegisterPeerInput =
  | { type: 'invoke'; request: Request }
  | { type: 'deliver'; key: string; message: Message }
  | { type: 'timeout'; key: string }
  | { type: 'cancel'; key: string; id: number };

/**
 * How a request ended: ok (the state after), mismatch (the state that refused it), unknown
 * (`uncertain`), or abandoned when its time ran out (`expired`, with whether it may still
 * take effect, as the round machine says).
 */
export type Completion =
  | { request: Request; outcome: 'ok' | 'mismatch'; state: RegisterState }
  | { request: Request; outcome: 'uncertain' }
  | { request: Request; outcome: 'expired'; mayTakeEffect: boolean };

export interface RegisterPeerStep {
  state: RegisterPeerState;
  sends: KeyedSend[];
  /** Timers armed in this step, in order; each replaces its key's previous one. */
  timers: { key: string; timer: Timer }[];
  completed: Completion[];
  handled: boolean;
  /** The durable part changed: the host saves it before anything of the step leaves. */
  save: boolean;
}

export interface RegisterPeerConfig {
  /** Every peer, ascending: each holds an acceptor for every key and runs rounds. */
  peers: readonly PeerId[];
  /**
   * A hostsfile's shape instead (src/serve/): the peers holding every key's acceptor, and
   * each proposer's group among `groupCount`. Without it, every peer is both, in order.
   */
  layout?: {
    acceptors: readonly PeerId[];
    groups: ReadonlyMap<PeerId, GroupId>;
    groupCount: number;
    /**
     * Only under --allow-unsafe-quorums: each group's own acceptors, where groups differ. A
     * register kept by two sets of acceptors whose majorities need not meet is not one
     * register; the nemesis must see that break.
     */
    groupAcceptors?: ReadonlyMap<GroupId, readonly PeerId[]>;
  };
}

export interface RegisterPeerLogic {
  readonly config: RegisterPeerConfig;
  /** A fresh peer, or one restarted from its stable storage: a new incarnation either way. */
  init(id: PeerId, durable?: RegisterPeerDurable): RegisterPeerState;
  /** A peer whose acceptors live in a store (loaded key by key), in the store's incarnation. */
  start(incarnation: number): RegisterPeerState;
  /** `key`'s acceptor as the store holds it, unless the peer holds it already. */
  load(
    id: PeerId,
    state: RegisterPeerState,
    key: string,
    durable: AcceptorDurable | undefined,
  ): RegisterPeerState;
  /** Whether `key`'s acceptor is held, and nothing of this peer is under way on the key. */
  idle(state: RegisterPeerState, key: string): boolean;
  /** Forgets an idle key (its acceptor is in the store): memory follows the working set. */
  drop(state: RegisterPeerState, key: string): RegisterPeerState;
  /** Consumes `state` (its records are updated in place): keep only the state returned. */
  step(id: PeerId, state: RegisterPeerState, input: RegisterPeerInput): RegisterPeerStep;
  durable(state: RegisterPeerState): RegisterPeerDurable;
}

/** A step under way: the peer's parts so far and what they have produced. */
interface Stepping {
  id: PeerId;
  state: RegisterPeerState;
  out: RegisterPeerStep;
}

/**
 * A key's entry, if the peer holds one. Keys are the clients' strings: `constructor` or
 * `__proto__` must not find what every object inherits.
 */
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/**
 * A record of keys: without a prototype, so that a key named `__proto__` is stored like any
 * other. The peer's records are updated in place (copying them at every step would cost
 * time in the number of keys held): a step consumes the state it is given.
 */
function keyed<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) record[key] = value;
  return record;
}

/** An empty queue is no entry: keys seen once do not stay. */
function setQueue(state: RegisterPeerState, key: string, queue: readonly Request[]) {
  if (queue.length === 0) delete state.queued[key];
  else state.queued[key] = queue;
}

function durableOf(state: RegisterPeerState): RegisterPeerDurable {
  const acceptors = Object.fromEntries(
    Object.entries(state.acceptors).map(([key, s]) => [key, acceptorDurable(s.context)]),
  );
  return { incarnation: state.incarnation, acceptors };
}

const sameAcceptor = (a: AcceptorDurable, b: AcceptorDurable) =>
  a.minProposal === b.minProposal &&
  a.acceptedProposal === b.acceptedProposal &&
  a.acceptedValue === b.acceptedValue;

/** A prepare or accept for `key`, to this peer's acceptor of the key (made on first use). */
function toAcceptor(
  acceptor: Stepper<typeof acceptorMachine>,
  acc: Stepping,
  key: string,
  message: Message & { type: 'prepare' | 'accept' },
) {
  const { state, out } = acc;
  const before = own(state.acceptors, key) ?? acceptor.initial({ self: acc.id });
  const [snapshot, emitted] = acceptor.step(before, message);
  state.acceptors[key] = snapshot;
  out.save ||= !sameAcceptor(acceptorDurable(before.context), acceptorDurable(snapshot.context));
  for (const e of emitted as Send[]) out.sends.push({ to: e.to, key, message: e.message });
}

/**
 * A state whose records a step may change without changing `state`'s: for a caller that
 * steps one state more than once (the checker, from every world that holds it).
 */
export const copyPeerState = (state: RegisterPeerState): RegisterPeerState => ({
  incarnation: state.incarnation,
  acceptors: keyed(Object.entries(state.acceptors)),
  rounds: keyed(Object.entries(state.rounds)),
  queued: keyed(Object.entries(state.queued)),
  lastNumber: keyed(Object.entries(state.lastNumber)),
  highest: state.highest,
  timers: keyed(Object.entries(state.timers)),
});

const start = (incarnation: number): RegisterPeerState => ({
  incarnation,
  acceptors: keyed(),
  rounds: keyed(),
  queued: keyed(),
  lastNumber: keyed(),
  highest: 0,
  timers: keyed(),
});

const loadAcceptor = (
  acceptor: Stepper<typeof acceptorMachine>,
  id: PeerId,
  state: RegisterPeerState,
  key: string,
  durable: AcceptorDurable | undefined,
): RegisterPeerState => {
  if (own(state.acceptors, key)) return state;
  const snapshot = acceptor.initial({ self: id, ...(durable ? { durable } : {}) });
  // The numbers this life used on a dropped key were forgotten with it: its rounds start
  // above every number of this life, so none repeats (a promise for a repeated number,
  // sent again by a link after a reconnect, could count twice), and above the key's own
  // promise, which saves refused rounds.
  const floor = Math.max(own(state.lastNumber, key) ?? 0, state.highest, durable?.minProposal ?? 0);
  state.acceptors[key] = snapshot;
  state.lastNumber[key] = floor;
  return state;
};

const idle = (state: RegisterPeerState, key: string) =>
  !own(state.rounds, key) && (own(state.queued, key)?.length ?? 0) === 0;

const drop = (state: RegisterPeerState, key: string): RegisterPeerState => {
  delete state.acceptors[key];
  delete state.queued[key];
  delete state.lastNumber[key];
  delete state.timers[key];
  return state;
};

/** Every peer both proposer and acceptor, in order, unless the config gives a layout. */
function layoutOf(config: RegisterPeerConfig) {
  const peers = [...config.peers].sort((a, b) => a - b);
  const layout = config.layout ?? {
    acceptors: peers,
    groups: new Map(peers.map((p, i) => [p, i + 1])),
    groupCount: peers.length,
  };
  const groupOf = (id: PeerId) => {
    const group = layout.groups.get(id);
    if (group === undefined) throw new Error(`peer ${id} is not a proposer of ${peers.join(', ')}`);
    return group;
  };
  const acceptorsOf = (group: GroupId) => layout.groupAcceptors?.get(group) ?? layout.acceptors;
  return { layout, groupOf, acceptorsOf };
}

function initPeer(
  acceptor: Stepper<typeof acceptorMachine>,
  id: PeerId,
  durable?: RegisterPeerDurable,
): RegisterPeerState {
  const acceptors: Record<string, AcceptorSnapshot> = keyed(
    Object.entries(durable?.acceptors ?? {}).map(([key, d]) => [
      key,
      acceptor.initial({ self: id, durable: d }),
    ]),
  );
  const incarnation = durable === undefined ? 0 : durable.incarnation + 1;
  // As a host does when it reads a key's acceptor before the key's first round: a key's
  // rounds start above its promise, which is at least every number this peer sent on it in
  // any life (its own prepare reaches it before anything leaves), so numbers keep rising.
  const floors = Object.entries(durable?.acceptors ?? {}).map(([key, d]) => [key, d.minProposal] as const);
  return {
    incarnation,
    acceptors,
    rounds: keyed(),
    queued: keyed(),
    lastNumber: keyed(floors),
    highest: Math.max(0, ...floors.map(([, n]) => n)),
    timers: keyed(),
  };
}

/** A round leaves its key: its numbers stay used, its timer goes. */
function forgetRound(state: RegisterPeerState, key: string, snapshot: RoundSnapshot) {
  const { n, highestSeen } = snapshot.context;
  state.lastNumber[key] = Math.max(n, highestSeen, own(state.lastNumber, key) ?? 0);
  state.highest = Math.max(state.highest, state.lastNumber[key]);
  delete state.rounds[key];
  disarm(state, key);
}

/** The key's timer fired or its round left: none is armed for it. */
function disarm(state: RegisterPeerState, key: string) {
  delete state.timers[key];
}

/** A request whose time ran out before its round started: it leaves the queue, having done nothing. */
function dropQueued(acc: Stepping, key: string, id: number): boolean {
  const { state, out } = acc;
  const queue = own(state.queued, key) ?? [];
  const waiting = queue.find((r) => r.id === id);
  if (!waiting) return false;
  setQueue(
    state,
    key,
    queue.filter((r) => r !== waiting),
  );
  out.completed.push({ request: waiting, outcome: 'expired', mayTakeEffect: false });
  return true;
}

export function createRegisterPeerLogic(
  config: RegisterPeerConfig,
  machines: RegisterMachines = registerMachines,
): RegisterPeerLogic {
  const round: Stepper<typeof registerRoundMachine> = makeStepper(machines.round);
  const acceptor: Stepper<typeof acceptorMachine> = makeStepper(machines.acceptor);
  const { layout, groupOf, acceptorsOf } = layoutOf(config);
  const init = (id: PeerId, durable?: RegisterPeerDurable) => initPeer(acceptor, id, durable);

  /** Starts the next queued request of `key`, if its round is free. */
  const startNext = (acc: Stepping, key: string) => {
    const { state } = acc;
    const queue = own(state.queued, key) ?? [];
    const request = queue[0];
    if (own(state.rounds, key) || !request) return;
    setQueue(state, key, queue.slice(1));
    const initial = round.initial({
      self: acc.id,
      group: groupOf(acc.id),
      groupCount: layout.groupCount,
      incarnation: state.incarnation,
      acceptors: [...acceptorsOf(groupOf(acc.id))],
      key,
      lastNumber: own(state.lastNumber, key) ?? 0,
    });
    runRound(acc, key, request, initial, { type: 'START', operation: request.operation });
  };

  /** One event through `key`'s round; a round that ends frees the key for the next request. */
  function runRound(
    acc: Stepping,
    key: string,
    request: Request,
    before: RoundSnapshot,
    event: Parameters<typeof round.step>[1],
  ) {
    const { state, out } = acc;
    const [snapshot, emitted] = round.step(before, event);
    state.rounds[key] = { request, snapshot };
    for (const e of emitted as RegisterRoundEmitted[]) {
      if (e.type === 'send') out.sends.push({ to: e.to, key, message: e.message });
      else if (e.type === 'arm') {
        out.timers.push({ key, timer: e.timer });
        state.timers[key] = e.timer;
      } else if (e.type === 'completed')
        out.completed.push({ request, outcome: e.result.outcome, state: e.result.state });
      else out.completed.push({ request, outcome: 'uncertain' });
    }
    if (snapshot.status === 'done') endRound(acc, key, snapshot);
  }

  /** The key's round is over (ended, or abandoned): its numbers stay used, the next request starts. */
  function endRound(acc: Stepping, key: string, snapshot: RoundSnapshot) {
    forgetRound(acc.state, key, snapshot);
    startNext(acc, key);
  }

  /** A request whose time ran out: out of its queue, or its round abandoned. */
  function cancel(acc: Stepping, key: string, id: number) {
    const { state, out } = acc;
    if (dropQueued(acc, key, id)) return;
    const current = own(state.rounds, key);
    if (!current || current.request.id !== id) {
      out.handled = false;
      return;
    }
    const may = mayTakeEffect(current.snapshot.context);
    out.completed.push({ request: current.request, outcome: 'expired', mayTakeEffect: may });
    endRound(acc, key, current.snapshot);
  }

  function step(id: PeerId, before: RegisterPeerState, input: RegisterPeerInput): RegisterPeerStep {
    const state = { ...before };
    const out: RegisterPeerStep = { state, sends: [], timers: [], completed: [], handled: true, save: false };
    const acc: Stepping = { id, state, out };
    const key = input.type === 'invoke' ? input.request.key : input.key;
    const current = own(state.rounds, key);
    if (input.type === 'invoke') {
      setQueue(state, key, [...(own(state.queued, key) ?? []), input.request]);
      startNext(acc, key);
    } else if (input.type === 'cancel') {
      cancel(acc, key, input.id);
    } else if (input.type === 'timeout') {
      if (!current || !own(state.timers, key)) out.handled = false;
      else {
        disarm(state, key);
        runRound(acc, key, current.request, current.snapshot, { type: 'TIMEOUT' });
      }
    } else if (input.message.type === 'prepare' || input.message.type === 'accept') {
      toAcceptor(acceptor, acc, key, input.message);
    } else if (current && (input.message.type === 'prepare_ack' || input.message.type === 'accept_ack')) {
      runRound(acc, key, current.request, current.snapshot, input.message);
    } else out.handled = false;
    return out;
  }

  const load: RegisterPeerLogic['load'] = (id, state, key, durable) =>
    loadAcceptor(acceptor, id, state, key, durable);
  return { config, init, start, load, idle, drop, step, durable: durableOf };
}
