/**
 * Every peer of a hostsfile as its own process on this machine, talking real TCP over
 * loopback: each gets a free port on 127.0.0.1 and learns the others' through
 * --peer-address, so /etc/hosts is left alone. Each run gets fresh data directories, so an
 * earlier run's promises cannot leak into this one. Output is interleaved like
 * `docker compose up`: `peer1 | {...}`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Value } from '../../machines/messages';
import { type ClusterConfig, type PeerConfig, takesPart } from '../config/cluster';
import { formatAddressOverride } from '../runtime/addresses';

export interface LocalClusterOptions {
  /** Path of the hostsfile, passed on to every peer. */
  hostsfile: string;
  cluster: ClusterConfig;
  values: ReadonlyMap<string, Value>;
  /** Seconds each named proposer waits before it starts (the peers' -t). */
  delays: ReadonlyMap<string, number>;
  timeoutMs: number;
  /** Launch these hosts first, in this order; the rest follow in file order. */
  order?: readonly string[];
  /** Pause between two launches. */
  staggerMs?: number;
  allowUnsafeQuorums?: boolean;
  /** Each peer writes its structured trace to DIR/<host>.ndjson, a fresh file per run. */
  traceDir?: string;
  /** Passed to every peer as --secret-file. */
  secretFile?: string;
  /** How to run `paxos`: the node binary and the arguments before the subcommand. */
  paxos: { command: string; args: readonly string[] };
  /** One line of combined stdout / stderr (without newline). */
  out: (line: string) => void;
  err: (line: string) => void;
}

interface ChoseRecord {
  value: Value;
  n: number;
  /** ms since the cluster started launching. */
  at: number;
}

export interface LocalClusterResult {
  decided: boolean;
  /** Peers expected to print chose: those of a group whose proposer has a value. */
  expected: string[];
  chose: Map<string, ChoseRecord[]>;
  /** Every protocol line, parsed, per host, in order. */
  lines: Map<string, Record<string, unknown>[]>;
  /** Lines on a peer's stdout that are not protocol JSON. */
  strayStdout: { host: string; line: string }[];
  /** ms since launch start: first `sent prepare` line, last chose line. */
  firstPrepareAt?: number;
  lastChoseAt?: number;
  /** Peers that exited before the run was over, with their exit code. */
  earlyExits: { host: string; code: number | null; signal: string | null }[];
  /** Why the run stopped, when it did not decide. */
  failure?: string;
}

/**
 * The kernel hands out ports for "any free port" from this range (Linux's default when it
 * cannot be read): ports below it are never given to a process that asks for any port.
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low && high && low > 2048) return [low, high];
  } catch {
    // not Linux: the default below
  }
  return [32768, 60999];
}

const tryListen = (port: number) =>
  new Promise<net.Server | undefined>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });

/**
 * Free TCP ports on 127.0.0.1, all held at once so that they differ, then released for the
 * peers. They are drawn below the ephemeral range: between the release and a peer's bind,
 * no other process asking the kernel for a free port can be given one of them.
 */
