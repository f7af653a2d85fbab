/**
 * Structured traces of real peers (`paxos peer --trace`), validated by `paxos trace` step by
 * step against the statecharts and the spec, and the faulty runtimes it must reject:
 * an acceptor that answers before its state is durable and is then killed, a peer that
 * prints chose when it accepts, a proposer that forgets its number across a restart.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadHostsfile } from '../../src/config/hostsfile';
import { validateStructured } from '../../src/trace/structured';
import { LocalPeers } from '../e2e/support/localPeers';
import { repoFile, requireBuiltCli } from '../e2e/support/paths';
import { paxos } from './support';

const labs: LocalPeers[] = [];
const dirs: string[] = [];
beforeAll(requireBuiltCli);
afterAll(async () => {
  for (const l of labs.splice(0)) await l.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const HOSTS = ['peer1', 'peer2', 'peer3', 'peer4', 'peer5'];

async function traced(testcase: 1 | 2) {
  const lab = await LocalPeers.create(repoFile(`hostsfile-testcase${testcase}.txt`));
  labs.push(lab);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paxos-structured-'));
  dirs.push(dir);
  const traceOf = (host: string) => ['--trace', path.join(dir, `${host}.ndjson`)];
  return { lab, dir, traceOf, files: () => HOSTS.map((h) => path.join(dir, `${h}.ndjson`)) };
}

const allChose = async (lab: LocalPeers, hosts = HOSTS) => {
  for (const h of hosts) await lab.current.get(h)?.waitFor(() => lab.hasChosen(h), 20_000, `${h} chose`);
  // The last acks and announcements are part of the run too.
  await new Promise((r) => setTimeout(r, 300));
};

const validate = (testcase: 1 | 2, files: string[]) =>
  validateStructured(
    loadHostsfile(repoFile(`hostsfile-testcase${testcase}.txt`)),
    files.map((file) => ({ file, text: readFileSync(file, 'utf8') })),
    { expectDecided: true },
  );

/** The lab lines of the same run, through the CLI. */
async function labLines(lab: LocalPeers, dir: string, testcase: 1 | 2) {
  const files = HOSTS.map((h) => {
    const file = path.join(dir, `${h}.log`);
    writeFileSync(file, (lab.current.get(h)?.stdout ?? []).map((l) => `${l}\n`).join(''));
    return file;
  });
  return paxos(['trace', '-h', repoFile(`hostsfile-testcase${testcase}.txt`), '--expect-decided', ...files]);
}

