/**
 * Random schedules from a seed: which message is delivered, lost or duplicated, which peer
 * crashes, whose timer fires. The run is a function of (cluster, seed, options), and the
 * steps it returns (indices resolved) replay it exactly.
 */
import type { GroupId, Value } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';
import type { Applied, SimStep, Simulator, StepKind, World } from '../world/world';
import { mulberry32 } from './prng';

export type StepWeights = Record<StepKind, number>;

/** Mostly deliveries, so rounds complete; enough of the rest to reach odd corners. */
export const defaultWeights: StepWeights = {
  deliver: 70,
  drop: 4,
  duplicate: 4,
  restart: 2,
  timeout: 8,
  start: 4,
};

/** The lab's naming: group 1 proposes X, group 2 Y, then Z, W, ... */
export function defaultValues(cluster: ClusterConfig): Record<GroupId, Value> {
  const letters = ['X', 'Y', 'Z', 'W', 'V', 'U', 'T', 'S'];
  return Object.fromEntries(cluster.groups.map((g, i) => [g.id, letters[i] ?? `V${g.id}`]));
}

export interface RandomRunOptions {
  steps: number;
  weights?: Partial<StepWeights>;
  /** The value each group's proposer is started with; defaults to defaultValues. */
  values?: Record<GroupId, Value>;
  /**
   * Each proposer's first START comes at a random step in [0, earlyStarts] (default 10), so
   * proposers compete as in the lab's testcase 2 instead of mostly running one after another.
   */
  earlyStarts?: number;
}

export interface Run {
  seed: number;
  world: World;
  /** The steps as applied (deliver/drop/duplicate indices within range): replay them to get the same run. */
  steps: SimStep[];
  applied: Applied[];
}

export function randomRun(sim: Simulator, seed: number, options: RandomRunOptions): Run {
  const rng = mulberry32(seed);
  const weights = { ...defaultWeights, ...options.weights };
  const values = options.values ?? defaultValues(sim.cluster);
  const kinds = Object.keys(weights) as StepKind[];
  const total = kinds.reduce((sum, k) => sum + weights[k], 0);
  const groups = sim.cluster.groups.map((g) => g.id);
  const restartable = sim.cluster.peers
    .filter((p) => p.proposer.length + p.acceptor.length + p.learner.length > 0)
    .map((p) => p.id);
  const world = sim.initial();
  const steps: SimStep[] = [];
  const applied: Applied[] = [];

  const kindAt = (x: number): StepKind => {
    for (const k of kinds) {
      x -= weights[k];
      if (x < 0) return k;
    }
    return 'deliver';
  };
  const next = (): SimStep | undefined => {
    const kind = kindAt(rng.next() * total);
    const inFlight = world.inFlight.length;
    switch (kind) {
      case 'deliver':
      case 'drop':
      case 'duplicate':
        return inFlight === 0 ? undefined : { kind, index: rng.below(inFlight) };
      case 'restart':
        return restartable.length === 0 ? undefined : { kind, peer: rng.pick(restartable) };
      case 'timeout': {
        // Only a proposer with a timer armed can time out (machines/timers.ts).
        const armed = groups.filter((g) => world.peers[sim.group(g).proposer]?.timers[g] !== undefined);
        return armed.length === 0 ? undefined : { kind, group: rng.pick(armed) };
      }
      case 'start': {
        // Only a proposer that would take it: the lab starts each one once per process.
        const startable = groups.filter((g) =>
          world.peers[sim.group(g).proposer]?.proposers[g]?.can({ type: 'START', value: '' }),
        );
        if (startable.length === 0) return undefined;
        const group = rng.pick(startable);
        return { kind, group, value: values[group] ?? `V${group}` };
      }
    }
  };

  const take = (step: SimStep) => {
    steps.push(step);
    applied.push(sim.apply(world, step));
  };
  const early = options.earlyStarts ?? 10;
  const startAt = groups.map((group) => ({ group, at: rng.below(early + 1) }));
  // A draw that cannot apply (nothing in flight) is drawn again, so `steps` counts real steps;
  // the bound keeps a cluster with nothing to do from spinning.
  for (let tries = 0; steps.length < options.steps && tries < options.steps * 20; tries++) {
    const due = startAt.find((s) => s.at <= steps.length);
    if (due) {
      startAt.splice(startAt.indexOf(due), 1);
      take({ kind: 'start', group: due.group, value: values[due.group] ?? `V${due.group}` });
      continue;
    }
    const step = next();
    if (step) take(step);
  }
  return { seed, world, steps, applied };
}
