/**
 * One nemesis run of the register service: every peer of the hostsfile as a `paxos serve`
 * process with its data directory on disk, every peer-to-peer connection through a fault
 * proxy (src/nemesis/stage.ts), clients at the serving peers' client ports while the seeded
 * faults go on; then the heal, a last read of every key, and the verdict (verdict.ts).
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ClusterConfig } from '../../config/cluster';
import { readHistory } from '../../linearizability/index';
import { historyPage } from '../../view/history/page';
import { type FaultCounts, planJson, type RunPlan } from '../plan';
import { endedOnTheirOwn, holdTempDir, type PeerCommand, releaseTempDir } from '../processes';
import { Stage } from '../stage';
import { planRegistersRun } from './plan';
import { checkTraces, type TraceVerdict, traceFile, withTraces } from './traced';
import {
  type CounterVerdict,
  checkCounter,
  checkKey,
  type KeyVerdict,
  type RegistersVerdict,
  runVerdict,
} from './verdict';
import { ALL_KEYS, Workload } from './workload';

export interface RegistersContext {
  hostsfile: string;
  cluster: ClusterConfig;
  paxos: PeerCommand;
  faultPhaseMs: number;
  clients: number;
  allowUnsafeQuorums: boolean;
  /** Where every run's histories, pictures and peers' stderr go (a failing run's go to a temporary directory without). */
  keepDir?: string;
  /** Wall time for the checker, per key. */
  checkTimeMs: number;
  aborted: () => boolean;
}

export interface RegistersRunReport {
  seed: number;
  verdict: RegistersVerdict;
  problem?: string;
  operations: number;
  /** Operations whose outcome the client could not know (info). */
  unknownOps: number;
  lostWrites: number;
  faults: FaultCounts;
  checkMs: number;
  /** The peers' traces replayed through the machines and refined to spec/Registers.tla. */
  trace: TraceVerdict;
  keys: { key: string; verdict: string; operations: number }[];
  counters: CounterVerdict[];
  evidence?: string;
  aborted?: boolean;
}

/** What the server waits for a majority, and what a client waits for the server: short, so that faults end in answers. */
const SERVE_TIMEOUT_S = 1;
const CLIENT_TIMEOUT_MS = 2500;
/** Operations go on this long after the heal, so that the healed service is exercised too. */
const AFTER_HEAL_MS = 800;
const READY_MS = 30_000;
const FINAL_READS_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serveCommand(ctx: RegistersContext, stage: Stage, host: string, dataRoot: string): PeerCommand {
  const i = stage.hosts.indexOf(host);
  return {
    command: ctx.paxos.command,
    args: [
      ...ctx.paxos.args,
      'serve',
      ...stage.peerArgs(host, { ...ctx, dataRoot }),
      ...['--client-port', String(stage.port(i))],
      ...['--request-timeout', String(SERVE_TIMEOUT_S), '--trace', traceFile(dataRoot, host)],
    ],
  };
}

/** Whether every serving peer answers its health check and sees a majority. */
async function ready(endpoints: readonly string[]): Promise<boolean> {
  const healthy = await Promise.all(
    endpoints.map(async (e) => {
      try {
        const r = await fetch(`http://${e}/v1/health`, { signal: AbortSignal.timeout(1000) });
        return r.ok && ((await r.json()) as { majority?: boolean }).majority === true;
      } catch {
        return false;
      }
    }),
  );
  return healthy.every(Boolean);
}

async function waitReady(ctx: RegistersContext, endpoints: readonly string[]): Promise<boolean> {
  const until = Date.now() + READY_MS;
  while (Date.now() < until && !ctx.aborted()) {
    if (await ready(endpoints)) return true;
    await sleep(100);
  }
  return false;
}

/** Waits `ms`, or less if the bench is interrupted. */
async function phase(ctx: RegistersContext, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !ctx.aborted()) await sleep(Math.min(50, until - Date.now()));
}

interface Played {
  workload: Workload;
  /** Where the peers kept their data and traces. */
  dataRoot?: string;
  finals: Map<string, { value: string | null; version: number }>;
  problem?: string;
}

/** Launch, clients and faults, heal, last reads; the stage is closed whatever happens. */
async function play(ctx: RegistersContext, stage: Stage, plan: RunPlan, workload: Workload): Promise<Played> {
  const endpoints = servingEndpoints(ctx, stage);
  try {
    stage.launch();
    if (!(await waitReady(ctx, endpoints)))
      return { workload, finals: new Map(), problem: `the service was not up within ${READY_MS / 1000} s` };
    workload.start();
    stage.inject(plan);
    await phase(ctx, plan.faultPhaseMs);
    await stage.heal();
    await phase(ctx, AFTER_HEAL_MS);
    await workload.stop();
    const finals = ctx.aborted() ? new Map() : await workload.finalReads(FINAL_READS_MS);
    const missing = ALL_KEYS.filter((k) => !finals.has(k));
    const crashed = endedOnTheirOwn(stage.peers);
    const problems = [
      ...(missing.length > 0 && !ctx.aborted()
        ? [`no read of ${missing.join(', ')} succeeded after the heal`]
        : []),
      ...(crashed.length > 0 ? [`${crashed.join(', ')} ended on its own (see its stderr)`] : []),
    ];
    return { workload, finals, ...(problems.length > 0 ? { problem: problems.join('; ') } : {}) };
  } finally {
    await workload.stop();
    await stage.close();
  }
}

