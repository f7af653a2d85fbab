/**
 * How fast the checker explores worlds of the real machines: the lab's testcase 2 (two
 * proposers, three shared acceptors), one round each, on the bag network, then with drop,
 * several runs each, with the median and spread of the wall time and of states/s.
 *
 *   npm run bench:check:machines
 *   BENCH_REPEATS=3 BENCH_SCENARIOS=bag,bag+coverage,bag+drop,bag-norefinement,bag+symmetry,set+symmetry npm run bench:check:machines
 *
 * `bag` runs on one core. `bag/2` is the same search with 2 worker threads over one shared
 * fingerprint table; when both run, the speed-up (median over median) is printed. On a shared
 * machine the spread says how far to trust the median; the CPU seconds (user + system of
 * this process, threads included) say what the search cost when it ran.
 */

import { searchParallel } from '../../src/check/parallel';
import { exploreMachines, type MachineCheckOptions } from '../../src/check/worlds';
import { loadHostsfile } from '../../src/config/hostsfile';

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const cluster = loadHostsfile('hostsfile-testcase2.txt');
const scenarios: Record<string, MachineCheckOptions> = {
  bag: { cluster, maxRound: 1 },
  'bag+drop': { cluster, maxRound: 1, faults: ['drop'] },
  // The same search counting transitions (--coverage): what asking for coverage costs.
  'bag+coverage': { cluster, maxRound: 1, coverage: true },
  'bag-norefinement': { cluster, maxRound: 1, refinement: false },
  'bag+drop-norefinement': { cluster, maxRound: 1, faults: ['drop'], refinement: false },
  'bag+symmetry': { cluster, maxRound: 1, symmetry: true },
  'bag+drop+symmetry': { cluster, maxRound: 1, faults: ['drop'], symmetry: true },
  'set+symmetry': { cluster, maxRound: 1, network: 'set', symmetry: true },
};
/** Scenarios run with worker threads: name/W. */
const workersOf = (name: string) => Number(name.split('/')[1] ?? 1);
const chosen = (process.env.BENCH_SCENARIOS ?? 'bag,bag/2').split(',');
const medians = new Map<string, number>();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const fmt = (x: number, digits = 1) => x.toFixed(digits);
const spread = (xs: number[], digits = 1) =>
  `min ${fmt(Math.min(...xs), digits)}, max ${fmt(Math.max(...xs), digits)}`;

console.log(`node ${process.version}, ${repeats} runs each, testcase 2, one round each`);
for (const name of chosen) {
  const options = scenarios[name.split('/')[0] as string];
  const workers = workersOf(name);
  if (!options) {
    console.error(`unknown scenario ${name} (known: ${Object.keys(scenarios).join(', ')})`);
    process.exitCode = 2;
    continue;
  }
  const seconds: number[] = [];
  const rates: number[] = [];
  const cpu: number[] = [];
  let last = { states: 0, depth: 0, transitions: 0 };
  for (let run = 1; run <= repeats; run++) {
    const before = process.cpuUsage();
    const r =
      workers > 1
        ? await searchParallel({ kind: 'machines', options }, { workers })
        : exploreMachines(options);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1e6);
    seconds.push(r.seconds);
    rates.push(r.distinctStates / r.seconds / 1000);
    last = { states: r.distinctStates, depth: r.depth, transitions: r.transitions };
    const mem = process.memoryUsage();
    console.log(
      `${name} run ${run}: ${r.distinctStates} states, depth ${r.depth}, ${r.transitions} transitions, ` +
        `${fmt(r.seconds)} s (cpu ${fmt(cpu.at(-1) ?? 0)} s), ${fmt(rates.at(-1) ?? 0, 0)}k states/s, ` +
        `complete ${r.complete}, violations ${r.violations.length}, visited set ${fmt(r.search.visitedBytes / 2 ** 20, 0)} MiB ` +
        `(${fmt(r.search.visitedBytes / r.distinctStates)} B a state), collision probability ${r.search.collisionProbability?.toExponential(1)}, ` +
        `rss ${fmt(mem.rss / 2 ** 20, 0)} MiB, heap ${fmt(mem.heapUsed / 2 ** 20, 0)} MiB`,
    );
    if (!r.complete || r.violations.length > 0) process.exitCode = 1;
  }
  console.log(
    `${name}: ${last.states} states, depth ${last.depth}, ${last.transitions} transitions; ` +
      `seconds median ${fmt(median(seconds))} (${spread(seconds)}); ` +
      `states/s median ${fmt(median(rates), 0)}k (${spread(rates, 0)}); cpu seconds median ${fmt(median(cpu))} (${spread(cpu)})`,
  );
  medians.set(name, median(seconds));
  const single = medians.get(name.split('/')[0] as string);
  if (workers > 1 && single !== undefined)
    console.log(
      `${name}: ${fmt(single / median(seconds), 2)}x the one-core search (median ${fmt(single)} s / ${fmt(median(seconds))} s)`,
    );
}
