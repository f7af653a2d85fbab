/**
 * The simulated world of register peers: the lab's world (src/world/world.ts) for peers that
 * serve many keys to clients. A sibling rather than a generalisation: the lab's world keeps
 * ghost state of one decision (chose lines, proposed values) and checks every message
 * against the lab's wire codec, which knows no keys; making it generic would put a layer
 * under the lab's hot path for nothing it needs. Message steps have the same shape as the
 * lab's (`{kind, index}`, the index taken modulo the messages in flight), so a schedule
 * reads the same.
 *
 * Clients are what the world adds: each talks to one peer, has at most one operation
 * outstanding, and every event it sees goes into a history in interface.md's form. A
 * client whose peer crashes, or whose operation ends uncertain, records `info` and goes on
 * as a new process, as Jepsen does: the old operation may still take effect at any time.
 */
import type { PeerId } from '../../machines/messages';
import type { Operation, RegisterState } from '../../machines/register';
import { type CheckOptions, type CheckResult, checkHistory, readHistory } from '../linearizability';
import { registers } from '../linearizability/models/registers';
import type { MessageAction } from '../world/action';
import type { Completion, KeyedSend, RegisterPeerLogic, RegisterPeerState, RegisterPeerStep } from './peer';

export type RegisterStep =
  | { kind: MessageAction['kind']; index: number }
  /** Client `client` asks its peer for `operation` on `key`; nothing if it is still waiting. */
  | { kind: 'invoke'; client: number; key: string; operation: Operation }
  /** The `index`-th armed timer (modulo their number, in peer then key order) fires. */
  | { kind: 'timeout'; index: number }
  /** Crash and restart a peer from its stable storage; its clients learn nothing of their operations. */
  | { kind: 'restart'; peer: PeerId };

/** One line of the history (interface.md; src/linearizability/README.md, model `registers`). */
interface HistoryEvent {
  process: number;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: Operation['kind'];
  key: string;
  value: unknown;
}

interface Client {
  peer: PeerId;
  /** Bumped after every `info`, so a process never has two operations open. */
  generation: number;
  /** The request outstanding, if any. */
  pending: { id: number; f: Operation['kind']; key: string } | null;
}

export interface RegisterWorld {
  peers: RegisterPeerState[];
  inFlight: KeyedSend[];
  clients: Client[];
  history: HistoryEvent[];
  nextRequest: number;
  time: number;
}

export interface RegisterSimulator {
  readonly logic: RegisterPeerLogic;
  initial(): RegisterWorld;
  /** Applies one step in place; false when it did nothing. */
  apply(world: RegisterWorld, step: RegisterStep): boolean;
}

/** Which peer each client talks to. */
export interface RegisterWorldConfig {
  clients: readonly PeerId[];
}

const invokeValue = (operation: Operation): unknown => {
  switch (operation.kind) {
    case 'get':
      return null;
    case 'put':
      return operation.ifVersion === undefined
        ? { value: operation.value }
        : { value: operation.value, ifVersion: operation.ifVersion };
    case 'delete':
      return operation.ifVersion === undefined ? null : { ifVersion: operation.ifVersion };
  }
};

const stateValue = (s: RegisterState) => ({ value: s.value, version: s.version });

const processOf = (w: RegisterWorld, c: number) => c + w.clients.length * (w.clients[c] as Client).generation;

/** The client's outstanding operation ends with `type`; `info` moves it to a new process. */
function complete(w: RegisterWorld, c: number, type: 'ok' | 'fail' | 'info', value: unknown) {
  const client = w.clients[c] as Client;
  if (!client.pending) return;
  const { f, key } = client.pending;
  w.history.push({ process: processOf(w, c), type, f, key, value });
  client.pending = null;
  if (type === 'info') client.generation++;
}

function record(w: RegisterWorld, done: Completion) {
  const c = w.clients.findIndex((x) => x.pending?.id === done.request.id);
  if (c < 0) return;
  // The world cancels nothing; an expired request would be unknown too.
  if (done.outcome === 'uncertain' || done.outcome === 'expired') complete(w, c, 'info', null);
  else complete(w, c, done.outcome === 'ok' ? 'ok' : 'fail', stateValue(done.state));
}

