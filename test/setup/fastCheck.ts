/**
 * One place that decides how hard properties are run: FC_NUM_RUNS sets the number of runs
 * (default keeps `npm test` fast), FC_SEED replays a printed seed.
 */
import fc from 'fast-check';

const runs = Number(process.env.FC_NUM_RUNS ?? 100);
fc.configureGlobal({
  numRuns: runs,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
  ...(process.env.FC_PATH ? { path: process.env.FC_PATH, endOnFailure: true } : {}),
});
