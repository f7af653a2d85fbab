/**
 * One nemesis run: every peer of the hostsfile as its own process on loopback, every
 * peer-to-peer connection through a fault-injecting proxy, the run's seeded faults while
 * the proposers compete; then everything heals (partitions closed, killed peers restarted
 * from their data directories, paused ones continued), and the run waits, bounded, for
 * every peer of a started group to decide. The whole of every peer's output then goes
 * through `paxos trace`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expectedChoosers } from '../cluster/localCluster';
import type { ClusterConfig } from '../config/cluster';
import { type LabInput, readLabRun, TraceInputError, type TraceResult, validateRun } from '../trace/index';
import { formatText } from '../trace/report';
import { crashWindowExplains, type PeerEvidence } from './crashWindow';
import { type FaultCounts, planJson, planRun, type RunPlan } from './plan';
import {
  endedOnTheirOwn,
  holdTempDir,
  type PeerCommand,
  type PeerProcess,
  releaseTempDir,
  stdoutForValidation,
} from './processes';
import { Stage, waitUntil } from './stage';

export interface RunContext {
  hostsfile: string;
  cluster: ClusterConfig;
  /** How to start `paxos`: the node binary and the arguments before the subcommand. */
  paxos: PeerCommand;
  /** Peers started through a wrapper script (`node SCRIPT <paxos args...>`), for testing the bench. */
  wrappers: ReadonlyMap<string, string>;
  faultPhaseMs: number;
  /** After the heal, how long every peer has to decide. */
  decideTimeoutMs: number;
  allowUnsafeQuorums: boolean;
  /** Where to keep the evidence of a run that fails (nothing is kept otherwise). */
  keepDir?: string;
  /** Set when the bench is interrupted: the run stops waiting and cleans up. */
  aborted: () => boolean;
  log: (line: string) => void;
}

type RunVerdict = 'PASS' | 'FAIL' | 'UNDECIDED' | 'ERROR';

export interface RunReport {
  seed: number;
  /** Every peer of a started group printed chose (or found its decision on disk, see `silent`). */
  decided: boolean;
  /** The values chosen, as the validator read them. */
  chosen: string[];
  /** `paxos trace`'s verdict on the run (ERROR: the output was not even lab lines). */
  verdict: RunVerdict;
  trace: string;
  faults: FaultCounts;
  /** ms from launch to the last expected chose line. */
  decideMs?: number;
  /** ms from the heal to the last expected chose line; 0 if all had decided before it. */
  afterFaultsMs?: number;
  /** Peers that decided (state on disk) but printed no chose line: killed between the save and the print. */
  silent: string[];
  /** Incomplete last lines of killed incarnations, dropped before validation. */
  cutLines: number;
  /** Processes started in all (restarts included). */
  processes: number;
  problem?: string;
  /** A FAIL explained by a SIGKILL between a save and its print (see crashWindow.ts), and how. */
  crashWindow?: string;
  evidence?: string;
  aborted?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runOnce(ctx: RunContext, seed: number): Promise<RunReport> {
  const { cluster } = ctx;
  const plan = planRun(cluster, seed, { faultPhaseMs: ctx.faultPhaseMs });
  const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'paxos-nemesis-'));
  holdTempDir(dataRoot);
  const hosts = cluster.peers.map((p) => p.host);
  const stage = await Stage.open(hosts, seed);
  const { peers, counts } = stage;
  for (const host of hosts) stage.addPeer(host, peerCommand(ctx, plan, host, stage, dataRoot));
  const expected = expectedChoosers(cluster, plan.values).map((p) => p.host);
  const allDecided = () => undecided(expected, peers).length === 0;
  const setWake = (w: () => void) => {
    stage.wake = w;
  };

  let healedAt = 0;
  let problem: string | undefined;
  try {
    stage.launch();
    stage.inject(plan);
    // The fault phase, then the heal.
    await waitUntil(
      () => ctx.aborted() || stage.since() >= plan.faultPhaseMs,
      setWake,
      plan.faultPhaseMs + 100,
    );
    await stage.heal();
    healedAt = stage.since();

    await waitUntil(() => ctx.aborted() || allDecided(), setWake, ctx.decideTimeoutMs);
    if (!allDecided() && !ctx.aborted()) {
      const missing = undecided(expected, peers);
      problem = `not decided ${ctx.decideTimeoutMs / 1000} s after the faults stopped: no chose from ${missing.join(', ')}`;
    }
    // Answers and announcements still in flight are part of the run.
    if (!ctx.aborted()) await sleep(300);
    const crashed = endedOnTheirOwn(peers);
    if (crashed.length > 0)
      problem = `${problem ? `${problem}; ` : ''}${crashed.join(', ')} ended on its own (see its stderr)`;
  } finally {
    await stage.close();
  }

  const report = await reportRun(ctx, seed, plan, {
    peers,
    expected,
    counts,
    healedAt,
    ...(problem === undefined ? {} : { problem }),
  });
  await rm(dataRoot, { recursive: true, force: true });
  releaseTempDir(dataRoot);
  return report;
}

/** The expected choosers that have neither printed chose nor decided silently. */
const undecided = (expected: readonly string[], peers: ReadonlyMap<string, PeerProcess>): string[] =>
  expected.filter((h) => {
    const p = peers.get(h) as PeerProcess;
    return p.choseAt === undefined && !p.decidedSilently;
  });

