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
import { formatAddressOverride } from '../runtime/addresses';
import { mulberry32 } from '../sim/prng';
import { type LabInput, readLabRun, TraceInputError, type TraceResult, validateRun } from '../trace/index';
import { formatText } from '../trace/report';
import { crashWindowExplains, type PeerEvidence } from './crashWindow';
import { type FaultCounts, mixSeed, noFaults, planJson, planRun, type RunPlan } from './plan';
import { releasePorts, reservePorts } from './ports';
import { holdTempDir, type PeerCommand, PeerProcess, releaseTempDir, stdoutForValidation } from './processes';
import { FaultProxy } from './proxy';

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
  const counts = noFaults();
  const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'paxos-nemesis-'));
  holdTempDir(dataRoot);
  const hosts = cluster.peers.map((p) => p.host);
  // Not the plan's generator: which ports are free is the machine's business, not the seed's.
  const realPorts = await reservePorts(hosts.length, mulberry32(mixSeed(seed, Date.now() >>> 0)));
  const portOf = (host: string) => realPorts[hosts.indexOf(host)] as number;

  const { proxies, proxyPorts } = await openProxies(hosts, portOf, seed, counts);

  let launchedAt = Date.now();
  const since = () => Date.now() - launchedAt;
  let wake: () => void = () => {};
  const peers = new Map<string, PeerProcess>();
  for (const host of hosts) {
    const command = peerCommand(ctx, plan, host, { hosts, dataRoot, portOf, proxyPorts });
    peers.set(host, new PeerProcess(host, command, since, () => wake()));
  }
  const expected = expectedChoosers(cluster, plan.values).map((p) => p.host);
  const allDecided = () => undecided(expected, peers).length === 0;

  const timers = new Set<NodeJS.Timeout>();
  const at = (ms: number, f: () => void | Promise<void>) => {
    const t = setTimeout(() => {
      timers.delete(t);
      void f();
    }, ms);
    timers.add(t);
  };
  let healing = false;
  const restarts: Promise<void>[] = [];

  let healedAt = 0;
  let problem: string | undefined;
  try {
    launchedAt = Date.now();
    for (const p of peers.values()) p.start();
    for (const proxy of proxies.values()) proxy.faults = plan.network;
    schedule(plan, peers, proxies, counts, at, () => healing, restarts, linkKey);

    // The fault phase, then the heal.
    await waitUntil(
      () => ctx.aborted() || since() >= plan.faultPhaseMs,
      (w) => {
        wake = w;
      },
      plan.faultPhaseMs + 100,
    );
    healing = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    await Promise.all(restarts);
    for (const proxy of proxies.values()) {
      proxy.faults = undefined;
      proxy.healAll();
    }
    for (const p of peers.values()) {
      p.resume();
      if (!p.running) p.start();
    }
    healedAt = since();

    await waitUntil(
      () => ctx.aborted() || allDecided(),
      (w) => {
        wake = w;
      },
      ctx.decideTimeoutMs,
    );
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
    for (const t of timers) clearTimeout(t);
    await Promise.allSettled(restarts);
    await Promise.all([...peers.values()].map((p) => p.stop()));
    await Promise.all([...proxies.values()].map((p) => p.close()));
    releasePorts(realPorts);
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

/** Peers one of whose processes ended without the nemesis ending it, each once. */
const endedOnTheirOwn = (peers: ReadonlyMap<string, PeerProcess>): string[] => [
  ...new Set(
    [...peers.values()].flatMap((p) =>
      p.incarnations.filter((i) => i.ended !== undefined && !i.ended.includes('nemesis')).map(() => p.host),
    ),
  ),
];

const linkKey = (from: string, to: string) => `${from}->${to}`;

/** A listening fault proxy for every link, each drawing its faults from its own seed. */
async function openProxies(
  hosts: readonly string[],
  portOf: (host: string) => number,
  seed: number,
  counts: FaultCounts,
): Promise<{ proxies: Map<string, FaultProxy>; proxyPorts: Map<string, number> }> {
  const proxies = new Map<string, FaultProxy>();
  for (const [i, from] of hosts.entries())
    for (const [j, to] of hosts.entries()) {
      if (i === j) continue;
      const proxy = new FaultProxy({
        name: linkKey(from, to),
        targetPort: portOf(to),
        random: mulberry32(mixSeed(seed, i + 1, j + 1)),
        counts,
      });
      proxies.set(linkKey(from, to), proxy);
    }
  const proxyPorts = new Map<string, number>();
  for (const [k, proxy] of proxies) proxyPorts.set(k, await proxy.listen());
  return { proxies, proxyPorts };
}

/** The command line of peer `host`: its own port, and every other peer reached through its link's proxy. */
function peerCommand(
  ctx: RunContext,
  plan: RunPlan,
  host: string,
  where: {
    hosts: readonly string[];
    dataRoot: string;
    portOf: (host: string) => number;
    proxyPorts: ReadonlyMap<string, number>;
  },
): { command: string; args: string[] } {
  const { hosts, dataRoot, portOf, proxyPorts } = where;
  const value = plan.values.get(host);
  const delay = plan.delaysMs.get(host);
  const args = [
    ...ctx.paxos.args,
    'peer',
    '-h',
    ctx.hostsfile,
    '--name',
    host,
    '--port',
    String(portOf(host)),
    '--data-dir',
    path.join(dataRoot, host),
    ...hosts.flatMap((to) => [
      '--peer-address',
      formatAddressOverride(to, {
        host: '127.0.0.1',
        port: to === host ? portOf(host) : (proxyPorts.get(linkKey(host, to)) as number),
      }),
    ]),
    ...(value !== undefined ? ['-v', value] : []),
    ...(delay !== undefined ? ['-t', String(delay / 1000)] : []),
    ...(ctx.allowUnsafeQuorums ? ['--allow-unsafe-quorums'] : []),
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

/** Resolves once `done()` holds (re-checked whenever a peer prints and every 50 ms) or after `ms`. */
function waitUntil(done: () => boolean, setWake: (w: () => void) => void, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearInterval(poll);
      clearTimeout(limit);
      setWake(() => {});
      resolve();
    };
    const check = () => {
      if (done()) finish();
    };
    const poll = setInterval(check, 50);
    const limit = setTimeout(finish, ms);
    setWake(check);
    check();
  });
}

