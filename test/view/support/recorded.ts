/**
 * Real runs recorded as structured traces by real processes (the built bundle over loopback
 * TCP), then read the way `paxos view` reads them. Recording is the slow part, so a test
 * file records each run once and checks both the model and the page on it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterConfig } from '../../../src/config/cluster';
import { loadHostsfile } from '../../../src/config/hostsfile';
import type { TraceResult } from '../../../src/trace/index';
import { type PlacedRecord, placeStructured, validateStructured } from '../../../src/trace/structured';
import { viewOfStructured } from '../../../src/view/fromStructured';
import type { RunView } from '../../../src/view/runView';
import { LocalPeers } from '../../e2e/support/localPeers';
import { CLI, ROOT, repoFile } from '../../e2e/support/paths';

export interface Recorded {
  name: string;
  cluster: ClusterConfig;
  files: string[];
  records: PlacedRecord[];
  result: TraceResult;
  view: RunView;
}

const dirs: string[] = [];
const labs: LocalPeers[] = [];

export async function cleanupRecordings(): Promise<void> {
  for (const l of labs.splice(0)) await l.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** What `paxos view` draws from these files, with the verdict `paxos trace` gives. */
function drawn(name: string, hostsfile: string, files: string[]): Recorded {
  const cluster = loadHostsfile(hostsfile);
  const inputs = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  const placed = placeStructured(cluster, inputs);
  const result = validateStructured(cluster, inputs);
  return {
    name,
    cluster,
    files,
    records: placed.records,
    result,
    view: viewOfStructured(cluster, placed, result, name),
  };
}

/** `paxos cluster --trace-dir` on one of the lab's testcases. */
export async function recordCluster(testcase: 1 | 2, args: readonly string[]): Promise<Recorded> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `paxos-view-tc${testcase}-`));
  dirs.push(dir);
  const hostsfile = repoFile(`hostsfile-testcase${testcase}.txt`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'cluster', '-h', hostsfile, '--trace-dir', dir, ...args], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`paxos cluster on testcase ${testcase} exited ${code}`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .map((f) => path.join(dir, f));
  return drawn(`testcase ${testcase}`, hostsfile, files);
}

const HOSTS = ['peer1', 'peer2', 'peer3', 'peer4', 'peer5'];

async function allChose(lab: LocalPeers, hosts = HOSTS): Promise<void> {
  for (const h of hosts) await lab.current.get(h)?.waitFor(() => lab.hasChosen(h), 20_000, `${h} chose`);
  // The last acks and announcements are part of the run too.
  await new Promise((r) => setTimeout(r, 300));
}

const traceHas = (lab: LocalPeers, host: string, text: string) =>
  existsSync(lab.traceFile(host)) && readFileSync(lab.traceFile(host), 'utf8').includes(text);

/**
 * Testcase 1 with a crash: peer2 is killed (SIGKILL, PAXOS_FAILPOINT) at its first save, its
 * promise stepped and recorded but never durable; peer4 is not up yet, so peer1 has one
 * promise of the two it needs and its round timer fires. Then peer2 restarts from its data
 * directory, peer4 starts, and everyone chooses X.
 */
export async function recordCrashRestart(): Promise<Recorded> {
  const lab = await LocalPeers.create(repoFile('hostsfile-testcase1.txt'));
  labs.push(lab);
  lab.start('peer2', [], { PAXOS_FAILPOINT: 'before-write:1' });
  for (const h of ['peer3', 'peer5']) lab.start(h);
  for (const h of ['peer2', 'peer3', 'peer5']) await lab.listening(h);
  lab.start('peer1', ['-v', 'X', '-t', '0.3']);
  const first = lab.current.get('peer2');
  await first?.waitFor(() => !first.running, 20_000, 'peer2 killed at its first save');
  const peer1 = lab.current.get('peer1');
  await peer1?.waitFor(() => traceHas(lab, 'peer1', '"kind":"timeout"'), 20_000, 'peer1 timed out');
  lab.start('peer2');
  lab.start('peer4');
  await allChose(lab);
  return drawn('crash and restart', lab.hostsfile, lab.traceFiles(HOSTS));
}

/** Testcase 1 where peer2 runs the faulty runtime that prints chose as soon as it accepts. */
export async function recordChoseOnAccept(): Promise<Recorded> {
  const lab = await LocalPeers.create(repoFile('hostsfile-testcase1.txt'));
  labs.push(lab);
  lab.start('peer2', [], { PAXOS_FAULT: 'chose-on-accept' });
  for (const h of ['peer3', 'peer4', 'peer5']) lab.start(h);
  lab.start('peer1', ['-v', 'X', '-t', '0.3']);
  await allChose(lab);
  return drawn('chose on accept (faulty runtime)', lab.hostsfile, lab.traceFiles(HOSTS));
}
