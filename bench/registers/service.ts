/**
 * Our register service as a user starts it: `paxos cluster --serve` on the three-peer
 * hostsfile (three `paxos serve` processes, each fsyncing its store), driven through the
 * HTTP API of interface.md.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { request } from './http';
import type { Target } from './target';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = process.env.PAXOS_CLI ?? path.join(ROOT, 'dist/cli.js');

const registerPath = (key: string) => `/v1/registers/${encodeURIComponent(key)}`;

const stateOf = (body: Record<string, unknown>) => ({
  value: typeof body.value === 'string' ? body.value : null,
  version: Number(body.version ?? 0),
});

function started(child: ReturnType<typeof spawn>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const m = /^endpoints: (.+)$/.exec(line);
      if (m) resolve((m[1] as string).split(','));
    });
    child.once('exit', (code) => reject(new Error(`paxos cluster --serve exited (${code}) before serving`)));
  });
}

export async function startService(): Promise<Target> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-registers-'));
  const hostsfile = path.join(path.dirname(CLI), '..', 'hostsfile-registers.txt');
  const args = [CLI, 'cluster', '--serve', '-h', hostsfile, '--data-dir', dataDir];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const endpoints = await started(child);
  return {
    name: 'ours',
    endpoints,
    pids: [child.pid as number],
    async put(e, key, value) {
      return (await request(e, 'PUT', registerPath(key), { value })).status === 200;
    },
    async get(e, key) {
      const a = await request(e, 'GET', registerPath(key));
      return a.status === 200 || a.status === 404 ? stateOf(a.body) : null;
    },
    async putIfVersion(e, key, value, version) {
      const a = await request(e, 'PUT', registerPath(key), { value, ifVersion: version });
      if (a.status === 200) return { outcome: 'ok' };
      if (a.status === 409) return { outcome: 'mismatch', current: stateOf(a.body) };
      return { outcome: 'error' };
    },
    async stop() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
