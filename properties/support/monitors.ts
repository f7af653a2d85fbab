/**
 * The safety properties, each a monitor that watches a simulated run step by step and says
 * what went wrong at the first step that breaks it. They read the world (peer states, ghost
 * history, printed lines) and never re-implement the protocol: "chosen" is the ground truth
 * of src/sim/groundTruth.ts (a majority of a group's acceptors sent an acceptance of one
 * proposal number), acceptor state is read from the real acceptor's snapshot, and the
 * spec is reached through spec/refinement.ts.
 */
import type { AcceptorDurable } from '../../machines/acceptor';
import { majority, type PeerId } from '../../machines/messages';
import type { SpecParams, SpecState } from '../../spec/paxos';
import { SpecMessageLog, specActionBetween, specParamsFor } from '../../spec/refinement';
import type { Chosen, GroundTruth } from '../../src/sim/groundTruth';
import { describeMessage } from '../../src/sim/runText';
import type { Applied, Simulator, World } from '../../src/world/world';

export type PropertyName =
  | 'Agreement'
  | 'Validity'
  | 'Stability'
  | 'AcceptorMonotonicity'
  | 'LearnerIntegrity'
  | 'Refinement'
  | 'WireValid'
  | 'Liveness';

/** What a monitor sees after each step. */
interface Observation {
  world: World;
  applied: Applied;
  /** The ground truth after this step. */
  truth: GroundTruth;
  /** What this step made chosen (so "chosen before this step" is `truth` minus `fresh`). */
  fresh: readonly Chosen[];
}

/** Watches one run: a description of the violation, or undefined when the step is fine. */
type Monitor = (o: Observation) => string | undefined;

/** Makes a fresh monitor per run; `property` names what it checks. */
export interface MonitorFactory {
  readonly property: PropertyName;
  (sim: Simulator): Monitor;
}

const monitor = (property: PropertyName, make: (sim: Simulator) => Monitor): MonitorFactory =>
  Object.assign((sim: Simulator) => make(sim), { property });

const show = (c: { n: number; value: string }) => `(n=${c.n}, ${c.value})`;

/** No two peers print chose with different values, and the ground truth never holds two values. */
const agreement = monitor('Agreement', (sim) => {
  let printed: { peer: PeerId; value: string } | undefined;
  return ({ applied, truth, fresh }) => {
    if (applied.learned && applied.peer !== undefined) {
      if (printed && printed.value !== applied.learned.value)
        return `peer${applied.peer} printed chose ${applied.learned.value}, but peer${printed.peer} printed chose ${printed.value}`;
      printed ??= { peer: applied.peer, value: applied.learned.value };
    }
    for (const c of fresh) {
      const other = truth.chosen.find((d) => d.value !== c.value);
      if (other)
        return `two values chosen: ${show(other)} by group ${other.group} and ${show(c)} by group ${c.group} (${sim.cluster.source})`;
    }
    return undefined;
  };
});

/** A chosen or printed value was given to some proposer by a START. */
const validity = monitor('Validity', () => ({ world, applied, fresh }) => {
  if (applied.learned && !world.proposed.includes(applied.learned.value))
    return `peer${applied.peer} printed chose ${JSON.stringify(applied.learned.value)}, which no START proposed (proposed: ${world.proposed.join(', ')})`;
  for (const c of fresh)
    if (!world.proposed.includes(c.value))
      return `${show(c)} is chosen, but no START proposed ${JSON.stringify(c.value)}`;
  return undefined;
});

/**
 * Once (n, v) is chosen by group K, a majority of K's acceptors hold v under a number >= n
 * in every later state: the acceptors' own state keeps the decision (a restart included).
 */
const stability = monitor('Stability', (sim) => {
  const holds = (world: World, c: Chosen): number => {
    let count = 0;
    for (const a of sim.group(c.group).acceptors) {
      const ctx = world.peers[a]?.acceptor?.context;
      if (ctx && ctx.acceptedProposal >= c.n && ctx.acceptedValue === c.value) count++;
    }
    return count;
  };
  return ({ world, applied, truth }) => {
    // Only a step that touched an acceptor can change what acceptors hold.
    if (applied.peer === undefined || !world.peers[applied.peer]?.acceptor) return undefined;
    for (const c of truth.chosen) {
      const acceptors = sim.group(c.group).acceptors.length;
      const count = holds(world, c);
      if (count < majority(acceptors))
        return `${show(c)} was chosen by group ${c.group}, but now only ${count} of its ${acceptors} acceptors hold it`;
    }
    return undefined;
  };
});

const durableText = (d: unknown) => JSON.stringify(d ?? null);

/**
 * An acceptor's minProposal and acceptedProposal never decrease and acceptedProposal <=
 * minProposal; a restart recovers exactly what the peer had on stable storage.
 */
