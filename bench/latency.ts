/**
 * Decision latency of real peers, measured as the lab's testbed runs them: each peer its own
 * process in its own network namespace on veth, on one bridge, as under Docker Compose
 * (as root; on loopback otherwise, and the output says so). fsync on, as always.
 *
 *   testcase 1 in the lab's start orders, each run alternated with the anchor's in the same order:
 *     acceptors first: peer2..peer5 start, peer1 0.5 s later, proposing at once;
 *     proposer first: peer1 (-t 1) starts, the others 0.3 s later;
 *     all at once: every peer launched together, peer1 without -t;
 *     one peer restarted: all at once, peer1 with -t 1.5; peer2 is SIGKILLed and started
 *       again on its data directory 0.7 s in, before the proposal;
 *   testcase 2, acceptors first: peer2..peer4, then peer1 (-v X) and peer5 (-v Y -t 1) 0.5 s
 *     later (no anchor: it walks testcase 1's path only).
 * From the first `sent prepare` to the last `chose`.
 *
 * The breakdown follows testcase 1's critical path backwards from the last chose line
 * (e.g. acceptor chose <- proposer decides <- acceptor accepts <- proposer sends accept <-
 * acceptor promises <- proposer sends prepare), with each peer's own batch timings
 * (PAXOS_TIMING=1, the machine's monotonic clock): receive -> durable (stepping and the
 * fdatasync), durable -> sent, and the wire (the gaps between one peer's send and the next
 * one's receive: kernel, veth, node's event loop). Beside it, the floor measured in the
 * same run: one append + fdatasync on this disk, and one TCP round trip between two
 * namespaces, node to node.
 *
 *   npm run bench:latency            # 20 runs per set-up
 *   npm run bench:latency -- 40      # or BENCH_RUNS=40
 *   BENCH_SCENARIOS=1 BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:latency -- 5
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../src/cluster/localCluster';
import type { ClusterConfig, PeerConfig } from '../src/config/cluster';
import { loadHostsfile } from '../src/config/hostsfile';
import { NetnsLab, netnsUnavailable } from '../test/e2e/support/netns';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/cli.js');
const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 20);
/** BENCH_VERBOSE=1: each run's critical path, batch by batch, on stderr. */
const verbose = process.env.BENCH_VERBOSE === '1';
/** Which set-ups to run, by number (BENCH_SCENARIOS=1,3); all when unset. */
const picked = process.env.BENCH_SCENARIOS?.split(',').map(Number);
/** Extra node flags for every peer (BENCH_NODE_ARGS='--cpu-prof'), to compare or profile. */
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`runs must be a positive integer, got ${process.argv[2]}`);
// BENCH_BUILD=0: the bundle is already built (the suite's smoke test, whose neighbours run it).
if (process.env.BENCH_BUILD !== '0')
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });

const veth = netnsUnavailable() === undefined;
/** BENCH_ANCHOR=0 leaves out the anchor (bench/anchorPeer.mjs), which otherwise alternates with testcase 1. */
const withAnchor = process.env.BENCH_ANCHOR !== '0';
/** The anchor's row beside a scenario: minimal Node peers, same path and fdatasyncs (bench/anchorPeer.mjs). */
const anchorName = (s: { name: string }) => `anchor, ${s.name.replace(/^testcase 1, /, '')}`;
const HOSTS = ['peer1', 'peer2', 'peer3', 'peer4', 'peer5'];
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

interface Timing {
  arrived: number;
  stepped: number;
  durable: number;
  sent: number;
  saved: boolean;
  cpu: number;
  sys: number;
  printed: string[];
}

interface Peer {
  host: string;
  child: ChildProcess;
  timings: Timing[];
  /** Bench-side arrival time of each stdout line, with the line. */
  lines: { at: number; line: string }[];
}

/** Starts one peer: in its namespace (veth) or on loopback with its own port. */
type Launch = (host: string, args: string[], dataDir: string) => Peer;

/** The anchor's configuration of one peer (bench/anchorPeer.mjs). */
interface AnchorConfig {
  id: number;
  role: 'proposer' | 'acceptor' | 'learner';
  port: number;
  peers: { id: number; host: string; port: number; role: string }[];
  value: string;
  delayMs: number;
  dataDir: string;
}

