import { exploreMachines } from '../../src/check/machines';
import { searchParallel } from '../../src/check/parallel';
import { testcase1, testcase2 } from '../../test/support/clusters';

const W = Number(process.env.W ?? 2);
const sym = process.env.SYM === '1';
const cluster = process.env.TC === '1' ? testcase1 : testcase2;
const t0 = performance.now();
const r = await searchParallel(
  { kind: 'machines', options: { cluster, maxRound: 1, symmetry: sym } },
  { workers: W },
);
console.log(
  'par',
  W,
  r.distinctStates,
  r.depth,
  r.transitions,
  r.seconds.toFixed(2),
  r.complete,
  r.violations.length,
);
if (process.env.SEQ) {
  const s = exploreMachines({ cluster, maxRound: 1, symmetry: sym });
  console.log('seq', s.distinctStates, s.depth, s.transitions, s.seconds.toFixed(2));
}
void t0;
