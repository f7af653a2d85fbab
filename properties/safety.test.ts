/**
 * Safety on random schedules: whatever the network does (reorders, loses, duplicates),
 * whenever peers crash and restart and timers fire, Agreement, Validity, Stability, acceptor
 * monotonicity and learner integrity hold at every step. The real machines, wired by
 * src/peer/node.ts, run in the simulator.
 */
import fc from 'fast-check';
import { describe, test } from 'vitest';
import { createPeerLogic } from '../src/peer/node';
import { createSimulator, namedClusters, type SimStep } from '../src/sim';
import { timeoutFor } from './support/budget';
import { assertProperty, check, renderFailure } from './support/harness';
import { safetyMonitors } from './support/monitors';
import { type ClusterRun, clusterRunArb, describeCluster, simulatorFor } from './support/randomClusters';
import { scheduleArb } from './support/schedules';

describe(`safety (${safetyMonitors.map((m) => m.property).join(', ')})`, () => {
  test.each(namedClusters.map((c) => [c.source, c] as const))(
    '%s',
    (_, cluster) => {
      const sim = createSimulator(createPeerLogic(cluster));
      const run = (schedule: readonly SimStep[]) => check(sim, schedule, { stopAtFirst: true });
      assertProperty(
        fc.property(scheduleArb(cluster), (schedule) => run(schedule).violations.length === 0),
        ([schedule]) => renderFailure(sim, run(schedule)),
      );
    },
    timeoutFor(40),
  );

  test(
    'random valid hostsfiles',
    () => {
      const run = (r: ClusterRun) => check(simulatorFor(r.generated), r.schedule, { stopAtFirst: true });
      assertProperty(
        fc.property(clusterRunArb, (r) => run(r).violations.length === 0),
        ([r]) => `${describeCluster(r.generated)}\n${renderFailure(simulatorFor(r.generated), run(r))}`,
      );
    },
    timeoutFor(40),
  );
});