/** Starts real peers, or anchor peers in the same places; `endpoint` says where a peer listens. */
interface Launcher {
  launch: Launch;
  launchAnchor: (host: string, config: AnchorConfig) => Peer;
  endpoint: (host: string) => { host: string; port: number };
  close: () => Promise<void>;
}

function watch(host: string, child: ChildProcess): Peer {
  const peer: Peer = { host, child, timings: [], lines: [] };
  if (child.stdout)
    createInterface({ input: child.stdout }).on('line', (line) =>
      peer.lines.push({ at: monotonicMs(), line }),
    );
  if (child.stderr)
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.startsWith('timing ')) peer.timings.push(JSON.parse(line.slice(7)) as Timing);
      else if (!/not reachable yet|connected to/.test(line)) process.stderr.write(`${host}: ${line}\n`);
    });
  return peer;
}

const anchorPeer = path.join(root, 'bench/anchorPeer.mjs');

async function launcher(): Promise<Launcher> {
  const env = { ...process.env, PAXOS_TIMING: '1' };
  if (veth) {
    const lab = NetnsLab.create(HOSTS);
    return {
      launch: (host, args, dataDir) => {
        const w = lab.run(
          host,
          'env',
          ['PAXOS_TIMING=1', process.execPath, ...nodeArgs, cli, 'peer', ...args, '--data-dir', dataDir],
          root,
        );
        return watch(host, w.child);
      },
      launchAnchor: (host, config) =>
        watch(
          host,
          lab.run(host, 'env', ['PAXOS_TIMING=1', process.execPath, anchorPeer, JSON.stringify(config)], root)
            .child,
        ),
      endpoint: (host) => ({ host, port: 8080 }),
      close: () => lab.destroy(),
    };
  }
  const ports = await freePorts(HOSTS.length);
  const addresses = HOSTS.flatMap((h, i) => ['--peer-address', `${h}=127.0.0.1:${ports[i]}`]);
  return {
    launch: (host, args, dataDir) => {
      const port = String(ports[HOSTS.indexOf(host)]);
      const child = spawn(
        process.execPath,
        [
          ...nodeArgs,
          cli,
          'peer',
          ...args,
          '--name',
          host,
          '--port',
          port,
          '--data-dir',
          dataDir,
          ...addresses,
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      return watch(host, child);
    },
    launchAnchor: (host, config) =>
      watch(
        host,
        spawn(process.execPath, [anchorPeer, JSON.stringify(config)], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ),
    endpoint: (host) => ({ host: '127.0.0.1', port: ports[HOSTS.indexOf(host)] as number }),
    close: async () => {},
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Scenario {
  name: string;
  hostsfile: string;
  /** Per host: extra arguments (-v, -t). */
  args: Record<string, string[]>;
  /** Hosts started first, then the rest after `headStartMs`. */
  first: string[];
  headStartMs: number;
  /** Kill this host's process `atMs` after the last launch and start it again on its data. */
  restart?: { host: string; atMs: number };
  /** Alternate each run with the anchor's, started the same way (testcase 1 only). */
  anchored: boolean;
}

const ACCEPTORS_TC1 = ['peer2', 'peer3', 'peer4', 'peer5'];
const SCENARIOS: Scenario[] = [
  {
    name: 'testcase 1, acceptors first',
    hostsfile: 'hostsfile-testcase1.txt',
    args: { peer1: ['-v', 'X'] },
    first: ACCEPTORS_TC1,
    headStartMs: 500,
    anchored: true,
  },
  {
    name: 'testcase 1, proposer first',
    hostsfile: 'hostsfile-testcase1.txt',
    args: { peer1: ['-v', 'X', '-t', '1'] },
    first: ['peer1'],
    headStartMs: 300,
    anchored: true,
  },
  {
    name: 'testcase 1, all at once',
    hostsfile: 'hostsfile-testcase1.txt',
    args: { peer1: ['-v', 'X'] },
    first: HOSTS,
    headStartMs: 0,
    anchored: true,
  },
  {
    name: 'testcase 1, one peer restarted',
    hostsfile: 'hostsfile-testcase1.txt',
    args: { peer1: ['-v', 'X', '-t', '1.5'] },
    first: HOSTS,
    headStartMs: 0,
    restart: { host: 'peer2', atMs: 700 },
    anchored: true,
  },
  {
    name: 'testcase 2, acceptors first',
    hostsfile: 'hostsfile-testcase2.txt',
    args: { peer1: ['-v', 'X'], peer5: ['-v', 'Y', '-t', '1'] },
    first: ['peer2', 'peer3', 'peer4'],
    headStartMs: 500,
    anchored: false,
  },
];

interface Measured {
  total: number;
  breakdown?: {
    toStepped: number;
    toDurable: number;
    toSent: number;
    wire: number;
    cpu: number;
    hops: number;
  };
}

const kind = (line: string) => {
  const { action, message_type } = JSON.parse(line) as { action: string; message_type: string };
  return action === 'chose' ? 'chose' : `${action}:${message_type}`;
};

/**
 * The critical path, walked back from the last chose batch: each batch's cause is the
 * latest batch of another peer that sent a message of a type it received, let out before it
 * arrived (its frames leave after `durable`; the receiver, on the other core, may take one in
 * before the sender's `sent` stamp, so that hop's wire time is then a little below zero);
 * the walk ends at the batch that received nothing (the proposer's start). Its batches' own
 * times and the gaps between them add up to the total.
 */
function breakdown(peers: Peer[]): Measured['breakdown'] {
  const batches = peers.flatMap((p) => p.timings.map((t) => ({ ...t, host: p.host })));
  const end = batches.filter((t) => t.printed.includes('chose')).sort((a, b) => b.sent - a.sent)[0];
  if (!end) return undefined;
  let toStepped = 0;
  let cpu = 0;
  let toDurable = 0;
  let toSent = 0;
  let wire = 0;
  let hops = 0;
  const path: string[] = [];
  for (let b = end; ; ) {
    path.unshift(
      `${b.host} [${b.printed.join(' ')}] step ${ms(b.stepped - b.arrived)} save ${ms(b.durable - b.stepped)} out ${ms(b.sent - b.durable)} (cpu ${ms(b.cpu)}, of which system ${ms(b.sys)})`,
    );
    const received = b.printed
      .filter((k) => k.startsWith('received:'))
      .map((k) => k.replace('received:', 'sent:'));
    if (received.length === 0) {
      if (verbose) process.stderr.write(`  critical path:\n    ${path.join('\n    ')}\n`);
      break;
    }
    const cause = batches
      .filter(
        (t) => t.host !== b.host && t.durable <= b.arrived && t.printed.some((k) => received.includes(k)),
      )
      .sort((x, y) => y.sent - x.sent)[0];
    if (!cause) return undefined;
    toStepped += b.stepped - b.arrived;
    cpu += b.cpu;
    toDurable += b.durable - b.arrived;
    toSent += b.sent - b.durable;
    wire += b.arrived - cause.sent;
    path.unshift(`  wire ${ms(b.arrived - cause.sent)}`);
    hops++;
    b = cause;
  }
  return { toStepped, toDurable, toSent, wire, cpu, hops };
}

/** What the anchor runs for `host` of testcase 1: its role, its peers, and its -v and -t. */
function anchorConfig(
  l: Launcher,
  s: Scenario,
  cluster: ClusterConfig,
  host: string,
  dataDir: string,
): AnchorConfig {
  const role = (p: PeerConfig) =>
    p.proposer.length > 0 ? 'proposer' : p.acceptor.length > 0 ? 'acceptor' : 'learner';
  const self = cluster.peers.find((p) => p.host === host);
  if (!self) throw new Error(`${s.hostsfile} has no ${host}`);
  const args = s.args[host] ?? [];
  const flag = (f: string) => (args.includes(f) ? args[args.indexOf(f) + 1] : undefined);
  const t = flag('-t');
  return {
    id: self.id,
    role: role(self),
    port: l.endpoint(host).port,
    peers: cluster.peers.map((p) => ({ id: p.id, ...l.endpoint(p.host), role: role(p) })),
    value: flag('-v') ?? '',
    delayMs: t === undefined ? 0 : Number(t) * 1000,
    dataDir,
  };
}

const exited = (p: Peer) =>
  new Promise((r) =>
    p.child.exitCode !== null || p.child.signalCode !== null ? r(null) : p.child.once('exit', r),
  );

/** Kills `host`'s process at `atMs` and starts it again on the same data directory. */
async function restartPeer(
  peers: Peer[],
  restart: { host: string; atMs: number },
  start: (host: string) => void,
): Promise<void> {
  await sleep(restart.atMs);
  const i = peers.findIndex((p) => p.host === restart.host);
  const old = peers[i] as Peer;
  old.child.kill('SIGKILL');
  await exited(old);
  peers.splice(i, 1);
  start(restart.host);
}

async function runOnce(l: Launcher, s: Scenario, dataRoot: string, anchor = false): Promise<Measured> {
  const peers: Peer[] = [];
  const cluster = loadHostsfile(path.join(root, s.hostsfile));
  const start = (host: string) => {
    const dataDir = path.join(dataRoot, host);
    if (anchor) peers.push(l.launchAnchor(host, anchorConfig(l, s, cluster, host, dataDir)));
    else peers.push(l.launch(host, ['-h', path.join(root, s.hostsfile), ...(s.args[host] ?? [])], dataDir));
  };
  const participants = cluster.peers.map((p) => p.host);
  for (const h of s.first) start(h);
  if (s.headStartMs > 0) await sleep(s.headStartMs);
  for (const h of participants.filter((x) => !s.first.includes(x))) start(h);
  if (s.restart) await restartPeer(peers, s.restart, start);
  const end = Date.now() + 30_000;
  const chose = () => peers.filter((p) => p.lines.some((l) => kind(l.line) === 'chose')).length;
  while (chose() < participants.length && Date.now() < end) await sleep(5);
  await sleep(50);
  // A profiled peer must exit on its own to write its profile.
  for (const p of peers) p.child.kill(nodeArgs.length > 0 ? 'SIGTERM' : 'SIGKILL');
  await Promise.all(peers.map(exited));
  if (chose() < participants.length) throw new Error(`${s.name}: not every peer chose within 30 s`);
  const all = peers.flatMap((p) => p.lines);
  const first = Math.min(...all.filter((l) => kind(l.line) === 'sent:prepare').map((l) => l.at));
  const last = Math.max(...all.filter((l) => kind(l.line) === 'chose').map((l) => l.at));
  // The peers' own clock for the total where the breakdown exists, so the parts add up to it.
  const b = s.hostsfile === 'hostsfile-testcase1.txt' ? breakdown(peers) : undefined;
  const prepare = Math.min(
    ...peers.flatMap((p) => p.timings.filter((t) => t.printed.includes('sent:prepare')).map((t) => t.sent)),
  );
  const lastChose = Math.max(
    ...peers.flatMap((p) => p.timings.filter((t) => t.printed.includes('chose')).map((t) => t.sent)),
  );
  const total = Number.isFinite(prepare) && Number.isFinite(lastChose) ? lastChose - prepare : last - first;
  return b ? { total, breakdown: b } : { total };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
};
const ms = (x: number) => x.toFixed(2);
const row = (name: string, xs: number[]) =>
  `| ${name} | ${ms(quantile(xs, 0.5))} | ${ms(quantile(xs, 0.9))} | ${ms(Math.min(...xs))} | ${ms(Math.max(...xs))} |`;

/** One append + fdatasync on the disk the peers write to, as the store does it. */
function fsyncFloor(dir: string): number[] {
  const fd = fs.openSync(path.join(dir, 'fsync-probe'), 'w');
  const record = Buffer.alloc(160, 'x');
  const out: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = monotonicMs();
    fs.writeSync(fd, record);
    fs.fdatasyncSync(fd);
    out.push(monotonicMs() - t);
  }
  fs.closeSync(fd);
  return out;
}

/**
 * One append + fdatasync in each of `writers` processes at the same moment, as the three
 * acceptors of a round do when a prepare or an accept reaches them together: they share
 * one disk, and each waits for the others' flushes.
 */
async function concurrentFsyncFloor(dir: string, writers: number): Promise<number[]> {
  const script = `const fs=require('fs');const fd=fs.openSync(process.argv[1],'w');fs.writeSync(fd,Buffer.alloc(65536));fs.fsyncSync(fd);let i=0;const out=[];require('readline').createInterface({input:process.stdin}).on('line',(l)=>{if(l==='end'){console.log(JSON.stringify(out));process.exit(0)}const t=process.hrtime.bigint();fs.writeSync(fd,Buffer.alloc(160,1),0,160,(i++%300)*200);fs.fdatasyncSync(fd);out.push(Number(process.hrtime.bigint()-t)/1e6)});console.log('up')`;
  const children = Array.from({ length: writers }, (_, k) =>
    spawn(process.execPath, ['-e', script, path.join(dir, `fsync-${k}`)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const outputs = children.map((c) => {
    let text = '';
    c.stdout?.on('data', (d) => {
      text += d;
    });
    return () => text;
  });
  while (!outputs.every((o) => o().includes('up'))) await sleep(10);
  for (let i = 0; i < 100; i++) {
    for (const c of children) c.stdin?.write('go\n');
    await sleep(15);
  }
  for (const c of children) c.stdin?.write('end\n');
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
  return outputs.flatMap(
    (o) =>
      JSON.parse(
        o()
          .split('\n')
          .find((l) => l.startsWith('[')) ?? '[]',
      ) as number[],
  );
}

/**
 * TCP round trips, node to node, between two namespaces (or on loopback): 200 one-line
 * pings, back to back (`gapMs` 0) or with both processes idle in between, as peers are
 * between the steps of a decision (each wake-up of an idle process costs what it costs on
 * this virtual machine).
 */
async function roundTripFloor(gapMs: number): Promise<number[]> {
  const echo = `require('net').createServer((s)=>{s.setNoDelay(true);s.pipe(s)}).listen(9100,()=>console.log('up'))`;
  const ping = `const s=require('net').connect(9100,process.argv[1],()=>{s.setNoDelay(true);const out=[];let t=0;const go=()=>{t=process.hrtime.bigint();s.write('x\\n')};s.on('data',()=>{out.push(Number(process.hrtime.bigint()-t)/1e6);if(out.length<200)setTimeout(go,${gapMs});else{console.log(JSON.stringify(out));s.destroy()}});go()})`;
  let server: ChildProcess;
  let client: ChildProcess;
  let lab: NetnsLab | undefined;
  if (veth) {
    lab = NetnsLab.create(['rtt1', 'rtt2']);
    server = lab.run('rtt1', process.execPath, ['-e', echo], root).child;
    await new Promise((r) => server.stdout?.once('data', r));
    client = lab.run('rtt2', process.execPath, ['-e', ping, lab.addresses.get('rtt1') as string], root).child;
  } else {
    server = spawn(process.execPath, ['-e', echo], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => server.stdout?.once('data', r));
    client = spawn(process.execPath, ['-e', ping, '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  }
  let text = '';
  client.stdout?.on('data', (d) => {
    text += d;
  });
  await new Promise((r) => client.once('exit', r));
  server.kill('SIGKILL');
  await lab?.destroy();
  return (JSON.parse(text) as number[]).slice(20);
}

/** Ours against the anchor started the same way: medians, and run by run (the runs alternated). */
function reportAnchorRatio(s: Scenario, floor: number): void {
  const ours = (results.get(s.name) ?? []).map((m) => m.total);
  const anchor = (results.get(anchorName(s)) ?? []).map((m) => m.total);
  if (anchor.length === 0 || ours.length === 0) return;
  const paired = ours.map((x, i) => x / (anchor[i] ?? Number.NaN));
  const [o, a] = [quantile(ours, 0.5), quantile(anchor, 0.5)];
  console.log(
    `${s.name}: median ${ms(o)} ms, ${ms(o / a)}x the anchor's ${ms(a)} ms (${ms(a / floor)}x the floor); run by run ${ms(quantile(paired, 0.5))}x, ${ms(Math.min(...paired))}-${ms(Math.max(...paired))}x`,
  );
}

const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'paxos-bench-'));
const results = new Map<string, Measured[]>();
try {
  const l = await launcher();
  try {
    for (const s of SCENARIOS.filter((_, i) => picked === undefined || picked.includes(i + 1))) {
      const got: Measured[] = [];
      // Testcase 1's runs alternate with the anchor's, so that both meet the same moods of the host.
      const anchored = s.anchored && withAnchor;
      const anchorGot: Measured[] = [];
      for (let i = 0; i < runs; i++) {
        const dir = path.join(dataRoot, `${s.name.replace(/\W+/g, '-')}-${i}`);
        const m = await runOnce(l, s, dir);
        got.push(m);
        process.stderr.write(`${s.name}, run ${i + 1}/${runs}: ${ms(m.total)} ms\n`);
        if (!anchored) continue;
        const a = await runOnce(l, s, `${dir}-anchor`, true);
        anchorGot.push(a);
        process.stderr.write(`${anchorName(s)}, run ${i + 1}/${runs}: ${ms(a.total)} ms\n`);
      }
      results.set(s.name, got);
      if (anchored) results.set(anchorName(s), anchorGot);
    }
  } finally {
    await l.close();
  }
  const fsync = fsyncFloor(dataRoot);
  const fsync3 = await concurrentFsyncFloor(dataRoot, 3);
  const rtt = await roundTripFloor(0);
  const idleRtt = await roundTripFloor(20);

  const [load1] = os.loadavg();
  console.log(
    `${veth ? 'veth: each peer in its own network namespace, one bridge (as under Docker Compose)' : 'loopback (not root: no network namespaces)'}; ${runs} runs per set-up; fsync on; ${os.cpus().length} cores, load average ${load1?.toFixed(1)} at the end`,
  );
  console.log('| first sent prepare -> last chose, ms | median | p90 | min | max |');
  console.log('|---|---|---|---|---|');
  for (const [name, got] of results)
    console.log(
      row(
        name,
        got.map((m) => m.total),
      ),
    );
  const parts = (name: string) => {
    const measured = (results.get(name) ?? []).filter((m) => m.breakdown);
    if (measured.length === 0) return;
    const part = (f: (b: NonNullable<Measured['breakdown']>) => number) =>
      measured.map((m) => f(m.breakdown as never));
    const hops = [...new Set(part((b) => b.hops))].join(' or ');
    console.log(`| ${name}, where the time went | | | | |`);
    console.log(
      row(
        `  arrival -> stepped (${hops} batches)`,
        part((b) => b.toStepped),
      ),
    );
    console.log(
      row(
        `  stepped -> durable (${hops} batches)`,
        part((b) => b.toDurable - b.toStepped),
      ),
    );
    console.log(
      row(
        `  durable -> sent (${hops} batches)`,
        part((b) => b.toSent),
      ),
    );
    console.log(
      row(
        `  wire (${hops} hops)`,
        part((b) => b.wire),
      ),
    );
    console.log(
      row(
        '  CPU time of those batches (user + system, all threads of the peer)',
        part((b) => b.cpu),
      ),
    );
  };
  parts(SCENARIOS[0]?.name ?? '');
  if (SCENARIOS[0]) parts(anchorName(SCENARIOS[0]));
  console.log(row('floor: one append + fdatasync', fsync));
  console.log(row('floor: one append + fdatasync in each of 3 processes at once', fsync3));
  console.log(row('floor: one TCP round trip, node to node, back to back', rtt));
  console.log(row('floor: one TCP round trip, node to node, idle in between', idleRtt));
  const tc1Median = quantile(
    (results.get(SCENARIOS[0]?.name ?? '') ?? []).map((m) => m.total),
    0.5,
  );
  // The critical path's four saves: three acceptors' promises at once, their acceptances
  // at once, the proposer's decision alone, the acceptors' decisions at once.
  const floor = 3 * quantile(fsync3, 0.5) + quantile(fsync, 0.5) + 2.5 * quantile(idleRtt, 0.5);
  console.log(
    `floor of a decision (3 concurrent + 1 lone fdatasync, 5 one-way hops between idle processes, medians): ${ms(floor)} ms; testcase 1's median is ${ms(tc1Median / floor)}x of it`,
  );
  for (const sc of SCENARIOS) reportAnchorRatio(sc, floor);
} finally {
  fs.rmSync(dataRoot, { recursive: true, force: true });
}
