/**
 * The checker's world (src/check/worlds/packedWorld.ts: ints, interned states, pruning, budgets)
 * is an encoding of the reference world (src/world/). This property walks the checker at
 * random and holds every world it meets to the reference, both ways:
 * - sound: each successor the checker generates is an action enabled in the reference, and
 *   leads to the reference's successor (the same peer states; the same messages, less those
 *   the checker pruned, each of which its addressee would ignore);
 * - complete: each action enabled in the reference that the checker's bounds allow (its
 *   round, duplication and crash budgets; messages it did not prune) is among its successors.
 */
import fc from 'fast-check';
import { roundNumber } from '../../../machines/proposalNumbers';
import { nextRoundNumber } from '../../../machines/proposer';
import { actionOfStep } from '../../../src/check/worlds/counterexample';
import { MachinesModel } from '../../../src/check/worlds/machinesModel';
import { type MachineCheckOptions, resolveOptions } from '../../../src/check/worlds/options';
import type { Visit, WorldModel } from '../../../src/check/worlds/packedWorld';
import { type LocalStep, peerStateKey } from '../../../src/check/worlds/peerTable';
import type { ClusterConfig } from '../../../src/config/cluster';
import { takesPart } from '../../../src/config/cluster';
import { createPeerLogic, type PeerLogic } from '../../../src/peer/node';
import { type Action, describeAction, sameAction } from '../../../src/world/action';
import { enabledActions } from '../../../src/world/enabled';
import { createSimulator, type Simulator, type World } from '../../../src/world/world';

/** A checker world seen from outside: peer keys by id and the messages as sorted keys. */
interface Seen {
  peers: Map<number, string>;
  messages: string[];
}

const sendKey = (s: { to: number; message: unknown }) => `${s.to}>${JSON.stringify(s.message)}`;

function seenInChecker(world: WorldModel, key: Int32Array, length: number): Seen {
  const peers = new Map<number, string>();
  world.slots.forEach((id, slot) => {
    const state = key[slot] as number;
    peers.set(id, peerStateKey(id, world.peers.states.value(state), world.peers.hasPrinted(state)));
  });
  const messages = world.messages(key, length).map((m) => sendKey(world.peers.send(m)));
  return { peers, messages: messages.sort() };
}

function seenInReference(sim: Simulator, w: World): Seen {
  const peers = new Map<number, string>();
  for (const p of sim.cluster.peers)
    if (takesPart(p))
      peers.set(p.id, peerStateKey(p.id, w.peers[p.id] as never, (w.printed[p.id]?.length ?? 0) > 0));
  return { peers, messages: w.inFlight.map(sendKey).sort() };
}

/** Whether delivering this message to its addressee now changes nothing and sends nothing. */
function ignored(logic: PeerLogic, w: World, key: string): boolean {
  const send = w.inFlight.find((s) => sendKey(s) === key);
  if (!send) return false;
  const before = w.peers[send.to] as never;
  const r = logic.step(send.to, before, { type: 'deliver', message: send.message });
  return r.sends.length === 0 && peerStateKey(0, r.state, false) === peerStateKey(0, before, false);
}

/** Why the checker's world differs from the reference's, or null when it encodes it. */
function difference(logic: PeerLogic, checker: Seen, ref: World, refSeen: Seen): string | null {
  for (const [id, k] of refSeen.peers)
    if (checker.peers.get(id) !== k) return `peer${id} is ${checker.peers.get(id)}, the reference ${k}`;
  const rest = [...refSeen.messages];
  for (const m of checker.messages) {
    const i = rest.indexOf(m);
    if (i < 0) return `the checker has ${m} in flight, the reference does not`;
    rest.splice(i, 1);
  }
  const live = rest.find((m) => !ignored(logic, ref, m));
  return live ? `the checker lost ${live}, which its addressee would still act on` : null;
}

interface Successor {
  action: Action;
  key: Int32Array;
  length: number;
}

function successorsOf(world: WorldModel, key: Int32Array, length: number): Successor[] {
  const out = new Int32Array(1 << 16);
  const all: Successor[] = [];
  const visit: Visit = (code, o, n) => {
    all.push({ action: actionOfStep(world, code), key: o.slice(0, n), length: n });
    return false;
  };
  world.successors(key, length, out, visit);
  return all;
}

