/**
 * `paxos nemesis --workload registers` on real `paxos serve` processes: healthy seeded runs
 * are valid with no lost write, and each broken service is caught within a few seeded runs,
 * the seed printed so that the run can be replayed: an acceptor that keeps its state in
 * memory only (PAXOS_FAULT=forget-on-restart), two groups whose majorities do not meet
 * (--allow-unsafe-quorums), and a get answered from one acceptor (PAXOS_FAULT=get-from-one).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadHostsfile } from '../../src/config/hostsfile';
import { planRun } from '../../src/nemesis/plan';
import type { RegistersCampaignReport } from '../../src/nemesis/registers/campaign';
import { planRegistersRun } from '../../src/nemesis/registers/plan';
import { CLI, ROOT, repoFile, requireBuiltCli } from '../e2e/support/paths';

beforeAll(requireBuiltCli);

// Fixed seeds keep `npm test` the same from run to run; NEMESIS_SEED explores others.
const SEED = Number(process.env.NEMESIS_SEED ?? 2000);
const DISJOINT = 'test/nemesis/fixtures/registers-disjoint.txt';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
afterAll(() => {
  // The bench kills its own peers on SIGTERM; a test that failed half-way must not leave it running.
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  stdout: string;
  report: RegistersCampaignReport;
  keep: string;
  tmp: string;
}

/** One campaign in a temporary directory of its own (TMPDIR and --keep), removed after the file's tests. */
function nemesis(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nemesis-registers-'));
  dirs.add(tmp);
  const keep = path.join(tmp, 'keep');
  const all = ['nemesis', '--workload', 'registers', '--fault-time', '2', '--json', '--keep', keep, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...all], {
      cwd: ROOT,
      env: { ...process.env, PAXOS_FAULT: '', ...env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.resume();
    // The bench bounds itself; this only stops a hung test from hanging the suite.
    const timer = setTimeout(() => child.kill('SIGTERM'), 100_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      const report = JSON.parse(stdout.trim().split('\n').at(-1) as string) as RegistersCampaignReport;
      resolve({ code, stdout, report, keep, tmp });
    });
  });
}

/** A broken service must be caught: an invalid run or a lost write, with the seed to replay it. */
function expectCaught(r: Finished, what: string): void {
  const caught = r.report.failures.filter((f) => f.verdict === 'invalid');
  expect(r.code, r.stdout).toBe(1);
  expect(caught.length + r.report.lostWrites, r.stdout).toBeGreaterThan(0);
  for (const f of caught) console.info(`${what}: caught at seed ${f.seed}: ${f.problem}`);
  expect(r.stdout).toMatch(
    /^INVALID seed \d+: .*replay: .*paxos nemesis --workload registers .*--seed \d+ --runs 1/m,
  );
}

describe('the register fault plan', () => {
  const cluster = loadHostsfile(repoFile('hostsfile-registers.txt'));

  test("is the lab's plan for the seed, sometimes with every peer killed at one instant", () => {
    let crashAll = 0;
    for (let seed = 0; seed < 50; seed++) {
      const lab = planRun(cluster, seed, { faultPhaseMs: 2000 });
      const plan = planRegistersRun(cluster, seed, { faultPhaseMs: 2000 });
      expect(plan).toEqual(planRegistersRun(cluster, seed, { faultPhaseMs: 2000 }));
      for (const f of lab.faults) expect(plan.faults).toContainEqual(f);
      if (plan.faults.length > lab.faults.length) crashAll += 1;
    }
    expect(crashAll).toBeGreaterThan(5);
  });
});

describe('paxos nemesis --workload registers on real processes', () => {
  test('healthy seeded runs are valid with no lost write and their traces pass, every key kept with its picture', async () => {
    const r = await nemesis(['--runs', '3', '--jobs', '2', '--seed', `${SEED}`]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.report).toMatchObject({ runs: 3, valid: 3, invalid: 0, unknown: 0, errors: 0, lostWrites: 0 });
    // Seen from inside too: every peer's trace replayed through the machines, every key refined.
    expect(r.report.tracesPassed).toBe(3);
    expect(r.report.operations).toBeGreaterThan(100);
    expect(r.report.faults.kill).toBeGreaterThan(0);
    const kept = readdirSync(path.join(r.keep, `seed-${SEED}`));
    for (const f of ['r0.jsonl', 'r0.html', 'c0.jsonl', 'peer1.1.stderr', 'peer1.ndjson', 'plan.json'])
      expect(kept).toContain(f);
    // The bench's data directories are gone; only what --keep asked for stays.
    expect(readdirSync(r.tmp)).toEqual(['keep']);
  });

  test('an acceptor that keeps its promises and acceptances in memory only is caught', async () => {
    // Of the default seeds, 2001 and 2003 kill every peer at once, which such a peer cannot survive.
    const r = await nemesis(['--runs', '4', '--jobs', '2', '--seed', `${SEED}`], {
      PAXOS_FAULT: 'forget-on-restart',
    });
    expectCaught(r, 'forget-on-restart');
  });

  test('two groups whose majorities do not meet are refused without --allow-unsafe-quorums', async () => {
    const r = spawnSync(process.execPath, [CLI, 'nemesis', '--workload', 'registers', '-h', DISJOINT], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/groups 1 and 2 need not agree: majority .* share no acceptor/);
  });

  test('two groups whose majorities do not meet are caught', async () => {
    const r = await nemesis([
      '-h',
      DISJOINT,
      '--allow-unsafe-quorums',
      '--runs',
      '4',
      '--jobs',
      '2',
      '--seed',
      `${SEED}`,
    ]);
    expectCaught(r, 'disjoint majorities');
    expect(r.stdout).toContain('--allow-unsafe-quorums');
  });

  test('a get answered from one acceptor is caught', async () => {
    const r = await nemesis(['--runs', '4', '--jobs', '2', '--seed', `${SEED}`], {
      PAXOS_FAULT: 'get-from-one',
    });
    expectCaught(r, 'get-from-one');
    expect(existsSync(r.keep)).toBe(true);
  });
});
