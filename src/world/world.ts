/**
 * The simulated world: every peer's state, the messages in flight, and ghost variables that
 * no peer can see but properties need (every message ever sent, every value ever proposed,
 * every chose line printed). Peers are driven only through src/peer/node.ts, so the
 * simulator runs the real machines, wired as in production.
 *
 * A world is mutated in place by `apply` (the fast path for long runs); `clone` is cheap
 * (a few short arrays; the history is a shared persistent list) for anyone who branches.
 */
import type { Learned } from '../../machines/learner';
import type { GroupId, PeerId, Send, Value } from '../../machines/messages';
import type { ClusterConfig, GroupConfig } from '../config/cluster';
import type { PeerDurable, PeerLogic, PeerState, PeerStep, TimerEffect } from '../peer/node';
import { decodeMessage, encodeMessage } from '../runtime/codec';
import { type Action, type MessageAction, sameSend } from './action';

/** A message the runtime's codec would refuse at its destination (reported and dropped there). */
interface Refusal {
  send: Send;
  problem: string;
}

/**
 * One step of a schedule, a small data value, so a run is a replayable list: an action of
 * the world (src/world/action.ts), or a message action whose `index` picks a message in
 * flight modulo their number, so that any list of such steps is valid in any world (with
 * nothing in flight it does nothing): what random schedules are made of.
 */
export type SimStep = Action | { kind: MessageAction['kind']; index: number };

/** An action named a message that is not in flight: it is not enabled in this world. */
export class NotEnabled extends Error {}

export type StepKind = SimStep['kind'];

/** Every message ever sent, newest first; shared by clones, never changed once built. */
interface History {
  readonly send: Send;
  readonly prev: History | null;
  readonly length: number;
}

export interface World {
  /**
   * Indexed by peer id (slot 0 unused). A host persists a peer's durable state after every
   * step, before its messages leave, so what a peer has on stable storage is always
   * `logic.durable` of its state here: `Simulator.durableOf` reads it when needed (a restart,
   * a property) instead of every step paying for a copy nobody reads (about 1 µs a step).
   */
  peers: PeerState[];
  /** The network: a multiset of messages, each with its destination (the sender is `message.from`). */
  inFlight: Send[];
  /** Ghost: every message any peer sent, in any step (duplicates made by the network excluded). */
  history: History | null;
  /** Ghost: each peer's chose lines, in order (a correct peer has at most one). */
  printed: (readonly Learned[])[];
  /** Ghost: every value some START gave a proposer. */
  proposed: readonly Value[];
  /** Steps applied so far. */
  time: number;
}

/** What a step did, resolved against the world it was applied to. */
export interface Applied {
  step: SimStep;
  /** The peer that took an input (deliver, timeout, start) or was restarted. */
  peer?: PeerId;
  /** The message delivered, dropped or duplicated. */
  message?: Send;
  /** Messages the peer sent in this step. */
  sends: readonly Send[];
  /** Timers the peer's proposers armed in this step (what a real host would start). */
  timers: readonly TimerEffect[];
  /** Set when the peer printed its chose line in this step. */
  learned?: Learned;
  /**
   * Messages of this step that the wire refused: every send goes through the codec, encoded
   * and then decoded against the cluster by its addressee, as over TCP, and one the runtime
   * would drop is dropped here too (so a machine's malformed message is caught in
   * simulation, not only in an end-to-end run).
   */
  refused: readonly Refusal[];
  /** False when nothing happened: nothing in flight, or no machine took the input. */
  handled: boolean;
  /** Whether the peer's durable state changed in this step (what a host would save). */
  save: boolean;
}

export interface Simulator {
  readonly logic: PeerLogic;
  readonly cluster: ClusterConfig;
  /** Ids of all peers of the cluster, ascending. */
  readonly peerIds: readonly PeerId[];
  group(id: GroupId): GroupConfig;
  initial(): World;
  clone(world: World): World;
  /** What peer `id` has on stable storage: what a restart recovers. */
  durableOf(world: World, id: PeerId): PeerDurable;
  /** Applies one step in place. */
  apply(world: World, step: SimStep): Applied;
}

