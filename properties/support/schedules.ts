/**
 * fast-check arbitraries for schedules: lists of simulator steps over a given cluster.
 *
 * - Long: hundreds of steps, with `size: 'max'` (fast-check's default size keeps arrays near
 *   ten elements, too short to reach the states where competing proposers collide).
 * - Mostly deliveries, in random order, with losses, duplicates, crashes, timeouts and
 *   (re)starts mixed in.
 * - Every proposer is started within the first few steps, as in the lab's testcase 2: when
 *   starts are spread at random, one proposer usually finishes before the next begins, and
 *   runs where two values are accepted at all drop from about 6% to under 1%.
 */
import fc from 'fast-check';
import type { GroupId, Value } from '../../machines/messages';
import { type ClusterConfig, takesPart } from '../../src/config/cluster';
import { defaultValues, defaultWeights, type SimStep, type StepWeights } from '../../src/sim';

export interface ScheduleOptions {
  maxLength?: number;
  weights?: Partial<StepWeights>;
  values?: Record<GroupId, Value>;
  /** Each proposer's first START goes at a position in [0, earlyStarts]. */
  earlyStarts?: number;
  /**
   * At most this many shrink candidates are tried (default 2,000), so a failure is reported
   * in bounded time (each candidate is a whole run) rather than after minutes of shrinking.
   */
  maxShrinks?: number;
}

function stepArb(cluster: ClusterConfig, options: ScheduleOptions = {}): fc.Arbitrary<SimStep> {
  const weights = { ...defaultWeights, ...options.weights };
  const values = options.values ?? defaultValues(cluster);
  const groups = cluster.groups.map((g) => g.id);
  const peers = cluster.peers.filter(takesPart).map((p) => p.id);
  const index = fc.nat();
  const arbs: fc.WeightedArbitrary<SimStep>[] = [
    { weight: weights.deliver, arbitrary: index.map((i) => ({ kind: 'deliver' as const, index: i })) },
    { weight: weights.drop, arbitrary: index.map((i) => ({ kind: 'drop' as const, index: i })) },
    { weight: weights.duplicate, arbitrary: index.map((i) => ({ kind: 'duplicate' as const, index: i })) },
  ];
  if (peers.length > 0)
    arbs.push({
      weight: weights.restart,
      arbitrary: fc.constantFrom(...peers).map((peer) => ({ kind: 'restart' as const, peer })),
    });
  if (groups.length > 0) {
    const group = fc.constantFrom(...groups);
    arbs.push(
      { weight: weights.timeout, arbitrary: group.map((g) => ({ kind: 'timeout' as const, group: g })) },
      {
        weight: weights.start,
        arbitrary: group.map((g) => ({ kind: 'start' as const, group: g, value: values[g] ?? `V${g}` })),
      },
    );
  }
  return fc.oneof(...arbs.filter((a) => a.weight > 0));
}

export function scheduleArb(cluster: ClusterConfig, options: ScheduleOptions = {}): fc.Arbitrary<SimStep[]> {
  const values = options.values ?? defaultValues(cluster);
  const groups = cluster.groups.map((g) => g.id);
  // Shrinking only removes steps (and moves starts earlier): shrinking each of hundreds of
  // steps in place costs minutes and buys little readability over a shorter schedule.
  // fast-check shortens an array by keeping its end, while what matters in a schedule is
  // its beginning (up to the failing step), so the generated array is read reversed.
  const steps = fc.array(fc.noShrink(stepArb(cluster, options)), {
    maxLength: options.maxLength ?? 500,
    size: 'max',
  });
  const starts = fc.array(fc.nat({ max: options.earlyStarts ?? 10 }), {
    minLength: groups.length,
    maxLength: groups.length,
  });
  const schedule = fc.tuple(steps, starts).map(([generated, positions]) => {
    const out = generated.slice().reverse();
    groups.forEach((group, i) => {
      const at = Math.min(positions[i] ?? 0, out.length);
      out.splice(at, 0, { kind: 'start', group, value: values[group] ?? `V${group}` });
    });
    return out;
  });
  return fc.limitShrink(schedule, options.maxShrinks ?? 2000);
}
