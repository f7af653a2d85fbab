/**
 * bench:latency is a script, not a test, and its figures are docs/benchmarks.md's, not asserted
 * here. This keeps the script itself from rotting: one run of testcase 1 and one of its
 * anchor (bench/anchorPeer.mjs), on veth as root or on loopback otherwise, must finish with
 * every peer chosen, print both rows and the ratio line, and leave no namespace behind.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import { leftoverNamespacesOf } from '../e2e/support/netns';
import { ROOT, requireBuiltCli } from '../e2e/support/paths';

beforeAll(requireBuiltCli);

const run = promisify(execFile);

test('one run of bench:latency measures testcase 1 and its anchor, acceptors first and with a peer restarted, and cleans up', async () => {
  const bench = run(process.execPath, ['--import', 'tsx', 'bench/latency.ts', '1'], {
    cwd: ROOT,
    env: { ...process.env, BENCH_SCENARIOS: '1,4', BENCH_BUILD: '0' },
    timeout: 100_000,
  });
  const child = bench.child;
  const { stdout } = await bench;
  const rowMedian = (name: string) => {
    const row = stdout.split('\n').find((l) => l.startsWith(`| ${name} |`));
    return Number(row?.split('|')[2]);
  };
  for (const order of ['acceptors first', 'one peer restarted']) {
    expect(rowMedian(`testcase 1, ${order}`)).toBeGreaterThan(0);
    expect(rowMedian(`anchor, ${order}`)).toBeGreaterThan(0);
    expect(stdout).toMatch(
      new RegExp(`^testcase 1, ${order}: median [\\d.]+ ms, [\\d.]+x the anchor's`, 'm'),
    );
  }
  expect(stdout).toMatch(/^(veth|loopback)/);
  expect(leftoverNamespacesOf(child.pid ?? -1)).toEqual([]);
}, 120_000);