/** Whether the checker must offer this reference action in this world, by its bounds. */
function required(world: WorldModel, sim: Simulator, w: World, seen: Seen, key: Int32Array, a: Action) {
  const options = world.options;
  switch (a.kind) {
    case 'deliver':
      return seen.messages.includes(sendKey(a.send));
    case 'drop':
      return options.drop && seen.messages.includes(sendKey(a.send));
    case 'duplicate':
      return (key[world.dups] as number) > 0 && seen.messages.includes(sendKey(a.send));
    case 'restart': {
      if ((key[world.crashes] as number) === 0) return false;
      const after = sim.clone(w);
      sim.apply(after, a);
      return seenInReference(sim, after).peers.get(a.peer) !== seen.peers.get(a.peer);
    }
    case 'start':
    case 'timeout': {
      const g = sim.group(a.group);
      const state = w.peers[g.proposer];
      const timer = state?.timers[a.group];
      if (a.kind === 'timeout' && timer?.kind === 'announce') return false;
      const last = roundNumber(a.group, sim.cluster.groupCount, options.maxRound);
      return state !== undefined && nextRoundNumber(state.proposers[a.group]?.context as never) <= last;
    }
  }
}

/** A seeded divergence: a change to the checker's successors the property must catch. */
type Corruption = (
  code: number,
  key: Int32Array,
  out: Int32Array,
  length: number,
  local: LocalStep | null,
) => { out: Int32Array; length: number } | 'skip' | null;

function corrupt(world: WorldModel, f: Corruption): void {
  const successors = world.successors.bind(world);
  world.successors = (key, length, out, visit) =>
    successors(key, length, out, (code, o, n, local) => {
      const c = f(code, key, o, n, local);
      if (c === 'skip') return false;
      return c ? visit(code, c.out, c.length, local) : visit(code, o, n, local);
    });
}

/** Why one world's steps differ between checker and reference, or null. */
function checkWorld(model: MachinesModel, sim: Simulator, w: World, key: Int32Array, length: number) {
  const world = model.world;
  const cluster = sim.cluster;
  const seen = seenInChecker(world, key, length);
  const base = difference(sim.logic, seen, w, seenInReference(sim, w));
  if (base) return { problem: base, next: [] as Successor[] };
  const next = successorsOf(world, key, length);
  const enabled = enabledActions(sim, w, (g) => world.options.values[g] as string);
  for (const s of next) {
    if (!enabled.some((a) => sameAction(a, s.action)))
      return { problem: `the checker takes ${describeAction(cluster, s.action)}, not enabled`, next };
    const after = sim.clone(w);
    sim.apply(after, s.action);
    const d = difference(
      sim.logic,
      seenInChecker(world, s.key, s.length),
      after,
      seenInReference(sim, after),
    );
    if (d) return { problem: `after ${describeAction(cluster, s.action)}: ${d}`, next };
  }
  for (const a of enabled)
    if (required(world, sim, w, seen, key, a) && !next.some((s) => sameAction(s.action, a)))
      return { problem: `the checker never takes ${describeAction(cluster, a)}`, next };
  return { problem: null, next };
}

export interface StepEqualityCase {
  options: MachineCheckOptions;
  corruption?: Corruption;
}

/** The property over random walks of up to `depth` steps; a failure names the world and the step. */
export function stepEquality({ options, corruption }: StepEqualityCase, depth = 40) {
  const walk = fc.array(fc.nat(), { minLength: depth / 2, maxLength: depth });
  return fc.property(walk, (choices) => {
    const model = new MachinesModel(resolveOptions(options), options.machines, () => null);
    if (corruption) corrupt(model.world, corruption);
    const sim = createSimulator(createPeerLogic(options.cluster, options.machines));
    let w = sim.initial();
    let key: Int32Array = new Int32Array(1 << 16);
    let length = model.world.initial(key);
    key = key.slice(0, length);
    const path: string[] = [];
    for (const choice of choices) {
      const { problem, next } = checkWorld(model, sim, w, key, length);
      if (problem) throw new Error(`after [${path.join('; ')}]: ${problem}`);
      const s = next[choice % Math.max(1, next.length)];
      if (!s) return;
      path.push(describeAction(sim.cluster, s.action));
      w = sim.clone(w);
      sim.apply(w, s.action);
      key = s.key;
      length = s.length;
    }
  });
}

export const bagWithFaults = (cluster: ClusterConfig): MachineCheckOptions => ({
  cluster,
  maxRound: 2,
  network: 'bag',
  faults: ['drop', 'dup', 'crash'],
  maxDups: 1,
  maxCrashes: 1,
  refinement: false,
});
