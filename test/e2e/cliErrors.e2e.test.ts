/** The CLI's contract for mistakes: one line naming the problem, usage on stderr, exit 2, nothing on stdout. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ROOT, requireBuiltCli } from './support/paths';
import { run } from './support/processes';

let dir = '';
beforeAll(async () => {
  requireBuiltCli();
  dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const paxos = (...args: string[]) => run(process.execPath, [CLI, ...args], { cwd: ROOT, timeoutMs: 20_000 });

describe.concurrent('paxos peer and paxos cluster refuse bad invocations', () => {
  test.each([
    [['peer', '-h', 'hostsfile-testcase1.txt', '--bogus'], /^error: unknown option '--bogus'$/],
    [['peer', '--bogus'], /^error: unknown option '--bogus'$/],
    [['peer', '-v', 'X'], /^error: required option '-h, --hostsfile <file>' not specified$/],
    [
      ['peer', '-h', 'hostsfile-testcase1.txt', '-t', 'soon'],
      /^error: option '-t, --delay <seconds>' argument 'soon' is invalid/,
    ],
    [
      ['peer', '-h', 'hostsfile-testcase1.txt', '-v', ''],
      /^error: option '-v, --value <value>' argument '' is invalid/,
    ],
    [
      ['peer', '-h', 'hostsfile-testcase1.txt', '--port', '70000'],
      /^error: option '--port <n>' argument '70000' is invalid/,
    ],
    [['cluster', '--nope'], /^error: unknown option '--nope'$/],
    [
      ['cluster', '-h', 'hostsfile-testcase1.txt', '--value', 'X'],
      /^error: option '--value <name=v>' argument 'X' is invalid. expected NAME=V.$/,
    ],
    [['cluster', '-h', 'hostsfile-testcase1.txt'], /^error: no proposer has a value/],
    [
      ['cluster', '-h', 'hostsfile-testcase1.txt', '--value', 'peer9=X'],
      /^error: --value: host 'peer9' is not in hostsfile/,
    ],
  ])('%j', async (args, message) => {
    const r = await paxos(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const [first, usage] = r.stderr.split('\n');
    expect(first).toMatch(message);
    expect(usage).toMatch(/^usage: paxos (peer|cluster) -h FILE/);
  });

  test('a host that is not in the hostsfile is named, with the file', async () => {
    const r = await paxos('peer', '-h', 'hostsfile-testcase1.txt', '--name', 'peer9', '-v', 'X');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(
      "error: host 'peer9' is not in hostsfile hostsfile-testcase1.txt (its hosts: peer1, peer2, peer3, peer4, peer5); pass --name to choose one",
    );
  });

  test('a bad hostsfile is refused with file:line: problem, by both commands', async () => {
    const file = path.join(dir, 'bad.txt');
    await writeFile(file, '# lab\npeer1:proposer1\n\npeer2:acceptor1,leader1\n');
    for (const args of [
      ['peer', '-h', file, '--name', 'peer1'],
      ['cluster', '-h', file, '--value', 'peer1=X'],
    ]) {
      const r = await paxos(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4: unknown role 'leader1'`),
      );
    }
    const missing = await paxos('peer', '-h', path.join(dir, 'nope.txt'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.txt: cannot read: no such file/);
  });

  test('one vocabulary: the same flag is parsed and refused alike by every subcommand', async () => {
    const tc2 = ['-h', 'hostsfile-testcase2.txt'];
    const commands: [string, string[]][] = [
      ['cluster', [...tc2, '--timeout', '0.1']],
      ['simulate', [...tc2, '--steps', '5']],
      ['check', ['--model', 'machines', ...tc2, '--max-round', '1', '--max-states', '10']],
    ];
    for (const [name, args] of commands) {
      const missing = await paxos(name, ...args, '--value', 'peer9=X');
      expect(missing.code, `${name} --value peer9=X`).toBe(2);
      expect(missing.stderr.split('\n')[0]).toBe(
        "error: --value: host 'peer9' is not in hostsfile hostsfile-testcase2.txt (its hosts: peer1, peer2, peer3, peer4, peer5)",
      );
      const notProposer = await paxos(name, ...args, '--value', 'peer2=X');
      if (name !== 'cluster') {
        expect(notProposer.code, `${name} --value peer2=X`).toBe(2);
        expect(notProposer.stderr.split('\n')[0]).toBe(
          "error: --value: 'peer2' is not a proposer of hostsfile-testcase2.txt",
        );
      }
      const shape = await paxos(name, ...args, '--value', 'X');
      expect(shape.stderr.split('\n')[0]).toBe(
        "error: option '--value <name=v>' argument 'X' is invalid. expected NAME=V.",
      );
    }
    // Hostnames match as DNS names do, in every subcommand.
    const sim = await paxos('simulate', ...tc2, '--steps', '40', '--value', 'PEER1=Q');
    expect(sim.code).toBe(0);
    expect(sim.stdout).toContain('start proposer1 with Q');
    for (const name of ['peer', 'cluster', 'simulate', 'trace']) {
      const r = await paxos(name, ...(name === 'trace' ? ['x.log'] : []));
      expect(r.code, name).toBe(2);
      expect(r.stderr.split('\n')[0], name).toBe(
        "error: required option '-h, --hostsfile <file>' not specified",
      );
    }
    const count = await paxos('simulate', ...tc2, '--steps', '1.5');
    expect(count.stderr.split('\n')[0]).toBe(
      "error: option '--steps <n>' argument '1.5' is invalid. expected an integer >= 0.",
    );
  });

  test('--help and --version answer on stdout and exit 0', async () => {
    const help = await paxos('peer', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: paxos peer -h FILE \[-v VALUE\] \[-t SECONDS\]/);
    expect(help.stdout).toContain('-h, --hostsfile <file>');
    const version = await paxos('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