describe('paxos trace on structured traces of real peers', () => {
  test.each([1, 2] as const)('testcase %i passes, structured and as lab lines', async (testcase) => {
    const { lab, dir, traceOf, files } = await traced(testcase);
    for (const h of ['peer2', 'peer3', 'peer4']) lab.start(h, traceOf(h));
    if (testcase === 1) lab.start('peer5', traceOf('peer5'));
    lab.start('peer1', ['-v', 'X', ...traceOf('peer1')]);
    if (testcase === 2) lab.start('peer5', ['-v', 'Y', '-t', '1', ...traceOf('peer5')]);
    await allChose(lab);
    const r = validate(testcase, files());
    expect(r.verdict, JSON.stringify(r.failure)).toBe('PASS');
    expect(r.chosen.map((c) => c.value)).toEqual(expect.arrayContaining(['X']));
    expect(r.specActions).toBeGreaterThan(0);
    const cli = await paxos([
      'trace',
      '-h',
      repoFile(`hostsfile-testcase${testcase}.txt`),
      '--expect-decided',
      ...files(),
    ]);
    expect(cli.stdout).toMatch(/^PASS: 5 peers/);
    expect(cli.code).toBe(0);
    const lines = await labLines(lab, dir, testcase);
    expect(lines.stdout, lines.stderr).toMatch(/^PASS/);
  });

  test('an acceptor that answers before its state is durable, then is killed, is caught', async () => {
    const { lab, traceOf, files } = await traced(1);
    // peer2 sends its first answer and dies before writing the state it reports. The
    // proposer listens first and proposes only once every other peer has listened for a
    // while, so peer2's link to it is up and the answer really leaves.
    lab.start('peer1', ['-v', 'X', '-t', '4', ...traceOf('peer1')]);
    await lab.listening('peer1');
    lab.start('peer2', traceOf('peer2'), { PAXOS_FAULT: 'send-first', PAXOS_FAILPOINT: 'before-write:1' });
    for (const h of ['peer3', 'peer4', 'peer5']) lab.start(h, traceOf(h));
    for (const h of ['peer2', 'peer3', 'peer4', 'peer5']) await lab.listening(h);
    const first = lab.current.get('peer2');
    await first?.waitFor(() => !first.running, 20_000, 'peer2 killed at its first save');
    lab.start('peer2', traceOf('peer2'));
    await allChose(lab);
    const r = validate(1, files());
    expect(r.verdict).toBe('FAIL');
    expect(r.failure?.rule).toBe('happens-before');
    expect(r.failure?.message).toMatch(/never durable/);
    expect(r.failure?.at).toMatch(/peer[15]\.ndjson:\d+$/);
  });

  test('a peer that prints chose when it accepts is caught, structured and from lab lines', async () => {
    const { lab, dir, traceOf, files } = await traced(1);
    lab.start('peer2', traceOf('peer2'), { PAXOS_FAULT: 'chose-on-accept' });
    for (const h of ['peer3', 'peer4', 'peer5']) lab.start(h, traceOf(h));
    lab.start('peer1', ['-v', 'X', '-t', '0.3', ...traceOf('peer1')]);
    await allChose(lab);
    const r = validate(1, files());
    expect(r.verdict).toBe('FAIL');
    expect(r.failure?.rule).toBe('machines');
    expect(r.failure?.at).toMatch(/peer2\.ndjson:\d+$/);
    const lines = await labLines(lab, dir, 1);
    expect(lines.code).toBe(1);
    expect(lines.stdout).toMatch(/^FAIL at .*peer2\.log:\d+/);
  });

  test('a proposer that forgets its number across a restart is caught', async () => {
    const { lab, traceOf, files } = await traced(1);
    for (const h of ['peer2', 'peer3', 'peer4', 'peer5']) lab.start(h, traceOf(h));
    lab.start('peer1', ['-v', 'X', ...traceOf('peer1')], { PAXOS_FAULT: 'forget-number' });
    await allChose(lab);
    await lab.current.get('peer1')?.stop('SIGKILL');
    lab.start('peer1', ['-v', 'X', ...traceOf('peer1')], { PAXOS_FAULT: 'forget-number' });
    await lab.current
      .get('peer1')
      ?.waitFor(() => (lab.current.get('peer1')?.stdout.length ?? 0) > 0, 10_000, 'a new round');
    await new Promise((r) => setTimeout(r, 300));
    const r = validate(1, files());
    expect(r.verdict).toBe('FAIL');
    expect(r.failure?.rule).toBe('durable-recovered');
    expect(r.failure?.at).toMatch(/peer1\.ndjson:\d+$/);
  });

  test('a trace line that is not a record is an error naming file and line; a torn last line is not', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paxos-structured-bad-'));
    dirs.push(dir);
    const good = JSON.stringify({
      peer: 'peer2',
      id: 2,
      boot: 'b',
      seq: 0,
      clock: 0,
      batch: 0,
      input: { kind: 'boot' },
      sent: [],
      timers: [],
      chose: null,
      durable: {
        proposers: {},
        acceptor: { minProposal: 0, acceptedProposal: 0, acceptedValue: null },
        learner: { learned: null },
      },
    });
    const torn = path.join(dir, 'peer2.ndjson');
    writeFileSync(torn, `${good}\n{"peer":"pe`);
    expect(validate(1, [torn]).warnings).toEqual([
      `${torn}:2: the last line is cut off (the peer was killed), skipped`,
    ]);
    const bad = path.join(dir, 'peer3.ndjson');
    writeFileSync(bad, `${good}\n{"peer":"pe\n${good.replace('"boot"}', '"start","value":"X"}')}\n`);
    expect(() => validate(1, [bad])).toThrow(`${bad}:2: not JSON`);
  });
});
