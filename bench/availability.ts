/**
 * `npm run bench:availability [-- RUNS [SECONDS]]`: what a client sees when a member fails,
 * our register service beside a three-member etcd, alternating run by run, in one lab of
 * network namespaces (needs root). Four clients per member write random keys for SECONDS
 * (30 by default), each request abandoned after 1 s. A fifth of the way in, one member is
 * cut off for a third of the run (etcd: its leader); two thirds in, another is killed, and
 * restarted a tenth later on its data. The figure: the longest time a client whose member
 * was on the majority side went without an acknowledged write; beside it, writes per second
 * in each phase, and how long after its restart the killed member served its clients.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetnsLab, netnsUnavailable } from '../test/e2e/support/netns';
import { type Cluster, ETCD_HOSTS, etcdCluster, OUR_HOSTS, ourCluster } from './availability/clusters';
import {
  backAfter,
  type ClientRecord,
  dueTimes,
  type LoadSpec,
  longestPause,
  type Pause,
  phases,
  ratesByPhase,
} from './availability/figures';

const runs = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 30);
const ROOT = path.resolve(import.meta.dirname, '..');
const TIMEOUT_MS = 1000;

interface RunFigures {
  service: string;
  cut: string;
  killed: string;
  pause: Pause;
  backAfterHealMs: number;
  backAfterRestartMs: number;
  rates: Record<string, number>;
}

/** Runs clients.ts in the lab's client namespace and returns its stdout. */
async function clients(lab: NetnsLab, mode: string, spec: LoadSpec): Promise<string> {
  const script = path.join(ROOT, 'bench/availability/clients.ts');
  const w = lab.run(
    'client',
    process.execPath,
    ['--import', 'tsx', script, mode, JSON.stringify(spec)],
    ROOT,
  );
  const { code } = await w.exited;
  if (code !== 0)
    throw new Error(`clients.ts ${mode} (${spec.service}) exited ${code}: ${w.stderr.join('\n')}`);
  return w.stdout.join('\n');
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

/** Which member to fail: ours are all alike; etcd's is its leader, the worst case for it. */
async function victim(lab: NetnsLab, c: Cluster, spec: LoadSpec, not?: string): Promise<string> {
  if (c.service === 'ours') return not === undefined ? 'peer1' : 'peer2';
  const leader = c.hostOf((await clients(lab, 'leader', spec)).trim());
  return leader === not ? (c.hosts.find((h) => h !== not) as string) : leader;
}

/** Carries out the faults when due while the load runs; returns whom it cut and killed, and when. */
async function faults(lab: NetnsLab, c: Cluster, spec: LoadSpec) {
  const due = dueTimes(spec.durationMs);
  const now = () => Date.now() - spec.startAt;
  const wait = (t: number) => sleepUntil(spec.startAt + t);
  await wait(due.cut - 1000);
  const cut = await victim(lab, c, spec);
  await wait(due.cut);
  const times = { cut: now(), healed: 0, killed: 0, restarted: 0 };
  lab.isolate(cut);
  await wait(due.healed);
  lab.isolate(cut, false);
  times.healed = now();
  await wait(due.killed - 2000);
  const killed = await victim(lab, c, spec, cut);
  await wait(due.killed);
  times.killed = now();
  await c.kill(killed);
  await wait(due.restarted);
  times.restarted = now();
  c.start(killed);
  return { cut, killed, times };
}

async function oneRun(lab: NetnsLab, c: Cluster): Promise<RunFigures> {
  for (const h of c.hosts) c.start(h);
  const endpoints = c.hosts.map((h) => c.endpoint(h));
  const spec: LoadSpec = {
    service: c.service,
    endpoints,
    clientsPerEndpoint: 4,
    startAt: 0,
    durationMs: seconds * 1000,
    timeoutMs: TIMEOUT_MS,
  };
  await clients(lab, 'ready', spec);
  spec.startAt = Date.now() + 1500;
  try {
    const [records, who] = await Promise.all([
      clients(lab, 'load', spec).then((out) => JSON.parse(out) as ClientRecord[]),
      faults(lab, c, spec),
    ]);
    const run = phases(spec.durationMs, who.times, c.endpoint(who.cut), c.endpoint(who.killed));
    return {
      service: c.service,
      cut: who.cut,
      killed: who.killed,
      pause: { ...longestPause(records, run) },
      backAfterHealMs: backAfter(records, run, 'partition'),
      backAfterRestartMs: backAfter(records, run, 'killed'),
      rates: ratesByPhase(records, run),
    };
  } finally {
    await c.stop();
  }
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const ms = (x: number) => `${Math.round(x)} ms`;
const spread = (xs: readonly number[]) => `${ms(Math.min(...xs))}-${ms(Math.max(...xs))}`;

/** What the client of the longest pause was told meanwhile: `503 after 1000 ms`, `none after 1001 ms` (abandoned). */
const failuresText = (p: Pause) =>
  (p.failures ?? []).map(([from, to, status]) => `${status || 'none'} after ${to - from} ms`).join(', ') ||
  'no write failed';

function runLine(r: RunFigures, c: Cluster): string {
  const rates = Object.entries(r.rates)
    .map(([p, x]) => `${p} ${Math.round(x)}`)
    .join(', ');
  return (
    `${r.service}: cut ${r.cut}, killed ${r.killed}; longest pause on the majority side ${ms(r.pause.ms)} ` +
    `(a client of ${c.hostOf(r.pause.endpoint)}, from ${(r.pause.at / 1000).toFixed(1)} s; ${failuresText(r.pause)}); ` +
    `the cut member's clients served again ${ms(r.backAfterHealMs)} after the heal, the killed one's ` +
    `${ms(r.backAfterRestartMs)} after its restart; writes/s: ${rates}`
  );
}

function summary(service: string, rs: readonly RunFigures[]): string {
  const pauses = rs.map((r) => r.pause.ms);
  const healed = rs.map((r) => r.backAfterHealMs);
  const back = rs.map((r) => r.backAfterRestartMs);
  const phasesSeen = Object.keys(rs[0]?.rates ?? {});
  const rates = phasesSeen
    .map((p) => `${p} ${Math.round(median(rs.map((r) => r.rates[p] ?? 0)))}`)
    .join(', ');
  return (
    `${service}: longest pause ${ms(median(pauses))} median (${spread(pauses)}); ` +
    `back after the heal ${ms(median(healed))} (${spread(healed)}), after the restart ${ms(median(back))} ` +
    `(${spread(back)}); writes/s ${rates}`
  );
}

const dataDirs: string[] = [];

function makeCluster(lab: NetnsLab, service: string): Cluster {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-availability-${service}-`));
  dataDirs.push(dir);
  return service === 'ours' ? ourCluster(lab, dir) : etcdCluster(lab, dir);
}

async function main(): Promise<void> {
  const why = netnsUnavailable();
  if (why) throw new Error(`bench:availability runs in network namespaces: ${why}`);
  const lab = NetnsLab.create([...OUR_HOSTS, ...ETCD_HOSTS, 'client']);
  process.once(
    'SIGINT',
    () =>
      void lab.destroy().then(() => {
        for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
        process.exit(130);
      }),
  );
  const results: Record<string, RunFigures[]> = { ours: [], etcd: [] };
  try {
    console.log(`${runs} runs of ${seconds} s per service, alternated; ${new Date().toISOString()}`);
    for (let r = 0; r < runs; r++)
      for (const service of r % 2 === 0 ? ['ours', 'etcd'] : ['etcd', 'ours']) {
        const c = makeCluster(lab, service);
        const figures = await oneRun(lab, c);
        results[service]?.push(figures);
        console.log(runLine(figures, c));
      }
    for (const [service, rs] of Object.entries(results)) console.log(summary(service, rs));
    console.log(JSON.stringify({ runs, seconds, timeoutMs: TIMEOUT_MS, results }));
  } finally {
    await lab.destroy();
  }
}

await main();
