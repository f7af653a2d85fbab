/** `paxos check` through the built bundle: exit codes, the report, the --json last line. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ROOT, requireBuiltCli } from '../e2e/support/paths';
import { run } from '../e2e/support/processes';
import { disjointCheckArgs, disjointMajoritiesHostsfile } from './clusters';

let dir = '';
beforeAll(async () => {
  requireBuiltCli();
  dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-check-'));
  await writeFile(path.join(dir, 'disjoint.txt'), disjointMajoritiesHostsfile);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const paxos = (...args: string[]) =>
  run(process.execPath, [CLI, 'check', ...args], { cwd: ROOT, timeoutMs: 60_000 });
/** The machines of testcase 1, one round each: most of these runs start so. */
const TESTCASE1_ONE_ROUND = ['--model', 'machines', '-h', 'hostsfile-testcase1.txt', '--max-round', '1'];
/** The disjoint-majority hostsfile (written in beforeAll), one round, proposers starting with A and B. */
const disjointAB = () => [
  ...disjointCheckArgs(path.join(dir, 'disjoint.txt')),
  '--value',
  'peer1=A',
  '--value',
  'peer7=B',
];
const lastLine = (text: string) => JSON.parse(text.trim().split('\n').pop() ?? '');

describe.concurrent('paxos check', () => {
  test("the spec, 3 acceptors, 2 values, ballots 0..1: TLC's count, exit 0, --json last", async () => {
    const r = await paxos(
      '--model',
      'spec',
      '--acceptors',
      '3',
      '--values',
      '2',
      '--max-ballot',
      '1',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(lastLine(r.stdout)).toEqual({
      model: 'spec',
      distinctStates: 3921,
      depth: 17,
      transitions: expect.any(Number),
      seconds: expect.any(Number),
      complete: true,
      violations: [],
    });
  });

  test('two workers (the bundled worker file) stop at a depth bound too: exit 3', async () => {
    const r = await paxos(
      '--model',
      'machines',
      '-h',
      'hostsfile-testcase2.txt',
      '--max-round',
      '1',
      '--symmetry',
      '--workers',
      '2',
      '--max-depth',
      '20',
      '--json',
    );
    expect(r.code).toBe(3);
    expect(lastLine(r.stdout)).toMatchObject({ depth: 20, complete: false });
    expect(r.stdout).toMatch(/fingerprint collision probability \(optimistic, as TLC\): [\d.e+-]+/);
  });

  test('--goals: each sometimes-goal reached with a shortest witness, in the report and in --json', async () => {
    const r = await paxos(...TESTCASE1_ONE_ROUND, '--goals', '--json');
    // Testcase 1 has one proposer: no other value to adopt and no second proposer (a finding:
    // exit 1); an acceptor still refuses the prepare that arrives after the accept.
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/sometimes "two proposers both reach accepting": NOT REACHED/);
    expect(r.stdout).toMatch(
      /sometimes "an acceptor refuses": reached, shortest witness 7 steps: .*deliver accept peer1->peer4 n=1 value=X; deliver prepare peer1->peer4 n=1$/m,
    );
    const json = lastLine(r.stdout);
    expect(json).toMatchObject({ complete: true, violations: [] });
    expect(json.goals.map((g: { name: string; reached: boolean }) => [g.name, g.reached])).toEqual([
      ['a proposer sends accept with a value it did not propose', false],
      ['two proposers both reach accepting', false],
      ['an acceptor refuses', true],
    ]);
  });

  test('--coverage: taken/total and the never-taken list, and coverage in --json, the same with --workers 2', async () => {
    const r = await paxos(...TESTCASE1_ONE_ROUND, '--coverage', '--json');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^coverage: 17\/39 transitions taken$/m);
    expect(r.stdout).toMatch(/^never taken \(22\):\n {2}proposer\.undecided LEARNED#0$/m);
    const json = lastLine(r.stdout);
    expect(json.coverage).toHaveLength(39);
    expect(json.coverage[2]).toEqual({
      machine: 'proposer',
      state: 'undecided.idle',
      event: 'START',
      guard: 'else',
      branch: 1,
      id: 'proposer.undecided.idle START#1',
      count: 1,
    });
    // Two workers count the same: the first levels once, a state expanded again (the
    // shared table grew) once.
    const two = await paxos(...TESTCASE1_ONE_ROUND, '--coverage', '--workers', '2', '--json');
    expect(two.code, two.stderr).toBe(0);
    expect(lastLine(two.stdout).coverage).toEqual(json.coverage);
  });

  test('--liveness: no stuck world in testcase 1 with drop, in the report and in --json; refused with --workers', async () => {
    const args = [...TESTCASE1_ONE_ROUND, '--faults', 'drop'];
    const r = await paxos(...args, '--liveness', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^liveness \(any steps, faults included\): no stuck world$/m);
    expect(r.stdout).toMatch(/^liveness \(once faults stop\): no stuck world$/m);
    expect(lastLine(r.stdout)).toMatchObject({
      distinctStates: 287_336,
      complete: true,
      stuck: { worlds: 0, path: null },
      stuckWithoutFaults: { worlds: 0, path: null },
    });
    const refused = await paxos(...args, '--liveness', '--workers', '2');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--liveness needs one worker/);
  });

  test('--witness-out writes each reached goal as steps that paxos simulate --replay runs to that goal', async () => {
    const out = path.join(dir, 'witnesses');
    const r = await paxos(...TESTCASE1_ONE_ROUND, '--goals', '--witness-out', out);
    expect(r.code).toBe(1);
    const file = path.join(out, 'an-acceptor-refuses.json');
    expect(r.stderr).toContain(`witness of "an acceptor refuses" written as 7 steps to ${file}`);
    const replayed = await run(
      process.execPath,
      [CLI, 'simulate', '-h', 'hostsfile-testcase1.txt', '--replay', file],
      { cwd: ROOT },
    );
    expect(replayed.code, replayed.stderr).toBe(0);
    // The witness's last step: the prepare that reaches peer4 after the accept, answered (a refusal).
    expect(replayed.stdout).toMatch(
      /# 7\. deliver prepare\(n=1\) peer1 -> peer4\n.*\n.*"peer_id":4,"action":"sent","message_type":"prepare_ack"/,
    );
    const unasked = await paxos(...TESTCASE1_ONE_ROUND, '--witness-out', out);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toMatch(/--witness-out needs --goals/);
  });

  test('the machines of testcase 1 with drop: complete, exit 0', async () => {
    const r = await paxos(...TESTCASE1_ONE_ROUND, '--faults', 'drop');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/peer1=X; 1 round\(s\) each; bag network; faults: drop;/);
    expect(r.stdout).toMatch(
      /^[\d,]+ distinct states, depth \d+, [\d,]+ transitions, [\d.]+ s \([\d,]+ states\/s\)$/m,
    );
    expect(r.stdout).toMatch(/complete: every reachable state checked, no violation/);
  });

  test('a bound that stops the search proves nothing: exit 3, complete false', async () => {
    const r = await paxos(
      '--model',
      'machines',
      '-h',
      'hostsfile-testcase2.txt',
      '--max-round',
      '1',
      '--max-states',
      '500',
      '--json',
    );
    expect(r.code).toBe(3);
    expect(lastLine(r.stdout)).toMatchObject({
      model: 'machines',
      distinctStates: 500,
      complete: false,
      violations: [],
    });
    expect(r.stdout).toMatch(/INCOMPLETE/);
  });

  test('disjoint majorities, allowed: a counterexample with two values chosen, exit 1', async () => {
    const r = await paxos(...disjointAB(), '--json');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/VIOLATION of Agreement; a shortest counterexample, \d+ steps:/);
    expect(r.stdout).toMatch(/A chosen at 1 by acceptors .* and B chosen at 2 by acceptors/);
    const json = lastLine(r.stdout);
    expect(json.violations).toHaveLength(1);
    expect(json.violations[0].invariant).toBe('Agreement');
    // The trace prints the lab's log lines.
    expect(r.stdout).toMatch(
      / \{"peer_id":7,"action":"sent","message_type":"accept","message_value":"B","proposal_num":2\}/,
    );
  });

  test('--trace-out writes the counterexample as steps that paxos simulate --replay runs to the same two chosen values', async () => {
    const file = path.join(dir, 'disjoint.txt');
    const steps = path.join(dir, 'counterexample.json');
    const values = ['--value', 'peer1=A', '--value', 'peer7=B'];
    const r = await paxos(...disjointAB(), '--trace-out', steps);
    expect(r.code).toBe(1);
    const count = Number(
      /VIOLATION of Agreement; a shortest counterexample, (\d+) steps:/.exec(r.stdout)?.[1],
    );
    expect(r.stderr).toContain(`counterexample written as ${count} steps to ${steps}`);
    const replayed = await run(
      process.execPath,
      [CLI, 'simulate', '-h', file, '--allow-unsafe-quorums', ...values, '--replay', steps],
      { cwd: ROOT },
    );
    expect(replayed.code, replayed.stderr).toBe(0);
    // The starts carry the values; the replay reaches the checker's two chosen values.
    expect(replayed.stderr).toMatch(/chosen: A by proposal 1 \(group 1\); B by proposal 2 \(group 2\)/);
    expect(replayed.stdout.split('\n').filter((l) => l.startsWith('# '))).toHaveLength(count);
  });

  test('disjoint majorities, not allowed: the hostsfile is refused, exit 2', async () => {
    const r = await paxos('--model', 'machines', '-h', path.join(dir, 'disjoint.txt'), '--max-round', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/disjoint\.txt:\d+: groups 1 and 2 need not agree/);
    expect(r.stdout).toBe('');
  });

  test.each([
    [['--model', 'spec', '--acceptors', '3', '--values', '2'], /--model spec needs --max-ballot/],
    [
      ['--model', 'spec', '--acceptors', '3', '--values', '2', '--max-ballot', '1', '--symmetry'],
      /--symmetry does not apply to --model spec/,
    ],
    [['--model', 'machines', '-h', 'hostsfile-testcase1.txt'], /--model machines needs --max-round R/],
    [
      ['--model', 'machines', '-h', 'hostsfile-testcase1.txt', '--max-round', '1', '--faults', 'lose'],
      /unknown fault 'lose'/,
    ],
    [
      [
        '--model',
        'machines',
        '-h',
        'hostsfile-testcase1.txt',
        '--max-round',
        '1',
        '--network',
        'set',
        '--faults',
        'drop',
      ],
      /only crash applies/,
    ],
    [
      ['--model', 'machines', '-h', 'hostsfile-testcase1.txt', '--max-round', '1', '--value', 'peer2=Z'],
      /'peer2' is not a proposer/,
    ],
    [['--model', 'machines', '-h', 'hostsfile-testcase1.txt', '--max-round', '0'], /argument '0' is invalid/],
    [['--model', 'nonsense'], /argument 'nonsense' is invalid/],
  ])('bad usage %j: one error line, exit 2', async (args, message) => {
    const r = await paxos(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stdout).toBe('');
  });

  test('the register peers: a put then a get from one client, complete, exit 0; a bad operation, exit 2', async () => {
    const r = await paxos('--model', 'registers', '--ops', '1=put:a,get', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('registers: 3 peers (each an acceptor of the key); clients peer1=put:a,get');
    expect(lastLine(r.stdout)).toMatchObject({
      model: 'registers',
      distinctStates: 1444,
      complete: true,
      violations: [],
    });
    const bad = await paxos('--model', 'registers', '--ops', '1=pot:a');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'pot:a' is not an operation");
    const misplaced = await paxos('--model', 'registers', '-h', 'hostsfile-testcase1.txt');
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('-h does not apply to --model registers');
  });
});
