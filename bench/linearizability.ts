/**
 * Speed of the linearizability checker on histories shaped like the published anchor's:
 * Porcupine (Go; Athalye's checker, Wing & Gong's search with Lowe's memo) checks a Jepsen
 * etcd history (5 clients, cas-register, timeouts as info) in under 8 ms on average, and a
 * history of 50 clients over many keys in about 0.5 s. Ours are generated histories of the
 * same shapes (test/linearizability/generate.ts: linearizable by construction), each run a
 * new seed, timed from a parsed history to the verdict.
 *
 *   npm run bench:linearizability            # 15 runs per shape
 *   npm run bench:linearizability -- 40      # or BENCH_RUNS=40
 */
import { checkHistory, MODELS, type Model, readHistory } from '../src/linearizability';
import { generate, type Shape, seededChooser } from '../test/linearizability/generate';
import { lines } from '../test/linearizability/support';

const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 15);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`runs must be a positive integer, got ${process.argv[2]}`);

interface Scenario {
  name: string;
  shape: Shape;
  /** Porcupine's published figure for a history of this shape, in ms. */
  anchorMs: number;
  anchor: string;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'Jepsen-like: 5 clients x 200 ops, one cas-register, 2% timeouts (info)',
    shape: { model: 'cas-register', processes: 5, operations: 1000, keys: 1, timeouts: 2 },
    anchorMs: 8,
    anchor: 'Porcupine, Jepsen etcd histories: < 8 ms on average',
  },
  {
    name: 'busy service: 50 clients x 200 ops over 100 keys, registers, 1% timeouts',
    shape: { model: 'registers', processes: 50, operations: 10_000, keys: 100, timeouts: 1 },
    anchorMs: 500,
    anchor: 'Porcupine, 50 clients over many keys: about 0.5 s',
  },
  {
    // Porcupine's many-key figure is for a key-value store with appends, where orders make states.
    name: 'busy kv, hot keys: 50 clients x 200 ops over 10 keys, get/put/append, 1% timeouts',
    shape: { model: 'kv', processes: 50, operations: 10_000, keys: 10, timeouts: 1 },
    anchorMs: 500,
    anchor: 'Porcupine, 50 clients over many keys: about 0.5 s',
  },
];

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

function runScenario(s: Scenario) {
  const model = MODELS[s.shape.model] as Model;
  const checkMs: number[] = [];
  const parseMs: number[] = [];
  let ops = 0;
  let steps = 0;
  // One untimed run first: the JIT's warm-up is not what a user waits for on a second history.
  for (let run = -1; run < runs; run++) {
    const text = lines(generate(seededChooser(1000 + run), s.shape));
    const t0 = performance.now();
    const history = readHistory('bench.jsonl', text);
    const t1 = performance.now();
    const result = checkHistory(history, model);
    const t2 = performance.now();
    if (result.verdict !== 'LINEARIZABLE') throw new Error(`${s.name}: seed ${1000 + run} ${result.verdict}`);
    if (run < 0) continue;
    parseMs.push(t1 - t0);
    checkMs.push(t2 - t1);
    ops += result.operations;
    steps += result.steps;
  }
  checkMs.sort((a, b) => a - b);
  parseMs.sort((a, b) => a - b);
  return { checkMs, parseMs, ops: ops / runs, steps: steps / runs };
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));

console.log(`linearizability checker, ${runs} runs per shape (a new history each), node ${process.version}`);
for (const s of SCENARIOS) {
  const r = runScenario(s);
  const c = r.checkMs;
  const median = quantile(c, 0.5);
  console.log(`\n${s.name}`);
  console.log(`  ${Math.round(r.ops)} operations, ${Math.round(r.steps)} search steps per history (mean)`);
  console.log(
    `  check: median ${ms(median)} ms, min ${ms(c[0] as number)}, p90 ${ms(quantile(c, 0.9))}, max ${ms(c.at(-1) as number)}; mean ${ms(c.reduce((a, b) => a + b, 0) / c.length)} ms`,
  );
  console.log(`  parse: median ${ms(quantile(r.parseMs, 0.5))} ms (not counted above)`);
  console.log(`  anchor: ${s.anchor}; ours / anchor (median): ${(median / s.anchorMs).toFixed(2)}x`);
}
