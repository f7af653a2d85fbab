import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { testcase2Hostsfile } from './support/clusters';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'paxos-simulate-'));
const hostsfile = join(dir, 'hostsfile-testcase2.txt');
writeFileSync(hostsfile, testcase2Hostsfile);

const paxos = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'simulate', '-h', hostsfile, ...args], {
    encoding: 'utf8',
  });

describe('paxos simulate', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a seed gives one run; its steps, replayed, give the same log lines', () => {
    const a = paxos('--seed', '5', '--steps', '80');
    expect(a.status).toBe(0);
    expect(paxos('--seed', '5', '--steps', '80').stdout).toBe(a.stdout);
    expect(a.stdout.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(80);
    expect(a.stderr).toMatch(/^80 steps; chosen: .*; printed chose: peer1: /);

    const steps = paxos('--seed', '5', '--steps', '80', '--format', 'steps');
    const file = join(dir, 'steps.json');
    writeFileSync(file, steps.stdout);
    expect(JSON.parse(steps.stdout)).toHaveLength(80);
    expect(paxos('--replay', file).stdout).toBe(a.stdout);
  });

  test('a replayed action whose message is not in flight is refused, naming it', () => {
    const file = join(dir, 'not-enabled.json');
    const prepare = { type: 'send', to: 2, message: { type: 'prepare', from: 1, group: 1, n: 1 } };
    writeFileSync(
      file,
      JSON.stringify([
        { kind: 'start', group: 1, value: 'X' },
        { kind: 'deliver', send: prepare },
        { kind: 'deliver', send: prepare },
      ]),
    );
    const run = paxos('--replay', file);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--replay .*not-enabled\.json: not in flight: deliver .*"to":2/);
    writeFileSync(
      file,
      JSON.stringify([
        { kind: 'start', group: 1, value: 'X' },
        { kind: 'deliver', send: prepare },
      ]),
    );
    expect(paxos('--replay', file).status).toBe(0);
  });

  test('mermaid output, and values per proposer host', () => {
    const run = paxos('--seed', '2', '--steps', '60', '--format', 'mermaid', '--value', 'peer5=Q');
    expect(run.status).toBe(0);
    expect(run.stdout.startsWith('sequenceDiagram\n')).toBe(true);
    expect(run.stdout).toContain('Note over p5: START Q');
  });

  test('a missing hostsfile or a bad --value is an error on stderr', () => {
    const missing = spawnSync(
      process.execPath,
      [join(root, 'dist/cli.js'), 'simulate', '-h', join(dir, 'nope')],
      {
        encoding: 'utf8',
      },
    );
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
    const bad = paxos('--value', 'peer2=Z');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--value: 'peer2' is not a proposer/);
    expect(bad.stdout).toBe('');
  });
});
