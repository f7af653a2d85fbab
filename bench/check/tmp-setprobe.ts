import { exploreMachines } from '../../src/check/machines';
import { testcase2 } from '../../test/support/clusters';

const max = Number(process.env.MAX ?? 300000);
const r = exploreMachines({
  cluster: testcase2,
  maxRound: 1,
  network: 'set',
  symmetry: true,
  maxStates: max,
  progressIntervalMs: 5000,
  onProgress: (p) => console.log(JSON.stringify(p)),
});
console.log(
  r.distinctStates,
  r.depth,
  r.transitions,
  r.seconds.toFixed(1),
  (r.distinctStates / r.seconds).toFixed(0),
  r.stats,
);
