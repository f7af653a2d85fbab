/**
 * A property is only trusted once it has failed: each seeded fault (properties/faults/) must
 * be caught by the suite (the safety monitors through a random schedule, then the liveness
 * phase), and by the one property it is listed under, on its own. Deterministic: a fixed
 * list of seeds and a bounded number of runs per seed, whatever FC_NUM_RUNS or FC_SEED say.
 * Prints which properties caught each fault, on the shrunk counterexample.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { createSimulator, type SimStep, type Simulator } from '../src/sim';
import { type Fault, faults } from './faults';
import { check, renderFailure } from './support/harness';
import { type MonitorFactory, monitorsByProperty, safetyMonitors } from './support/monitors';
import { scheduleArb } from './support/schedules';

const SEEDS = [1, 2, 3];
const RUNS_PER_SEED = 300;

interface Found {
  seed: number;
  /** Runs until the first failure, over all seeds tried. */
  runs: number;
  schedule: SimStep[];
  first: number;
}

/** The first failure over the fixed seeds, shrunk when asked. */
function hunt(
  sim: Simulator,
  fault: Fault,
  monitors: readonly MonitorFactory[],
  fails: (properties: string[]) => boolean,
  shrink: boolean,
): Found | undefined {
  let runs = 0;
  for (const seed of SEEDS) {
    const details = fc.check(
      fc.property(
        scheduleArb(fault.cluster, { maxShrinks: 300 }),
        fc.nat(),
        (schedule, first) =>
          !fails(
            check(sim, schedule, { monitors, stopAtFirst: true, liveness: { first } }).violations.map(
              (v) => v.property,
            ),
          ),
      ),
      { seed, numRuns: RUNS_PER_SEED, path: undefined, endOnFailure: !shrink },
    );
    if (details.failed && details.counterexample) {
      const [schedule, first] = details.counterexample;
      return { seed, runs: runs + details.numRuns, schedule, first };
    }
    runs += details.numRuns;
  }
  return undefined;
}

interface Row {
  fault: string;
  caughtBy: string;
  suite: string;
  seed: number;
  runs: number;
  steps: number;
}
const rows: Row[] = [];

describe('the suite catches every seeded fault', () => {
  afterAll(() => {
    const lines = rows.map(
      (r) => `| ${r.fault} | ${r.caughtBy} | ${r.suite} | seed ${r.seed}, run ${r.runs} | ${r.steps} |`,
    );
    console.log(
      [
        '| fault | caught on its own by | caught by the suite (shrunk counterexample) | found at | schedule steps |',
        '|---|---|---|---|---|',
        ...lines,
      ].join('\n'),
    );
  });

  test('every property is the one that catches some fault on its own (a property is trusted once it has failed)', () => {
    const properties = [...safetyMonitors.map((m) => m.property), 'Liveness'];
    expect(properties.filter((p) => !faults.some((f) => f.caughtBy === p))).toEqual([]);
  });

  test.each(faults.map((f) => [f.name, f] as const))('%s', (_, fault) => {
    const sim = createSimulator(fault.logic(fault.cluster));
    const found = hunt(sim, fault, safetyMonitors, (ps) => ps.length > 0, true);
    expect(found, `${fault.name} escaped ${SEEDS.length} x ${RUNS_PER_SEED} runs`).toBeDefined();
    if (!found) return;
    const caught = check(sim, found.schedule, { liveness: { first: found.first } });
    expect(caught.violations.length, renderFailure(sim, caught)).toBeGreaterThan(0);

    const own = monitorsByProperty.get(fault.caughtBy);
    const alone = hunt(sim, fault, own ? [own] : [], (ps) => ps.includes(fault.caughtBy), false);
    expect(alone, `${fault.caughtBy} alone missed ${fault.name}`).toBeDefined();

    rows.push({
      fault: fault.name,
      caughtBy: fault.caughtBy,
      suite: caught.violations.map((v) => `${v.property} (step ${v.step})`).join(', '),
      seed: found.seed,
      runs: found.runs,
      steps: found.schedule.length,
    });
  });
});