/** Arms the plan's process faults and partitions; none starts once the heal has begun. */
function schedule(
  plan: RunPlan,
  peers: ReadonlyMap<string, PeerProcess>,
  proxies: ReadonlyMap<string, FaultProxy>,
  counts: FaultCounts,
  at: (ms: number, f: () => void | Promise<void>) => void,
  healing: () => boolean,
  restarts: Promise<void>[],
  key: (from: string, to: string) => string,
): void {
  const hosts = [...peers.keys()];
  for (const f of plan.faults) {
    if (f.kind === 'kill') {
      at(f.at, () => {
        const p = peers.get(f.peer) as PeerProcess;
        if (healing() || !p.running) return;
        counts.kill += 1;
        // The heal waits for the kill itself, not for the restart, which it does at once instead.
        restarts.push(
          p.kill().then(() =>
            at(f.downMs, () => {
              if (!healing()) p.start();
            }),
          ),
        );
      });
    } else if (f.kind === 'pause') {
      at(f.at, () => {
        const p = peers.get(f.peer) as PeerProcess;
        if (healing() || !p.running || !p.pause()) return;
        counts.pause += 1;
        at(f.downMs, () => p.resume());
      });
    } else {
      const crossing = hosts.flatMap((a) =>
        hosts
          .filter((b) => a !== b && f.side.includes(a) !== f.side.includes(b))
          .map((b) => proxies.get(key(a, b)) as FaultProxy),
      );
      at(f.at, () => {
        if (healing()) return;
        counts.partition += 1;
        const heals = crossing.map((proxy) => proxy.cut(f.mode));
        at(f.downMs, () => {
          for (const heal of heals) heal();
        });
      });
    }
  }
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