export async function freePorts(count: number): Promise<number[]> {
  const [low] = ephemeralRange();
  const base = Math.max(1024, low - 16384);
  const held: net.Server[] = [];
  for (let tries = 0; held.length < count && tries < count * 50; tries++) {
    const s = await tryListen(base + Math.floor(Math.random() * (low - base)));
    if (s) held.push(s);
  }
  if (held.length < count) throw new Error(`no ${count} free ports below ${low} on 127.0.0.1`);
  const ports = held.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Peers that must print chose: every member of a group whose proposer was given a value. */
export function expectedChoosers(cluster: ClusterConfig, values: ReadonlyMap<string, Value>): PeerConfig[] {
  const started = cluster.groups.filter((g) => {
    const proposer = cluster.peers.find((p) => p.id === g.proposer);
    return proposer !== undefined && values.has(proposer.host);
  });
  return cluster.peers.filter(
    (p) =>
      takesPart(p) &&
      started.some((g) => g.proposer === p.id || g.acceptors.includes(p.id) || g.learners.includes(p.id)),
  );
}

const KEYS = ['peer_id', 'action', 'message_type', 'message_value', 'proposal_num'];

function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    return Object.keys(v).join(',') === KEYS.join(',') ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Peers of a local cluster authenticate their frames with a secret made for this run alone
 * (in its private data root), unless one is given: nobody else on the machine can speak for
 * a peer, and the peers have nothing to warn about.
 */
export async function ownSecret(dataRoot: string): Promise<string> {
  const file = path.join(dataRoot, 'secret');
  await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return file;
}

/**
 * A run's trace files are its own: a peer appends to its --trace file (so that a restarted
 * peer continues its trace), and a second run appended to the first would read as one run
 * whose peers lost their state. Files of an earlier run are removed, and said so.
 */
/** A run's trace files are its own: an earlier run's in `dir` are removed, and said so. */
export async function freshTraceFiles(dir: string, cluster: ClusterConfig, err: (line: string) => void) {
  await mkdir(dir, { recursive: true });
  const files = cluster.peers.map((p) => path.join(dir, `${p.host}.ndjson`));
  const old = files.filter((f) => existsSync(f));
  await Promise.all(old.map((f) => rm(f, { force: true })));
  if (old.length > 0)
    err(`trace files of an earlier run replaced in ${dir}: ${old.map((f) => path.basename(f)).join(', ')}`);
}

/**
 * Keeps a line a peer printed: a protocol line under its host, anything else as stray
 * stdout. True for a chose line.
 */
function recordLine(result: LocalClusterResult, host: string, line: string, since: () => number): boolean {
  const parsed = parseLogLine(line);
  if (!parsed) {
    result.strayStdout.push({ host, line });
    return false;
  }
  result.lines.get(host)?.push(parsed);
  if (parsed.action === 'sent' && parsed.message_type === 'prepare' && result.firstPrepareAt === undefined)
    result.firstPrepareAt = since();
  if (parsed.action !== 'chose') return false;
  const at = since();
  result.lastChoseAt = at;
  const record = { value: String(parsed.message_value), n: Number(parsed.proposal_num), at };
  result.chose.set(host, [...(result.chose.get(host) ?? []), record]);
  return true;
}

const emptyResult = (cluster: ClusterConfig, expected: string[]): LocalClusterResult => ({
  decided: false,
  expected,
  chose: new Map(),
  lines: new Map(cluster.peers.map((p) => [p.host, []])),
  strayStdout: [],
  earlyExits: [],
});

/** The peers named in `first`, in that order, then the rest in hostsfile order. */
const launchOrder = (cluster: ClusterConfig, first: readonly string[]): PeerConfig[] => [
  ...first.map((h) => cluster.peers.find((p) => p.host === h) as PeerConfig),
  ...cluster.peers.filter((p) => !first.includes(p.host)),
];

const timedOut = (timeoutMs: number, expected: readonly string[], result: LocalClusterResult): string =>
  `timed out after ${timeoutMs / 1000} s: no chose from ${expected.filter((h) => !result.chose.has(h)).join(', ')}`;

/** The `paxos peer` arguments of one peer of the cluster. */
function peerArgs(
  options: LocalClusterOptions,
  peer: PeerConfig,
  where: { port: number; dataRoot: string; addressArgs: readonly string[]; secretFile: string },
): string[] {
  const value = options.values.get(peer.host);
  const delay = options.delays.get(peer.host);
  return [
    ...options.paxos.args,
    'peer',
    '-h',
    options.hostsfile,
    '--name',
    peer.host,
    '--port',
    String(where.port),
    '--data-dir',
    path.join(where.dataRoot, peer.host),
    ...where.addressArgs,
    '--secret-file',
    where.secretFile,
    ...(value !== undefined ? ['-v', value] : []),
    ...(delay !== undefined ? ['-t', String(delay)] : []),
    ...(options.allowUnsafeQuorums ? ['--allow-unsafe-quorums'] : []),
    ...(options.traceDir !== undefined
      ? ['--trace', path.join(options.traceDir, `${peer.host}.ndjson`)]
      : []),
  ];
}

/** SIGTERM to every peer still running, SIGKILL to those left after 3 s; resolves once all have exited. */
export async function stopChildren(
  children: ReadonlyMap<string, ChildProcess>,
  exited: ReadonlyMap<string, Promise<void>>,
): Promise<void> {
  for (const child of children.values()) if (child.exitCode === null) child.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  }, 3000);
  await Promise.all(exited.values());
  clearTimeout(killer);
}

