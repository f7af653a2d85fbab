import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DELIVER, DROP, stepArg, stepKind } from '../../src/check/worlds/packedWorld';
import { fiveAcceptorsThreeProposers, testcase1, testcase2 } from './clusters';
import { bagWithFaults, stepEquality } from './support/stepEquality';

const runs = Number(process.env.FC_NUM_RUNS ?? 40);
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`step equality: seed ${seed} (FC_SEED=${seed} replays it), ${runs} runs`);

describe('the checker encodes the reference world step for step', () => {
  test.each([
    ['testcase 1', testcase1],
    ['testcase 2', testcase2],
    ['three proposers, five acceptors', fiveAcceptorsThreeProposers],
  ])('%s, on the bag, with loss, duplication and a crash', (_name, cluster) => {
    fc.assert(stepEquality({ options: bagWithFaults(cluster) }), { numRuns: runs, seed });
  });

  // Seeded divergences: the property must name each one.
  const caught = (corruption: Parameters<typeof stepEquality>[0]['corruption']) => {
    const r = fc.check(stepEquality({ options: bagWithFaults(testcase2), corruption }), {
      numRuns: 200,
      seed,
    });
    expect(r.failed).toBe(true);
    return String((r.errorInstance as Error | undefined)?.message);
  };

  test('a drop that loses nothing is caught (unsound step)', () => {
    const message = caught((code, key, _out, _n) =>
      stepKind(code) === DROP ? { out: key, length: key.length } : null,
    );
    expect(message).toMatch(/after drop .*: the checker has .* in flight, the reference does not/);
  });

  // Deliveries that send nothing, every other message id: a pruning that went too far.
  test('a delivery the checker never explores is caught (incomplete)', () => {
    const message = caught((code, _key, _out, _n, local) =>
      stepKind(code) === DELIVER && local !== null && local.sends.length === 0 && stepArg(code) % 2 === 1
        ? 'skip'
        : null,
    );
    expect(message).toMatch(/the checker never takes deliver /);
  });
});
