/** Running `paxos` for the trace tests: the built bundle, as users run it; every child is killed in the end. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const fixture = (name: string) => path.join(ROOT, 'test/trace/fixtures', name);
export const hostsfile = (tc: 1 | 2) => path.join(ROOT, `hostsfile-testcase${tc}.txt`);

const children = new Set<ChildProcess>();

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `paxos ARGS` in its own process group, so that killing it also stops a cluster's peers. */
export function paxos(args: readonly string[], timeoutMs = 60_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** For afterAll: whatever is still running (a test that timed out) is stopped with its children. */
export function killAll(): void {
  for (const child of children) killGroup(child);
  children.clear();
}

/** `paxos cluster` output (`peerN | {...}` lines, then a summary) as per-peer line lists. */
export function splitClusterOutput(stdout: string): Map<string, string[]> {
  const byPeer = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\s*\| (.*)$/.exec(line);
    if (!m) continue;
    const list = byPeer.get(m[1] as string) ?? [];
    byPeer.set(m[1] as string, list);
    list.push(m[2] as string);
  }
  return byPeer;
}
