/**
 * bench:registers is a script, not a test, and its figures are docs/benchmarks.md's, not
 * asserted here. This keeps the script itself from rotting: one short run of each workload
 * on our service and on a three-member etcd must print the four ratios and the JSON line,
 * and leave no etcd, no peer and no data directory behind. etcd is Debian's etcd-server,
 * which CI installs; elsewhere the test skips and says why.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import { ROOT, requireBuiltCli } from '../e2e/support/paths';

const run = promisify(execFile);

const missing = (() => {
  try {
    execFileSync('etcd', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'etcd is missing (apt-get install etcd-server)';
  }
})();
if (missing && !process.env.CI) console.warn(`SKIPPING the bench:registers smoke run: ${missing}`);

beforeAll(requireBuiltCli);

const benchDirs = () =>
  readdirSync(os.tmpdir()).filter((d) => d.startsWith('bench-etcd-') || d.startsWith('bench-registers-'));
const processes = (pattern: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(pattern));

test.skipIf(missing !== undefined && !process.env.CI)(
  'one short run of bench:registers measures both services on every workload and cleans up',
  async () => {
    if (missing) throw new Error(`CI installs etcd-server, so this must run: ${missing}`);
    const dirsBefore = benchDirs();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/registers.ts', '1', '0.5'], {
      cwd: ROOT,
      timeout: 150_000,
    });
    const ratios = stdout.split('\n').filter((l) => / ratio [\d.]+x, CPU per op [\d.]+x$/.test(l));
    expect(ratios, stdout).toHaveLength(4);
    const last = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      results: { ours: number; etcd: number; cpuMsPerOp: { ours: number; etcd: number } }[];
    };
    for (const r of last.results) {
      expect(r.ours).toBeGreaterThan(0);
      expect(r.etcd).toBeGreaterThan(0);
      expect(r.cpuMsPerOp.ours).toBeGreaterThan(0);
      expect(r.cpuMsPerOp.etcd).toBeGreaterThan(0);
    }
    // Each started with its data directory in its arguments, under these names.
    expect(processes('bench-etcd-'), 'etcd members left running').toEqual([]);
    expect(processes('bench-registers-'), 'register peers left running').toEqual([]);
    expect(benchDirs(), 'data directories left').toEqual(dirsBefore);
  },
  180_000,
);