const servingEndpoints = (ctx: RegistersContext, stage: Stage): string[] =>
  ctx.cluster.peers
    .filter((p) => p.proposer.length > 0)
    .map((p) => `127.0.0.1:${stage.port(stage.hosts.indexOf(p.host))}`);

export async function runRegistersOnce(ctx: RegistersContext, seed: number): Promise<RegistersRunReport> {
  const plan = planRegistersRun(ctx.cluster, seed, { faultPhaseMs: ctx.faultPhaseMs });
  const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'paxos-nemesis-registers-'));
  holdTempDir(dataRoot);
  try {
    const hosts = ctx.cluster.peers.map((p) => p.host);
    let workload: Workload | undefined;
    const stage = await Stage.open(hosts, seed, hosts.length, (f, value) => workload?.note(f, value));
    for (const host of hosts) stage.addPeer(host, serveCommand(ctx, stage, host, dataRoot));
    workload = new Workload({
      seed,
      endpoints: servingEndpoints(ctx, stage),
      clients: ctx.clients,
      requestTimeoutMs: CLIENT_TIMEOUT_MS,
    });
    const played = await play(ctx, stage, plan, workload);
    return await judge(ctx, seed, plan, stage, { ...played, dataRoot });
  } finally {
    await rm(dataRoot, { recursive: true, force: true });
    releaseTempDir(dataRoot);
  }
}

/** Checks every key and counter; keeps the evidence where asked, or of a failing run anyway. */
async function judge(
  ctx: RegistersContext,
  seed: number,
  plan: RunPlan,
  stage: Stage,
  played: Played,
): Promise<RegistersRunReport> {
  const { workload, finals } = played;
  const started = performance.now();
  const perKeyMs = ctx.checkTimeMs / ALL_KEYS.length;
  const keys = ALL_KEYS.map((k) => checkKey(workload.events, k, perKeyMs));
  const counters = [...workload.counters].map(([k, tally]) => checkCounter(k, tally, finals.get(k)));
  const trace = await checkTraces(ctx.cluster, played.dataRoot ?? '', ctx.allowUnsafeQuorums);
  const checkMs = Math.round(performance.now() - started);
  let judged = withTraces(
    runVerdict(keys, counters, (f) => f),
    trace,
  );
  // A service that never came up or back explains missing reads better than they do themselves.
  if (played.problem && (judged.verdict === 'valid' || judged.verdict === 'error'))
    judged = { verdict: 'error', problem: played.problem };
  let evidence: string | undefined;
  if ((ctx.keepDir || judged.verdict !== 'valid') && !ctx.aborted()) {
    evidence = ctx.keepDir
      ? path.resolve(ctx.keepDir, `seed-${seed}`)
      : await mkdtemp(path.join(os.tmpdir(), `paxos-nemesis-registers-seed-${seed}-`));
    judged =
      judged.verdict === 'error'
        ? judged
        : withTraces(
            runVerdict(keys, counters, (f) => path.join(evidence as string, f)),
            trace,
          );
  }
  const clientOps = workload.events.filter((e) => e.process !== 'nemesis' && e.type !== 'invoke');
  const report: RegistersRunReport = {
    seed,
    ...judged,
    operations: clientOps.length,
    unknownOps: clientOps.filter((e) => e.type === 'info').length,
    lostWrites: counters.reduce((n, c) => n + c.lost, 0),
    faults: stage.counts,
    checkMs,
    trace,
    keys: keys.map((k) => ({
      key: k.key,
      verdict: k.check.verdict,
      operations: 'operations' in k.check ? k.check.operations : 0,
    })),
    counters,
    ...(evidence ? { evidence } : {}),
    ...(ctx.aborted() ? { aborted: true } : {}),
  };
  if (evidence) await keepEvidence(evidence, plan, stage, keys, report, played.dataRoot);
  return report;
}

async function keepEvidence(
  dir: string,
  plan: RunPlan,
  stage: Stage,
  keys: readonly KeyVerdict[],
  report: RegistersRunReport,
  dataRoot: string | undefined,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (dataRoot !== undefined)
    for (const host of stage.hosts)
      await copyFile(traceFile(dataRoot, host), path.join(dir, `${host}.ndjson`)).catch(() => {});
  for (const k of keys) {
    await writeFile(path.join(dir, k.file), k.text);
    const picture = k.check.verdict === 'ERROR' ? undefined : k.check;
    const page = historyPage(readHistory(k.file, k.text), picture, { model: 'registers' });
    await writeFile(path.join(dir, k.file.replace(/\.jsonl$/, '.html')), page);
  }
  for (const [host, p] of stage.peers)
    for (const [i, inc] of p.incarnations.entries())
      await writeFile(path.join(dir, `${host}.${i + 1}.stderr`), inc.stderr);
  await writeFile(path.join(dir, 'plan.json'), `${JSON.stringify(planJson(plan), null, 2)}\n`);
  await writeFile(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
}
