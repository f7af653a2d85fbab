/**
 * Liveness: from whatever state a random schedule reaches (losses, duplicates, crashes,
 * duelling proposers), once the network stops losing messages and one proposer at a time
 * runs alone (its timer firing whenever nothing is in flight, messages delivered first in
 * first out), every peer of its group prints chose within LIVENESS_MAX_TIMEOUTS of its
 * timeouts; after each proposer's turn, every peer of every group has printed. Lost chose
 * messages are repaired by a decided proposer's TIMEOUT, which repeats the announcement.
 * The safety monitors keep watching through the whole run.
 */
import fc from 'fast-check';
import { describe, test } from 'vitest';
import { createPeerLogic } from '../src/peer/node';
import { createSimulator, namedClusters, type SimStep } from '../src/sim';
import { timeoutFor } from './support/budget';
import { assertProperty, check, LIVENESS_MAX_TIMEOUTS, renderFailure } from './support/harness';
import { type ClusterRun, clusterRunArb, describeCluster, simulatorFor } from './support/randomClusters';
import { scheduleArb } from './support/schedules';

describe(`liveness: a proposer alone decides within ${LIVENESS_MAX_TIMEOUTS} timeouts, and every peer prints chose`, () => {
  test.each(namedClusters.map((c) => [c.source, c] as const))(
    '%s',
    (_, cluster) => {
      const sim = createSimulator(createPeerLogic(cluster));
      const run = (schedule: readonly SimStep[], first: number) =>
        check(sim, schedule, { stopAtFirst: true, liveness: { first } });
      assertProperty(
        fc.property(
          scheduleArb(cluster),
          fc.nat(),
          (schedule, first) => run(schedule, first).violations.length === 0,
        ),
        ([schedule, first]) => renderFailure(sim, run(schedule, first)),
      );
    },
    timeoutFor(60),
  );

  test(
    'random valid hostsfiles',
    () => {
      const run = (r: ClusterRun) =>
        check(simulatorFor(r.generated), r.schedule, { stopAtFirst: true, liveness: { first: r.first } });
      assertProperty(
        fc.property(clusterRunArb, (r) => run(r).violations.length === 0),
        ([r]) => `${describeCluster(r.generated)}\n${renderFailure(simulatorFor(r.generated), run(r))}`,
      );
    },
    timeoutFor(60),
  );
});
