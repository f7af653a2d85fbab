/**
 * Registers in the simulator: several clients run random gets, puts, puts-if-version and
 * deletes on a few keys of 3-5 peers whose rounds and acceptors are the real machines,
 * under drops, duplicates, any delivery order and crash-restarts of any peer; every history
 * must be linearizable under the `registers` model. An UNKNOWN check fails the run.
 *
 * The seed is printed; FC_SEED replays it, FC_NUM_RUNS deepens the search. Each seeded
 * fault (properties/registers/faults.ts) must be caught by the same property within a
 * fixed number of runs from fixed seeds, whatever FC_NUM_RUNS says.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createRegisterPeerLogic } from '../src/registers/peer';
import { historyText } from '../src/registers/world';
import { registerFaults } from './registers/faults';
import { linearizable, runScenario, type Scenario, scenarioArb } from './registers/scenario';
import { timeoutFor } from './support/budget';

const FAULT_SEEDS = [1, 2, 3, 4, 5];
const FAULT_RUNS_PER_SEED = 2500;

const seedToUse = (): number => fc.readConfigureGlobal().seed ?? (Date.now() ^ (Math.random() * 2 ** 31)) | 0;

function explain(makeLogic: Parameters<typeof runScenario>[0], s: Scenario): string {
  const { world, result } = runScenario(makeLogic, s);
  const op = result.failure?.operation.text ?? result.unknown ?? '';
  return `${result.verdict}: ${op}\nhistory:\n${historyText(world)}`;
}

describe('registers in the simulator', () => {
  test(
    'every history of the real machines is linearizable',
    () => {
      const seed = seedToUse();
      console.log(`registers property: seed ${seed} (FC_SEED=${seed} replays)`);
      const details = fc.check(
        fc.property(scenarioArb, (s) => linearizable(createRegisterPeerLogic, s)),
        { seed },
      );
      if (details.failed) {
        const s = details.counterexample?.[0];
        const why = s ? explain(createRegisterPeerLogic, s) : String(details.errorInstance);
        throw new Error(`seed ${seed}, path ${details.counterexamplePath}: ${why}`);
      }
      expect(details.numRuns).toBeGreaterThan(0);
    },
    timeoutFor(100),
  );

  for (const fault of registerFaults) {
    // A fault not yet caught is listed as skipped, never counted as a pass.
    test.skipIf(!fault.caught)(
      `catches ${fault.name}: ${fault.description}`,
      () => {
        let runs = 0;
        for (const seed of FAULT_SEEDS) {
          const details = fc.check(
            fc.property(scenarioArb, (s) => linearizable(fault.logic, s)),
            { seed, numRuns: FAULT_RUNS_PER_SEED, endOnFailure: true, path: undefined },
          );
          if (details.failed) {
            runs += details.numRuns;
            const s = details.counterexample?.[0];
            console.log(`${fault.name}: caught with seed ${seed} after ${runs} runs`);
            expect(s && explain(fault.logic, s)).toMatch(/^NOT_LINEARIZABLE/);
            return;
          }
          runs += details.numRuns;
        }
        throw new Error(`${fault.name} not caught in ${runs} runs from seeds ${FAULT_SEEDS.join(', ')}`);
      },
      600_000,
    );
  }
});
