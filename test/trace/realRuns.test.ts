/**
 * Real runs of both testcases (`paxos cluster`: separate processes over loopback TCP),
 * validated from their lab lines only, as per-peer files and as a compose log with colours;
 * then the same runs, edited into the seed's defects, must fail at the edited line.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, fixture, hostsfile, killAll, paxos, splitClusterOutput } from './support';

let dir = '';
const runs = new Map<1 | 2, Map<string, string[]>>();

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\``);
  dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-trace-'));
  // One after the other: the machine is shared, and testcase 2's timing is what it tests.
  const one = await paxos(['cluster', '-h', hostsfile(1), '--value', 'peer1=X']);
  const two = await paxos([
    'cluster',
    '-h',
    hostsfile(2),
    '--value',
    'peer1=X',
    '--value',
    'peer5=Y',
    '--delay',
    'peer5=1',
  ]);
  for (const [tc, r] of [
    [1, one],
    [2, two],
  ] as const) {
    if (r.code !== 0) throw new Error(`testcase ${tc} did not decide:\n${r.stdout}\n${r.stderr}`);
    runs.set(tc, splitClusterOutput(r.stdout));
  }
});

afterAll(async () => {
  killAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Writes each peer's lines to DIR/NAME/peerN.log and returns the paths. */
async function perPeerFiles(name: string, byPeer: Map<string, string[]>): Promise<string[]> {
  const at = path.join(dir, name);
  await rm(at, { recursive: true, force: true });
  await mkdir(at, { recursive: true });
  const files: string[] = [];
  for (const [peer, lines] of byPeer) {
    const file = path.join(at, `${peer}.log`);
    await writeFile(file, lines.map((l) => `${l}\n`).join(''));
    files.push(file);
  }
  return files;
}

const trace = (tc: 1 | 2, files: string[], ...flags: string[]) =>
  paxos(['trace', '-h', hostsfile(tc), ...flags, ...files]);

describe.each([1, 2] as const)('a real run of testcase %i', (tc) => {
  test('passes from per-peer files, every peer deciding', async () => {
    const r = await trace(
      tc,
      await perPeerFiles(`tc${tc}`, runs.get(tc) as Map<string, string[]>),
      '--expect-decided',
    );
    expect(r.stdout).toMatch(
      /^PASS: 5 peers, \d+ events \(\d+ spec actions, \d+ stutters\), \d+ interleavings? explored; chosen: X/,
    );
    expect(r.code).toBe(0);
  });

  test('passes from a docker compose log with padding and colour codes, and says so in JSON', async () => {
    const colours = ['\x1b[36m', '\x1b[33m', '\x1b[32m', '\x1b[35m', '\x1b[34m'];
    const lines = ['Attaching to peer1, peer2, peer3, peer4, peer5'];
    const queues = [...(runs.get(tc) as Map<string, string[]>)].map(([peer, ls]) => ({ peer, ls: [...ls] }));
    // Round-robin over peers: cross-peer order in a compose log means nothing, and the validator must not rely on it.
    while (queues.some((q) => q.ls.length > 0))
      queues.forEach((q, i) => {
        const l = q.ls.shift();
        if (l !== undefined) lines.push(`${colours[i]}${q.peer.padEnd(7)}|\x1b[0m ${l}`);
      });
    lines.push('peer1 exited with code 0');
    const file = path.join(dir, `compose-tc${tc}.log`);
    await writeFile(file, `${lines.join('\n')}\n`);
    const r = await trace(tc, [file], '--expect-decided', '--json');
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
    expect(result).toMatchObject({ verdict: 'PASS', peers: 5, skipped: 2, unplaced: 0 });
    expect(result.chosen.map((c: { value: string }) => c.value)).toContain('X');
    expect(r.code).toBe(0);
  });

  test('fails at the chose line of an acceptor edited to print chose when it accepts', async () => {
    const byPeer = new Map(runs.get(tc));
    const peer2 = (byPeer.get('peer2') as string[]).filter((l) => !l.includes('"action":"chose"'));
    const ack = peer2.findIndex((l) => l.includes('"action":"sent","message_type":"accept_ack"'));
    const chose =
      '{"peer_id":2,"action":"chose","message_type":"chose","message_value":"X","proposal_num":1}';
    peer2.splice(ack + 1, 0, chose);
    byPeer.set('peer2', peer2);
    const files = await perPeerFiles(`tc${tc}-acceptor-chose`, byPeer);
    const r = await trace(tc, files);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      `FAIL at ${path.join(dir, `tc${tc}-acceptor-chose`, 'peer2.log')}:${ack + 2}: ${chose}`,
    );
    expect(r.stdout).toMatch(/rule chose-known/);
  });

  test('fails at the second chose line of a peer edited to print another value', async () => {
    const byPeer = new Map(runs.get(tc));
    const peer5 = [...(byPeer.get('peer5') as string[])];
    peer5.push('{"peer_id":5,"action":"chose","message_type":"chose","message_value":"Y","proposal_num":2}');
    byPeer.set('peer5', peer5);
    const r = await trace(tc, await perPeerFiles(`tc${tc}-two-values`, byPeer));
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^FAIL at .*peer5\\.log:${peer5.length}: .*"Y"`));
  });
});

describe('paxos trace on the command line', () => {
  test('bad arguments and unreadable files exit 2 with the reason on stderr', async () => {
    const missing = await paxos(['trace', '-h', hostsfile(1), path.join(dir, 'nope.log')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope.log: cannot read: no such file/);
    const noHosts = await paxos(['trace', 'peer1.log']);
    expect(noHosts.code).toBe(2);
    expect(noHosts.stderr).toMatch(/required option '-h, --hostsfile <file>'/);
    const bad = path.join(dir, 'peer1.log');
    await writeFile(
      bad,
      '{"peer_id":1,"action":"sent","message_type":"prepare ack","message_value":"","proposal_num":1}\n',
    );
    const format = await paxos(['trace', '-h', hostsfile(1), '--json', bad]);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(new RegExp(`${bad}:1: unknown message_type "prepare ack"`));
    expect(JSON.parse(format.stdout.trim())).toMatchObject({ verdict: 'ERROR' });
  });

  test('an exhausted budget exits 3', async () => {
    const r = await paxos([
      'trace',
      '-h',
      hostsfile(2),
      '--max-interleavings',
      '1',
      fixture('later-match.log'),
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^UNDECIDED: undecided after 1 interleavings/);
  });
});