const acceptorMonotonicity = monitor('AcceptorMonotonicity', (sim) => {
  const last = new Map<PeerId, { minProposal: number; acceptedProposal: number }>();
  const stored = new Map<PeerId, unknown>();
  return ({ world, applied }) => {
    const id = applied.peer;
    if (id === undefined) return undefined;
    if (applied.step.kind === 'restart') {
      const before = stored.get(id);
      const after = sim.durableOf(world, id);
      if (before !== undefined && durableText(before) !== durableText(after))
        return `peer${id} restarted with ${durableText(after)}, but had ${durableText(before)} on stable storage`;
    }
    stored.set(id, sim.durableOf(world, id));
    const ctx = world.peers[id]?.acceptor?.context;
    if (!ctx) return undefined;
    const prev = last.get(id);
    last.set(id, { minProposal: ctx.minProposal, acceptedProposal: ctx.acceptedProposal });
    if (ctx.acceptedProposal > ctx.minProposal)
      return `peer${id} accepted ${ctx.acceptedProposal} above its promise ${ctx.minProposal}`;
    if (prev && ctx.minProposal < prev.minProposal)
      return `peer${id}'s minProposal went down from ${prev.minProposal} to ${ctx.minProposal}`;
    if (prev && ctx.acceptedProposal < prev.acceptedProposal)
      return `peer${id}'s acceptedProposal went down from ${prev.acceptedProposal} to ${ctx.acceptedProposal}`;
    return undefined;
  };
});

/** Each peer prints chose at most once, and only a (n, value) the ground truth had chosen before. */
const learnerIntegrity = monitor('LearnerIntegrity', () => ({ world, applied, truth, fresh }) => {
  const id = applied.peer;
  const learned = applied.learned;
  if (id === undefined || !learned) return undefined;
  const lines = world.printed[id] ?? [];
  if (lines.length > 1)
    return `peer${id} printed chose ${lines.length} times: ${lines.map((l) => show(l)).join(', ')}`;
  const before =
    truth.isChosen(learned.n, learned.value) &&
    !fresh.some((c) => c.n === learned.n && c.value === learned.value);
  if (!before) return `peer${id} printed chose ${show(learned)} before a majority accepted it`;
  return undefined;
});

/**
 * Every step maps, through spec/refinement.ts, to one action of the spec's Next or to a
 * stutter. The spec state is the acceptors' durable state (a crashed acceptor counts as
 * what it would recover) and every message sent so far; the spec's Values are the values
 * STARTs proposed, and ballots are unbounded.
 */
const refinement = monitor('Refinement', (sim) => {
  const base = specParamsFor(sim.cluster, [], Number.MAX_SAFE_INTEGER);
  let params: SpecParams = base;
  let proposed: readonly string[] = [];
  const log = new SpecMessageLog();
  const acceptors = new Map<PeerId, AcceptorDurable>();
  for (const id of base.acceptors) {
    const d = sim.logic.durable(sim.logic.init(id)).acceptor;
    if (d) acceptors.set(id, d);
  }
  let before: SpecState = log.state(params, acceptors);
  return ({ world, applied }) => {
    if (world.proposed !== proposed) {
      proposed = world.proposed;
      params = { ...base, values: [...proposed] };
    }
    const id = applied.peer;
    const d = id === undefined || !acceptors.has(id) ? undefined : sim.durableOf(world, id).acceptor;
    if (id !== undefined && d && acceptors.has(id)) acceptors.set(id, d);
    for (const s of applied.sends) log.add(s.message);
    const after = log.state(params, acceptors);
    const action = specActionBetween(params, before, after);
    before = after;
    if (action !== null) return undefined;
    const sent = [...new Set(applied.sends.map((x) => describeMessage(x.message)))].join(', ');
    const did = [
      sent ? `sent ${sent}` : '',
      d && acceptors.has(id ?? 0) ? `left its acceptor at ${JSON.stringify(d)}` : '',
    ].filter((x) => x);
    const who = id === undefined ? 'the step' : `peer${id}'s step`;
    return `${who}${did.length > 0 ? ` (${did.join('; ')})` : ''} maps to no action of the spec's Next and is not a stutter`;
  };
});

/** Every message a machine emits is one the runtime's codec accepts at its destination. */
const wireValid = monitor('WireValid', () => ({ applied }) => {
  const r = applied.refused[0];
  return r
    ? `peer${r.send.message.from} sent peer${r.send.to} ${describeMessage(r.send.message)}, which the wire refuses: ${r.problem}`
    : undefined;
});

export const safetyMonitors: readonly MonitorFactory[] = [
  agreement,
  validity,
  stability,
  acceptorMonotonicity,
  learnerIntegrity,
  refinement,
  wireValid,
];

export const monitorsByProperty: ReadonlyMap<PropertyName, MonitorFactory> = new Map(
  safetyMonitors.map((m) => [m.property, m]),
);
