/**
 * A property is only trusted once it has failed: each seeded fault (faults.ts) must be caught
 * by the property it is listed under. Deterministic: fixed seeds and a bounded number of runs,
 * whatever FC_NUM_RUNS or FC_SEED say.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { faults } from './faults';
import { corruptedFails, linearizablePasses, realChecker } from './properties';

const SEEDS = [1, 2, 3];
const RUNS_PER_SEED = 300;

/** The first failure over the fixed seeds, if any. */
function hunt<Ts extends unknown[]>(property: fc.IProperty<Ts>): { seed: number; runs: number } | undefined {
  let runs = 0;
  for (const seed of SEEDS) {
    const d = fc.check(property, { seed, numRuns: RUNS_PER_SEED, path: undefined, endOnFailure: true });
    runs += d.numRuns;
    if (d.failed) return { seed, runs };
  }
  return undefined;
}

describe('the properties catch every seeded fault', () => {
  test.each(faults(realChecker).map((f) => [f.name, f] as const))('%s', (_, fault) => {
    const caught =
      fault.caughtBy === 'corrupted histories fail'
        ? hunt(corruptedFails(fault.checker))
        : hunt(linearizablePasses(fault.checker));
    expect(
      caught,
      `${fault.name} (${fault.description}) was not caught by "${fault.caughtBy}"`,
    ).toBeDefined();
    console.log(`${fault.name}: caught by "${fault.caughtBy}" at seed ${caught?.seed}, run ${caught?.runs}`);
  });
});