/** Every armed timer, in peer then key order: what a timeout step's index picks from. */
function armedTimers(w: RegisterWorld): { peer: PeerId; key: string }[] {
  const out: { peer: PeerId; key: string }[] = [];
  w.peers.forEach((p, peer) => {
    for (const key of Object.keys(p.timers).sort()) out.push({ peer, key });
  });
  return out;
}

export function createRegisterSimulator(
  logic: RegisterPeerLogic,
  config: RegisterWorldConfig,
): RegisterSimulator {
  const peerIds = [...logic.config.peers];
  let initialPeers: RegisterPeerState[] | undefined;

  const initial = (): RegisterWorld => {
    if (!initialPeers) {
      initialPeers = new Array(Math.max(0, ...peerIds) + 1);
      for (const id of peerIds) initialPeers[id] = logic.init(id);
    }
    const clients = config.clients.map((peer) => ({ peer, generation: 0, pending: null }));
    return { peers: initialPeers.slice(), inFlight: [], clients, history: [], nextRequest: 0, time: 0 };
  };

  const take = (w: RegisterWorld, id: PeerId, r: RegisterPeerStep): boolean => {
    w.peers[id] = r.state;
    w.inFlight.push(...r.sends);
    for (const done of r.completed) record(w, done);
    return r.handled;
  };

  const invoke = (w: RegisterWorld, step: RegisterStep & { kind: 'invoke' }): boolean => {
    const client = w.clients[step.client];
    if (!client || client.pending) return false;
    const id = w.nextRequest++;
    client.pending = { id, f: step.operation.kind, key: step.key };
    w.history.push({
      process: processOf(w, step.client),
      type: 'invoke',
      f: step.operation.kind,
      key: step.key,
      value: invokeValue(step.operation),
    });
    const request = { id, key: step.key, operation: step.operation };
    const state = w.peers[client.peer] as RegisterPeerState;
    return take(w, client.peer, logic.step(client.peer, state, { type: 'invoke', request }));
  };

  const restart = (w: RegisterWorld, peer: PeerId): boolean => {
    const state = w.peers[peer];
    if (!state) return false;
    w.peers[peer] = logic.init(peer, logic.durable(state));
    w.clients.forEach((client, c) => {
      if (client.peer === peer) complete(w, c, 'info', null);
    });
    return true;
  };

  const apply = (w: RegisterWorld, step: RegisterStep): boolean => {
    w.time++;
    switch (step.kind) {
      case 'deliver':
      case 'drop':
      case 'duplicate': {
        if (w.inFlight.length === 0) return false;
        const at = step.index % w.inFlight.length;
        const send = w.inFlight[at] as KeyedSend;
        if (step.kind === 'duplicate') {
          w.inFlight.push(send);
          return true;
        }
        w.inFlight.splice(at, 1);
        if (step.kind === 'drop') return true;
        const state = w.peers[send.to] as RegisterPeerState;
        const input = { type: 'deliver' as const, key: send.key, message: send.message };
        return take(w, send.to, logic.step(send.to, state, input));
      }
      case 'timeout': {
        const armed = armedTimers(w);
        const t = armed[step.index % Math.max(1, armed.length)];
        if (!t) return false;
        const state = w.peers[t.peer] as RegisterPeerState;
        return take(w, t.peer, logic.step(t.peer, state, { type: 'timeout', key: t.key }));
      }
      case 'invoke':
        return invoke(w, step);
      case 'restart':
        return restart(w, step.peer);
    }
  };

  return { logic, initial, apply };
}

/**
 * Lets the world calm down: every message delivered in order, then the first armed timer
 * fired, until nothing is left or `maxSteps` ran out. Operations still open stay open (the
 * checker takes them as unknown); the point is that most finish and so can be checked.
 */
export function settle(sim: RegisterSimulator, w: RegisterWorld, maxSteps: number): void {
  for (let i = 0; i < maxSteps; i++) {
    if (w.inFlight.length > 0) sim.apply(w, { kind: 'deliver', index: 0 });
    else if (armedTimers(w).length > 0) sim.apply(w, { kind: 'timeout', index: 0 });
    else return;
  }
}

/** The history as interface.md's JSON lines. */
export const historyText = (w: RegisterWorld): string => w.history.map((e) => JSON.stringify(e)).join('\n');

/** The world's history checked against the `registers` model (src/linearizability). */
export function checkWorld(w: RegisterWorld, options: CheckOptions = {}): CheckResult {
  return checkHistory(readHistory('simulated history', historyText(w)), registers, options);
}