const NO_SENDS: readonly Send[] = Object.freeze([]);
const NO_TIMERS: readonly TimerEffect[] = Object.freeze([]);
const NO_REFUSALS: readonly Refusal[] = Object.freeze([]);
const NO_LEARNED: readonly Learned[] = Object.freeze([]);
const RECOVERED_KEPT = 4096;
const VERDICTS_KEPT = 65_536;

const cloneWorld = (w: World): World => ({
  peers: w.peers.slice(),
  inFlight: w.inFlight.slice(),
  history: w.history,
  printed: w.printed.slice(),
  proposed: w.proposed,
  time: w.time,
});

/**
 * A restart builds its peer's snapshots from stable storage, the cost of several steps; the
 * same peer often restarts from the same storage (a crash before its next promise), and the
 * result is an immutable value, so recent ones are kept.
 */
function recoverer(logic: PeerLogic): (id: PeerId, durable: PeerDurable) => PeerState {
  const recovered = new Map<string, PeerState>();
  return (id, durable) => {
    const key = `${id} ${JSON.stringify(durable)}`;
    let state = recovered.get(key);
    if (!state) {
      if (recovered.size >= RECOVERED_KEPT) recovered.clear();
      state = logic.init(id, durable);
      recovered.set(key, state);
    }
    return state;
  };
}

/**
 * A run sends the same few messages again and again (the same prepare to each acceptor,
 * in every world a property explores), and the codec's verdict depends only on the line
 * and the addressee: decoded once, the verdict is kept.
 */
function wireChecker(cluster: ClusterConfig): (s: Send) => string | undefined {
  const verdicts = new Map<string, string | null>();
  return (s) => {
    const line = encodeMessage(s.message).trimEnd();
    const key = `${s.to} ${line}`;
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      if (verdicts.size >= VERDICTS_KEPT) verdicts.clear();
      const decoded = decodeMessage(line, cluster, s.to);
      verdict = decoded.ok ? null : decoded.problem;
      verdicts.set(key, verdict);
    }
    return verdict ?? undefined;
  };
}

/** A step that ran no machine. Every Applied has the same fields in the same order: one shape for the JIT. */
const outcome = (
  step: SimStep,
  peer: PeerId | undefined,
  message: Send | undefined,
  handled: boolean,
): Applied => ({
  step,
  peer,
  message,
  sends: NO_SENDS,
  timers: NO_TIMERS,
  learned: undefined,
  refused: NO_REFUSALS,
  handled,
  save: false,
});

/** Runs one input through a peer: its new state (and so its stable storage), then its messages. */
function runInput(
  w: World,
  wireProblem: (s: Send) => string | undefined,
  step: SimStep,
  id: PeerId,
  r: PeerStep,
  message?: Send,
): Applied {
  w.peers[id] = r.state;
  let h = w.history;
  let refused = NO_REFUSALS;
  for (const s of r.sends) {
    h = { send: s, prev: h, length: (h?.length ?? 0) + 1 };
    const problem = wireProblem(s);
    if (problem === undefined) w.inFlight.push(s);
    else refused = [...refused, { send: s, problem }];
  }
  w.history = h;
  if (r.learned) w.printed[id] = [...(w.printed[id] ?? NO_LEARNED), r.learned];
  return {
    step,
    peer: id,
    message,
    sends: r.sends,
    timers: r.timers,
    learned: r.learned,
    refused,
    handled: r.handled,
    save: r.save,
  };
}