export async function runLocalCluster(options: LocalClusterOptions): Promise<LocalClusterResult> {
  const { cluster } = options;
  if (options.traceDir !== undefined) await freshTraceFiles(options.traceDir, cluster, options.err);
  // Times are taken from the first launch, after the ports and directories are ready.
  let started = Date.now();
  const since = () => Date.now() - started;
  const ports = await freePorts(cluster.peers.length);
  const addressArgs = cluster.peers.flatMap((p, i) => [
    '--peer-address',
    formatAddressOverride(p.host, { host: '127.0.0.1', port: ports[i] as number }),
  ]);
  const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'paxos-cluster-'));
  const secretFile = options.secretFile ?? (await ownSecret(dataRoot));
  const width = Math.max(...cluster.peers.map((p) => p.host.length));
  const label = (host: string) => host.padEnd(width);

  const expected = expectedChoosers(cluster, options.values).map((p) => p.host);
  const result = emptyResult(cluster, expected);
  const children = new Map<string, ChildProcess>();
  const exited = new Map<string, Promise<void>>();
  let stopping = false;
  let finished = false;
  let resolveDone: (failure?: string) => void = () => {};
  const done = new Promise<string | undefined>((resolve) => {
    resolveDone = resolve;
  });
  const finish = (failure?: string) => {
    finished = true;
    resolveDone(failure);
  };
  const allChose = () => expected.every((h) => (result.chose.get(h)?.length ?? 0) > 0);

  const onStdout = (host: string, line: string) => {
    options.out(`${label(host)} | ${line}`);
    if (recordLine(result, host, line, since) && allChose()) finish();
  };

  const launch = (peer: PeerConfig, index: number) => {
    const args = peerArgs(options, peer, { port: ports[index] as number, dataRoot, addressArgs, secretFile });
    const child = spawn(options.paxos.command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(peer.host, child);
    const stdoutClosed = new Promise<void>((resolve) => {
      const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      rl.on('line', (line) => onStdout(peer.host, line));
      rl.on('close', resolve);
    });
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      // Once the cluster stops its peers, their complaints about each other going away are noise.
      if (!stopping) options.err(`${label(peer.host)} | ${line}`);
    });
    exited.set(
      peer.host,
      new Promise<void>((resolve) => {
        child.on('exit', (code, signal) => {
          void stdoutClosed.then(() => {
            if (!stopping) {
              result.earlyExits.push({ host: peer.host, code, signal });
              finish(`${peer.host} exited (${signal ?? `code ${code}`}) before the run was over`);
            }
            resolve();
          });
        });
      }),
    );
  };

  const order = launchOrder(cluster, options.order ?? []);
  const timeout = setTimeout(() => finish(timedOut(options.timeoutMs, expected, result)), options.timeoutMs);
  const interrupt = () => finish('interrupted');
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    started = Date.now();
    for (const peer of order) {
      if (finished) break;
      launch(peer, cluster.peers.indexOf(peer));
      if (options.staggerMs && peer !== order.at(-1))
        await new Promise((r) => setTimeout(r, options.staggerMs));
    }
    if (expected.length === 0) finish('no proposer has a value: nothing to decide');
    const failure = await done;
    if (failure) result.failure = failure;
    result.decided = failure === undefined;
  } finally {
    clearTimeout(timeout);
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    stopping = true;
    await stopChildren(children, exited);
    await rm(dataRoot, { recursive: true, force: true });
  }
  return result;
}
