/**
 * The four workloads of `npm run bench:registers`, each the same for both services: clients
 * spread over the endpoints (client i on endpoint i mod 3), each with one request
 * outstanding, for a fixed time.
 */
import { cpuSeconds } from './cpu';
import type { Target } from './target';

export interface Outcome {
  /** Operations acknowledged per second. */
  rate: number;
  /** Latency of acknowledged operations, ms. */
  p50: number;
  p99: number;
  errors: number;
  /** CPU time of the service's processes (all peers or members) per acknowledged operation, ms. */
  cpuMsPerOp: number;
  /** The part of it spent in the processes' own code, not in the kernel. */
  userMsPerOp: number;
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);

/** Runs `clients` loops of `op` for `seconds`; each op resolves true when acknowledged. */
async function drive(
  t: Target,
  clients: number,
  seconds: number,
  op: (endpoint: string, client: number, i: number) => Promise<boolean>,
): Promise<Outcome> {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const loop = async (c: number) => {
    const endpoint = t.endpoints[c % t.endpoints.length] as string;
    for (let i = 0; performance.now() < until; i++) {
      const start = performance.now();
      const ok = await op(endpoint, c, i).catch(() => false);
      if (ok) latencies.push(performance.now() - start);
      else errors++;
    }
  };
  const began = performance.now();
  const cpuBefore = cpuSeconds(t.pids);
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  const cpuAfter = cpuSeconds(t.pids);
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rate: latencies.length / elapsed,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    errors,
    cpuMsPerOp:
      (1000 * (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system)) / latencies.length,
    userMsPerOp: (1000 * (cpuAfter.user - cpuBefore.user)) / latencies.length,
  };
}

export interface Workload {
  name: string;
  run(t: Target, seconds: number, run: number): Promise<Outcome>;
}

const value = (i: number) => `v${i}-${'x'.repeat(100)}`;

export const WORKLOADS: Workload[] = [
  {
    name: '1 client, sequential writes',
    run: (t, s, r) => drive(t, 1, s, (e, _c, i) => t.put(e, `seq-${r}`, value(i))),
  },
  {
    name: '64 clients, writes to random keys of 1,000',
    run: (t, s, r) =>
      drive(t, 64, s, (e, _c, i) => t.put(e, `k${r}-${Math.floor(Math.random() * 1000)}`, value(i))),
  },
  {
    name: '64 clients, linearizable reads',
    run: async (t, s, r) => {
      for (let k = 0; k < 100; k++) await t.put(t.endpoints[0] as string, `r${r}-${k}`, value(k));
      return drive(
        t,
        64,
        s,
        async (e) => (await t.get(e, `r${r}-${Math.floor(Math.random() * 100)}`)) !== null,
      );
    },
  },
  {
    name: '16 clients, increments of one hot key (put-if-version)',
    run: (t, s, r) => drive(t, 16, s, (e) => increment(t, e, `hot-${r}`)),
  },
];

/** Read, then write the next number if nobody wrote in between; on a mismatch, retry from the state it returned. */
async function increment(t: Target, endpoint: string, key: string): Promise<boolean> {
  let state = await t.get(endpoint, key);
  for (let attempt = 0; state && attempt < 100; attempt++) {
    const next = String(Number(state.value ?? '0') + 1);
    const r = await t.putIfVersion(endpoint, key, next, state.version);
    if (r.outcome === 'ok') return true;
    state = r.outcome === 'mismatch' ? (r.current ?? null) : await t.get(endpoint, key);
  }
  return false;
}
