/**
 * The schedules must reach the states where Paxos can go wrong, or the properties pass for
 * want of trying. Over a fixed sample of generated schedules (run with the real machines),
 * count how often the interesting situations occur and hold each above a floor: a value
 * chosen during the schedule, two values accepted by acceptors (proposers really compete),
 * a proposer whose promises report two different accepted values (the case slide 46 is
 * about), retries with higher numbers, an acceptor restarted after promising.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createPeerLogic } from '../src/peer/node';
import { createSimulator, historyOf, testcase2, threeProposersThreeAcceptors } from '../src/sim';
import { check } from './support/harness';
import { scheduleArb } from './support/schedules';

const SAMPLES = 300;

function measure(cluster: typeof testcase2) {
  const sim = createSimulator(createPeerLogic(cluster));
  const schedules = fc.sample(scheduleArb(cluster), { seed: 2024, numRuns: SAMPLES });
  const counts = { chosen: 0, twoValuesAccepted: 0, mixedPromises: 0, retried: 0, acceptorRestarted: 0 };
  for (const schedule of schedules) {
    const { world, applied } = check(sim, schedule, { monitors: [] });
    const sent = historyOf(world).map((s) => s.message);
    if (world.printed.some((lines) => lines.length > 0)) counts.chosen++;
    const accepted = new Set(
      sent.flatMap((m) => (m.type === 'accept_ack' && m.minProposal === m.n ? [m.value] : [])),
    );
    if (accepted.size > 1) counts.twoValuesAccepted++;
    const reported = new Map<string, Set<string | null>>();
    for (const m of sent) {
      if (m.type !== 'prepare_ack' || !m.promised || m.acceptedProposal === 0) continue;
      const round = `${m.group}:${m.n}`;
      reported.set(round, (reported.get(round) ?? new Set()).add(m.acceptedValue));
    }
    if ([...reported.values()].some((values) => values.size > 1)) counts.mixedPromises++;
    if (sent.some((m) => m.type === 'prepare' && m.n > 2 * cluster.groupCount)) counts.retried++;
    const promised = new Set<number>();
    let restarted = false;
    for (const a of applied) {
      if (a.peer === undefined) continue;
      if (a.step.kind === 'restart' && promised.has(a.peer)) restarted = true;
      if (a.sends.some((s) => s.message.type === 'prepare_ack' && s.message.promised)) promised.add(a.peer);
    }
    if (restarted) counts.acceptorRestarted++;
  }
  return counts;
}

describe(`generated schedules reach deep states (${SAMPLES} fixed samples)`, () => {
  test.each([testcase2, threeProposersThreeAcceptors].map((c) => [c.source, c] as const))(
    '%s',
    (_, cluster) => {
      const counts = measure(cluster);
      const share = (n: number) => n / SAMPLES;
      expect(share(counts.chosen), JSON.stringify(counts)).toBeGreaterThan(0.5);
      expect(share(counts.twoValuesAccepted), JSON.stringify(counts)).toBeGreaterThan(0.02);
      expect(counts.mixedPromises, JSON.stringify(counts)).toBeGreaterThan(0);
      expect(share(counts.retried), JSON.stringify(counts)).toBeGreaterThan(0.5);
      expect(share(counts.acceptorRestarted), JSON.stringify(counts)).toBeGreaterThan(0.5);
    },
  );
});
