/**
 * `npm run bench:registers [-- RUNS [SECONDS]]`: our register service beside a three-member
 * etcd cluster on this machine, both fsyncing, driven by the same load generator and HTTP
 * client; each workload runs on both, the order alternating run by run. Prints, per
 * workload, our median and etcd's with their spread over the runs, and the ratio; the last
 * line is the whole result as JSON.
 */

import { startEtcd } from './registers/etcd';
import { closeConnections } from './registers/http';
import { startService } from './registers/service';
import type { Target } from './registers/target';
import { type Outcome, WORKLOADS } from './registers/workloads';

const runs = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 5);
const WARM_UP_SECONDS = 2;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
const spread = (xs: readonly number[]) => `${f(Math.min(...xs))}-${f(Math.max(...xs))}`;

/** The figure each workload is judged by: one client's p50 latency, the others' rate. */
const byLatency = (w: number) => w === 0;

function report(name: string, w: number, ours: Outcome[], etcd: Outcome[]) {
  const pick = (o: Outcome) => (byLatency(w) ? o.p50 : o.rate);
  const a = median(ours.map(pick));
  const b = median(etcd.map(pick));
  const unit = byLatency(w) ? 'ms p50' : 'ops/s';
  const cpu = (os: Outcome[]) => median(os.map((o) => o.cpuMsPerOp));
  const more = (os: Outcome[]) =>
    `p99 ${f(median(os.map((o) => o.p99)))} ms, ${os.reduce((n, o) => n + o.errors, 0)} errors, ` +
    `CPU ${f(cpu(os))} ms/op, user ${f(median(os.map((o) => o.userMsPerOp)))}`;
  console.log(
    `${name}: ours ${f(a)} ${unit} (${spread(ours.map(pick))}; ${more(ours)}), ` +
      `etcd ${f(b)} (${spread(etcd.map(pick))}; ${more(etcd)}); ratio ${f(a / b)}x, CPU per op ${f(cpu(ours) / cpu(etcd))}x`,
  );
  return {
    workload: name,
    unit,
    ours: a,
    etcd: b,
    ratio: a / b,
    cpuMsPerOp: { ours: cpu(ours), etcd: cpu(etcd) },
    runs: { ours, etcd },
  };
}

async function main() {
  const targets: Target[] = [];
  const stop = async () => {
    closeConnections();
    await Promise.all(targets.map((t) => t.stop()));
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    targets.push(await startService(), await startEtcd());
    console.log(
      `${runs} runs of ${seconds} s per workload and service, alternated, after a warm-up; ${new Date().toISOString()}`,
    );
    // A service runs for days: its first seconds (a JIT compiling our peers' code, for one)
    // are not what it costs. Each workload once on each service, not counted.
    for (const workload of WORKLOADS)
      for (const t of targets) await workload.run(t, Math.min(seconds, WARM_UP_SECONDS), -1);
    const results = WORKLOADS.map(() => ({ ours: [] as Outcome[], etcd: [] as Outcome[] }));
    for (let r = 0; r < runs; r++)
      for (const [w, workload] of WORKLOADS.entries())
        for (const t of r % 2 === 0 ? targets : [...targets].reverse())
          results[w]?.[t.name as 'ours' | 'etcd'].push(await workload.run(t, seconds, r));
    const lines = WORKLOADS.map((wl, w) =>
      report(wl.name, w, results[w]?.ours ?? [], results[w]?.etcd ?? []),
    );
    console.log(JSON.stringify({ runs, seconds, results: lines }));
  } finally {
    await stop();
  }
}

await main();
