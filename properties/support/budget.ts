/**
 * How long a property test may take: it scales with FC_NUM_RUNS (test/setup/fastCheck.ts),
 * so `npm run test:deep` is not cut short by vitest's per-test timeout.
 */
import fc from 'fast-check';

const numRuns = (): number => fc.readConfigureGlobal().numRuns ?? 100;

/** A per-test timeout: a fixed allowance (shrinking, a loaded machine) plus a cost per run. */
export const timeoutFor = (msPerRun: number): number => 120_000 + numRuns() * msPerRun;