/** The command line of peer `host`: its own port, and every other peer reached through its link's proxy. */
function peerCommand(
  ctx: RunContext,
  plan: RunPlan,
  host: string,
  stage: Stage,
  dataRoot: string,
): { command: string; args: string[] } {
  const value = plan.values.get(host);
  const delay = plan.delaysMs.get(host);
  const args = [
    ...ctx.paxos.args,
    'peer',
    ...stage.peerArgs(host, { ...ctx, dataRoot }),
    ...(value !== undefined ? ['-v', value] : []),
    ...(delay !== undefined ? ['-t', String(delay / 1000)] : []),
  ];
  const wrapper = ctx.wrappers.get(host);
  return wrapper
    ? { command: ctx.paxos.command, args: [wrapper, ...args] }
    : { command: ctx.paxos.command, args };
}

/** The peers' stdout as the lab's logs, validated as paxos trace would; a crash window explains a FAIL. */
function validateOutput(
  cluster: ClusterConfig,
  seed: number,
  peers: ReadonlyMap<string, PeerProcess>,
  expectDecided: boolean,
): {
  inputs: LabInput[];
  cutLines: number;
  verdict: RunVerdict;
  trace: string;
  chosen: string[];
  crashWindow: string | undefined;
} {
  let cutLines = 0;
  const evidence: PeerEvidence[] = [];
  const inputs: LabInput[] = cluster.peers.map(({ host }) => {
    const out = stdoutForValidation(peers.get(host) as PeerProcess);
    cutLines += out.cutLines;
    evidence.push({ host, text: out.text, incarnations: out.incarnations });
    return { file: `seed-${seed}/${host}.log`, host, text: out.text };
  });
  let crashWindow: string | undefined;
  let verdict: RunVerdict;
  let trace: string;
  let chosen: string[] = [];
  try {
    const result: TraceResult = validateRun(readLabRun(cluster, inputs), { expectDecided });
    verdict = result.verdict;
    trace = formatText(result);
    if (result.failure) crashWindow = crashWindowExplains(result.failure, evidence);
    chosen = [...new Set(result.chosen.map((c) => c.value))];
  } catch (err) {
    if (!(err instanceof TraceInputError)) throw err;
    verdict = 'ERROR';
    trace = `ERROR: ${err.message}`;
  }
  return { inputs, cutLines, verdict, trace, chosen, crashWindow };
}

/** The run's report, from what the peers printed and when, once every process is stopped. */
async function reportRun(
  ctx: RunContext,
  seed: number,
  plan: RunPlan,
  run: {
    peers: ReadonlyMap<string, PeerProcess>;
    expected: readonly string[];
    counts: FaultCounts;
    healedAt: number;
    problem?: string;
  },
): Promise<RunReport> {
  const { peers, expected, counts, healedAt, problem } = run;
  const decided = problem === undefined && !ctx.aborted();
  const silent = expected.filter((h) => (peers.get(h) as PeerProcess).decidedSilently);
  // A decided run must show every decision; a silent decision is checked above instead.
  const { inputs, cutLines, verdict, trace, chosen, crashWindow } = validateOutput(
    ctx.cluster,
    seed,
    peers,
    decided && silent.length === 0,
  );
  const choseTimes = expected.flatMap((h) => {
    const t = (peers.get(h) as PeerProcess).choseAt;
    return t === undefined ? [] : [t];
  });
  const decideMs = decided && choseTimes.length > 0 ? Math.max(...choseTimes) : undefined;
  const report: RunReport = {
    seed,
    decided,
    chosen,
    verdict,
    trace,
    faults: counts,
    ...(decideMs !== undefined ? { decideMs, afterFaultsMs: Math.max(0, decideMs - healedAt) } : {}),
    silent,
    cutLines,
    processes: [...peers.values()].reduce((n, p) => n + p.incarnations.length, 0),
    ...(problem ? { problem } : {}),
    ...(crashWindow ? { crashWindow } : {}),
    ...(ctx.aborted() ? { aborted: true } : {}),
  };
  if (ctx.keepDir && !ctx.aborted() && (verdict !== 'PASS' || !decided)) {
    report.evidence = await keepEvidence(ctx.keepDir, plan, report, inputs, peers);
  }
  return report;
}

async function keepEvidence(
  keepDir: string,
  plan: RunPlan,
  report: RunReport,
  inputs: readonly LabInput[],
  peers: ReadonlyMap<string, PeerProcess>,
): Promise<string> {
  const dir = path.resolve(keepDir, `seed-${plan.seed}`);
  await mkdir(dir, { recursive: true });
  for (const input of inputs) await writeFile(path.join(dir, `${input.host}.log`), input.text);
  for (const [host, p] of peers)
    for (const [i, inc] of p.incarnations.entries())
      await writeFile(path.join(dir, `${host}.${i + 1}.stderr`), inc.stderr);
  await writeFile(path.join(dir, 'plan.json'), `${JSON.stringify(planJson(plan), null, 2)}\n`);
  await writeFile(
    path.join(dir, 'report.txt'),
    `${report.trace}\n${report.problem ?? ''}\n${report.crashWindow ? `crash window: ${report.crashWindow}\n` : ''}`,
  );
  return dir;
}
