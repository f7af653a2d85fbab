/**
 * Random valid hostsfiles (test/support/clusters.ts, parsed by the real parser) with a
 * schedule drawn for each, for properties that must hold on any cluster a user could write.
 */
import fc from 'fast-check';
import { createPeerLogic } from '../../src/peer/node';
import { createSimulator, type SimStep, type Simulator } from '../../src/sim';
import { type GeneratedCluster, validClusterArb } from '../../test/support/clusters';
import { scheduleArb } from './schedules';

export interface ClusterRun {
  generated: GeneratedCluster;
  schedule: SimStep[];
  /** Which proposer runs alone first in the liveness phase. */
  first: number;
}

export const clusterRunArb: fc.Arbitrary<ClusterRun> = validClusterArb({ groupIdGaps: true }).chain(
  (generated) =>
    fc.record({
      generated: fc.constant(generated),
      schedule: scheduleArb(generated.cluster),
      first: fc.nat(),
    }),
);

const sims = new WeakMap<GeneratedCluster, Simulator>();
/** One simulator per generated cluster (shrinking re-runs the same cluster many times). */
export const simulatorFor = (generated: GeneratedCluster): Simulator => {
  let sim = sims.get(generated);
  if (!sim) {
    sim = createSimulator(createPeerLogic(generated.cluster));
    sims.set(generated, sim);
  }
  return sim;
};

export const describeCluster = (generated: GeneratedCluster): string =>
  `hostsfile:\n${generated.text
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}`;
