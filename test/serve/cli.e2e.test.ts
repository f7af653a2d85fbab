/**
 * `paxos cluster --serve` (three peers with a shared secret, so frames are authenticated)
 * driven by `paxos kv` as a user would: answers as JSON lines, exit codes as --help says;
 * with `--trace-dir`, the run's traces then pass `paxos trace`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CLI, repoFile, requireBuiltCli } from '../e2e/support/paths';
import { run, Watched } from '../e2e/support/processes';

let cluster: Watched;
let endpoints = '';
const traces = mkdtempSync(path.join(os.tmpdir(), 'paxos-serve-traces-'));

beforeAll(async () => {
  requireBuiltCli();
  const child = spawn(
    process.execPath,
    [CLI, 'cluster', '--serve', '-h', repoFile('hostsfile-registers.txt'), '--trace-dir', traces],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  cluster = new Watched('cluster', child);
  await cluster.waitFor(() => cluster.stdout.some((l) => l.startsWith('endpoints: ')), 15_000, 'endpoints');
  endpoints = (cluster.stdout.find((l) => l.startsWith('endpoints: ')) ?? '').slice('endpoints: '.length);
});
afterAll(async () => {
  // SIGTERM lets the cluster stop its peers and remove its directory.
  await cluster?.stop('SIGTERM');
  rmSync(traces, { recursive: true, force: true });
});

const kv = async (...args: string[]) => {
  const r = await run(process.execPath, [CLI, 'kv', ...args, '--endpoints', endpoints], {
    timeoutMs: 20_000,
  });
  return { code: r.code, answer: JSON.parse(r.stdout) as Record<string, unknown> };
};

test('paxos kv against paxos cluster --serve', async () => {
  expect(endpoints.split(',')).toHaveLength(3);
  expect(await kv('get', 'cli/k')).toEqual({
    code: 3,
    answer: { status: 404, key: 'cli/k', value: null, version: 0 },
  });
  expect(await kv('put', 'cli/k', 'hello')).toEqual({
    code: 0,
    answer: { status: 200, key: 'cli/k', value: 'hello', version: 1 },
  });
  expect(await kv('put', 'cli/k', 'lost', '--if-version', '0')).toMatchObject({
    code: 4,
    answer: { status: 409 },
  });
  expect(await kv('del', 'cli/k', '--if-version', '1')).toMatchObject({ code: 0, answer: { version: 2 } });
  expect(await kv('get', 'cli/k')).toMatchObject({ code: 3, answer: { status: 404, version: 2 } });
  expect(cluster.stderr.join('\n')).not.toContain('not authenticated');
});

test('the run traced with --trace-dir passes paxos trace, key by key', async () => {
  await cluster.stop('SIGTERM');
  const files = ['peer1', 'peer2', 'peer3'].map((h) => path.join(traces, `${h}.ndjson`));
  const r = await run(process.execPath, [
    CLI,
    'trace',
    '-h',
    repoFile('hostsfile-registers.txt'),
    '--json',
    ...files,
  ]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ verdict: 'PASS', keys: 1 });
});
