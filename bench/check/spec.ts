/**
 * How fast the spec checker explores: exploreSpec for 3 acceptors, 2 values and ballots
 * 0..2 and 0..3, several times each, with the median and spread of the wall time.
 *
 *   npm run bench:check:spec
 *   BENCH_REPEATS=3 BENCH_BALLOTS=2,3 npm run bench:check:spec
 *
 * One core is used. On a shared machine the spread says how far to trust the median, and
 * the CPU seconds (user + system of this process) say what the search cost when it ran.
 */
import { exploreSpec } from '../../src/check/spec';

const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const ballots = (process.env.BENCH_BALLOTS ?? '2,3').split(',').map(Number);
const expected: Record<number, [number, number]> = { 1: [3921, 17], 2: [185369, 25], 3: [8220065, 33] };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const fmt = (x: number, digits = 2) => x.toFixed(digits);

console.log(`node ${process.version}, ${repeats} runs each, A=3 V=2`);
for (const maxBallot of ballots) {
  const seconds: number[] = [];
  const cpu: number[] = [];
  let states = 0;
  let depth = 0;
  for (let run = 1; run <= repeats; run++) {
    const before = process.cpuUsage();
    const r = exploreSpec({ acceptors: 3, values: 2, maxBallot });
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1e6);
    states = r.distinctStates;
    depth = r.depth;
    seconds.push(r.seconds);
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(
      `B=${maxBallot} run ${run}: ${states} states, depth ${depth}, ${r.transitions} transitions, ` +
        `${fmt(r.seconds)} s (cpu ${fmt(cpu.at(-1) ?? 0)} s), ${fmt(states / r.seconds / 1000, 0)}k states/s, ` +
        `rss ${fmt(rss, 0)} MiB`,
    );
    const want = expected[maxBallot];
    if (want && (want[0] !== states || want[1] !== depth)) {
      console.error(`expected ${want[0]} states and depth ${want[1]} (TLC)`);
      process.exitCode = 1;
    }
  }
  const m = median(seconds);
  console.log(
    `B=${maxBallot}: ${states} states, depth ${depth}; seconds median ${fmt(m)} ` +
      `(min ${fmt(Math.min(...seconds))}, max ${fmt(Math.max(...seconds))}); ` +
      `states/s median ${fmt(states / m / 1000, 0)}k; cpu seconds median ${fmt(median(cpu))} ` +
      `(min ${fmt(Math.min(...cpu))}, max ${fmt(Math.max(...cpu))})`,
  );
}