export function createSimulator(logic: PeerLogic): Simulator {
  const cluster = logic.cluster;
  const peerIds = cluster.peers.map((p) => p.id).sort((a, b) => a - b);
  const groups = new Map(cluster.groups.map((g) => [g.id, g]));
  const group = (id: GroupId): GroupConfig => {
    const g = groups.get(id);
    if (!g) throw new Error(`no proposer group ${id} in ${cluster.source}`);
    return g;
  };

  // Snapshots are immutable values, so every world can start from the same ones; building
  // them for every world cost a short property run as much as its steps.
  let initialPeers: PeerState[] | undefined;
  const initial = (): World => {
    if (!initialPeers) {
      initialPeers = new Array(Math.max(0, ...peerIds) + 1);
      for (const id of peerIds) initialPeers[id] = logic.init(id);
    }
    const printed: (readonly Learned[])[] = new Array(initialPeers.length).fill(NO_LEARNED);
    return { peers: initialPeers.slice(), inFlight: [], history: null, printed, proposed: [], time: 0 };
  };

  const durableOf = (w: World, id: PeerId): PeerDurable => {
    const state = w.peers[id];
    if (!state) throw new Error(`no peer ${id} in ${cluster.source}`);
    return logic.durable(state);
  };

  const recover = recoverer(logic);
  const wireProblem = wireChecker(cluster);
  const input = (w: World, step: SimStep, id: PeerId, r: PeerStep, message?: Send): Applied =>
    runInput(w, wireProblem, step, id, r, message);

  const apply = (w: World, step: SimStep): Applied => {
    w.time++;
    switch (step.kind) {
      case 'deliver':
      case 'drop':
      case 'duplicate': {
        const at = messageIndex(w, step);
        if (at < 0) return outcome(step, undefined, undefined, false);
        const message = w.inFlight[at] as Send;
        if (step.kind === 'duplicate') {
          w.inFlight.push(message);
          return outcome(step, undefined, message, true);
        }
        w.inFlight.splice(at, 1);
        if (step.kind === 'drop') return outcome(step, undefined, message, true);
        const id = message.to;
        const state = w.peers[id] as PeerState;
        return input(
          w,
          step,
          id,
          logic.step(id, state, { type: 'deliver', message: message.message }),
          message,
        );
      }
      case 'restart': {
        const id = step.peer;
        if (w.peers[id] === undefined) return outcome(step, undefined, undefined, false);
        w.peers[id] = recover(id, durableOf(w, id));
        return outcome(step, id, undefined, true);
      }
      case 'timeout': {
        const id = group(step.group).proposer;
        const state = w.peers[id] as PeerState;
        return input(w, step, id, logic.step(id, state, { type: 'timeout', group: step.group }));
      }
      case 'start': {
        const id = group(step.group).proposer;
        if (!w.proposed.includes(step.value)) w.proposed = [...w.proposed, step.value];
        const state = w.peers[id] as PeerState;
        return input(
          w,
          step,
          id,
          logic.step(id, state, { type: 'start', value: step.value, group: step.group }),
        );
      }
    }
  };

  return { logic, cluster, peerIds, group, initial, clone: cloneWorld, durableOf, apply };
}

/**
 * Where in flight the step's message is: by index modulo their number (-1: none in
 * flight), or by content, which must be there.
 */
export function messageIndex(w: World, step: SimStep & { kind: MessageAction['kind'] }): number {
  if ('index' in step) return w.inFlight.length === 0 ? -1 : step.index % w.inFlight.length;
  const at = w.inFlight.findIndex((s) => sameSend(s, step.send));
  if (at < 0) throw new NotEnabled(`not in flight: ${step.kind} ${JSON.stringify(step.send)}`);
  return at;
}

/** Every message ever sent, oldest first. */
export function historyOf(world: World): Send[] {
  const out: Send[] = new Array(world.history?.length ?? 0);
  let i = out.length;
  for (let h = world.history; h; h = h.prev) out[--i] = h.send;
  return out;
}

/** Replays a list of steps from the initial world. */
export function replay(sim: Simulator, steps: readonly SimStep[]): { world: World; applied: Applied[] } {
  const world = sim.initial();
  const applied = steps.map((s) => sim.apply(world, s));
  return { world, applied };
}
