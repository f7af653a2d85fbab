/**
 * Generated histories: linearizable by construction (test/linearizability/generate.ts) pass;
 * with one read's answer corrupted, fail. FC_NUM_RUNS deepens the runs, FC_SEED replays one.
 */
import fc from 'fast-check';
import { describe, test } from 'vitest';
import { corruptedFails, linearizablePasses, realChecker } from './properties';

describe('generated histories', () => {
  test('linearizable by construction: pass, with timeouts and missing completions', () => {
    fc.assert(linearizablePasses(realChecker));
  });

  test('one read answered with a value no execution gives: fail', () => {
    fc.assert(corruptedFails(realChecker));
  });
});
