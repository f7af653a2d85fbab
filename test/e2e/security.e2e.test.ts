/**
 * Peers that trust only their peers, tested with real processes over TCP.
 *  - A stranger who knows the protocol but not the secret forges promises and acceptances
 *    during a run. Without a secret the attack works (the learner prints a value nobody
 *    proposed, the run disagrees); with one nothing forged is counted and it is reported.
 *  - Frames captured on one connection are refused when replayed on another, or sent to
 *    another peer.
 *  - 10,000 random and mutated frames at a live peer, 1,000 connections and a slow sender
 *    during a run: the run still decides, memory stays bounded, stderr is summed up.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '../../machines/messages';
import { encodeMessage } from '../../src/runtime/codec';
import { DEFAULT_LIMITS } from '../../src/runtime/transport';
import { type LineSink, lineSink } from '../support/lineSink';
import { LocalPeers } from './support/localPeers';
import { judgeRun } from './support/logLines';
import { repoFile, requireBuiltCli } from './support/paths';

const HOSTS = ['peer1', 'peer2', 'peer3', 'peer4', 'peer5'];
const labs: LocalPeers[] = [];
const sockets: net.Socket[] = [];
const sinks: LineSink[] = [];
let dir = '';
let secretFile = '';

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(path.join(os.tmpdir(), 'paxos-security-'));
  secretFile = path.join(dir, 'secret');
  writeFileSync(secretFile, 'the-cluster-secret-for-this-test\n');
});
afterAll(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of sinks.splice(0)) await s.close();
  for (const l of labs.splice(0)) await l.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function lab(): Promise<LocalPeers> {
  const l = await LocalPeers.create(repoFile('hostsfile-testcase1.txt'));
  labs.push(l);
  return l;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
}

/** What a stranger who knows the protocol sends: acceptances of EVIL "from" two acceptors, and matching promises. */
const forgeries = (): Message[] => [
  { type: 'accept_ack', from: 2, group: 1, n: 1, minProposal: 1, value: 'EVIL' },
  { type: 'accept_ack', from: 3, group: 1, n: 1, minProposal: 1, value: 'EVIL' },
];
const forgedPromises = (): Message[] =>
  [2, 3].map((from) => ({
    type: 'prepare_ack' as const,
    from,
    group: 1,
    n: 1,
    promised: true,
    minProposal: 1,
    acceptedProposal: 1,
    acceptedValue: 'EVIL',
  }));

async function forge(l: LocalPeers): Promise<void> {
  const learner = await connect(l.port('peer5'));
  for (const m of forgeries()) learner.write(encodeMessage(m));
  const proposer = await connect(l.port('peer1'));
  for (const m of forgedPromises()) proposer.write(encodeMessage(m));
  await sleep(200);
}

const choseValues = (l: LocalPeers) => new Map(HOSTS.map((h) => [h, l.chose(h).map((c) => c.message_value)]));

describe('authenticated frames between real peers', () => {
  test('without a secret, forged acceptances make a learner print a value nobody proposed', async () => {
    const l = await lab();
    for (const h of HOSTS.filter((x) => x !== 'peer1')) l.start(h);
    l.start('peer1', ['-v', 'X', '-t', '0.5']);
    await l.listening('peer5');
    await l.listening('peer1');
    await forge(l);
    for (const h of HOSTS) await l.current.get(h)?.waitFor(() => l.hasChosen(h), 20_000, `${h} chose`);
    const values = choseValues(l);
    // The attack works: that is what the secret is for.
    expect(values.get('peer5')).toEqual(['EVIL']);
    expect(new Set([...values.values()].flat())).toEqual(new Set(['EVIL', 'X']));
  });

  test('with a secret, nothing forged is counted, the run decides X, and the forgeries are reported', async () => {
    const l = await lab();
    const secret = ['--secret-file', secretFile];
    for (const h of HOSTS.filter((x) => x !== 'peer1')) l.start(h, secret);
    l.start('peer1', ['-v', 'X', '-t', '0.5', ...secret]);
    await l.listening('peer5');
    await l.listening('peer1');
    await forge(l);
    for (const h of HOSTS) await l.current.get(h)?.waitFor(() => l.hasChosen(h), 20_000, `${h} chose`);
    await sleep(200);
    expect(
      judgeRun(new Map(HOSTS.map((h) => [h, l.lines(h)])), new Map(HOSTS.map((h) => [h, l.id(h)])), HOSTS),
    ).toBe('X');
    for (const h of ['peer1', 'peer5']) {
      const refused =
        l.current.get(h)?.stderr.filter((x) => x.includes('refused and connection closed')) ?? [];
      expect(refused.length, `${h} reports the forgery`).toBeGreaterThan(0);
      expect(refused[0]).toMatch(/frame without authentication/);
    }
    for (const h of HOSTS) expect(l.current.get(h)?.stderr.join('\n')).not.toMatch(/not authenticated/);
  });

  test('frames captured on one connection are refused when replayed on another or sent to another peer', async () => {
    const l = await lab();
    const secret = ['--secret-file', secretFile];
    // Stand in for peer5 (the learner), send a challenge, and record what peer2 signs for it.
    const fake = await lineSink(l.port('peer5'));
    sinks.push(fake);
    const challenge = 'c'.repeat(32);
    fake.server.on('connection', (s) => s.write(`{"challenge":"${challenge}"}\n`));
    for (const h of ['peer2', 'peer3', 'peer4']) l.start(h, secret);
    l.start('peer1', ['-v', 'X', ...secret]);
    await l.current.get('peer1')?.waitFor(() => l.hasChosen('peer1'), 20_000, 'peer1 chose');
    const deadline = Date.now() + 5000;
    while (!fake.received.some((x) => x.includes('"accept_ack"')) && Date.now() < deadline) await sleep(20);
    const captured = fake.received.filter((x) => x.includes('"mac"'));
    expect(captured.length).toBeGreaterThan(0);
    await fake.close();
    sinks.splice(sinks.indexOf(fake), 1);
    // The real peer5 now: the captured frames on a new connection (a new challenge) are refused.
    const peer5 = l.start('peer5', secret);
    await l.listening('peer5');
    const replay = await connect(l.port('peer5'));
    replay.write(`${captured.join('\n')}\n`);
    await peer5.waitFor(() => peer5.stderr.some((x) => x.includes('refused')), 5000, 'the replay refused');
    expect(peer5.stderr.find((x) => x.includes('refused'))).toMatch(/authentication failed/);
    // Redirected to another peer: refused too.
    const redirect = await connect(l.port('peer1'));
    redirect.write(`${captured[0]}\n`);
    const peer1 = l.current.get('peer1');
    await peer1?.waitFor(
      () => (peer1?.stderr ?? []).some((x) => x.includes('refused')),
      5000,
      'the redirect refused',
    );
    expect(peer1?.stderr.find((x) => x.includes('refused'))).toMatch(/authentication failed/);
  });
});

describe('bounded resources under garbage and floods', () => {
  test('10,000 random and mutated frames at a live peer during a run: it keeps running, the run decides', async () => {
    const l = await lab();
    for (const h of HOSTS.filter((x) => x !== 'peer1')) l.start(h);
    l.start('peer1', ['-v', 'X', '-t', '1']);
    await l.listening('peer2');
    const valid = encodeMessage({ type: 'prepare', from: 1, group: 1, n: 1 }).trimEnd();
    const frames = fc.sample(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }).map((s) => s.replace(/\n/g, ' ')),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc
          .tuple(fc.constantFrom('type', 'from', 'group', 'n', 'x'), fc.jsonValue())
          .map(([k, v]) => JSON.stringify({ ...(JSON.parse(valid) as object), [k]: v })),
        fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
      ),
      { numRuns: 10_000, seed: Number(process.env.FC_SEED ?? 20261201) },
    );
    const pid = l.current.get('peer2')?.child.pid as number;
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    const before = rss();
    const s = await connect(l.port('peer2'));
    for (let i = 0; i < frames.length; i += 500) {
      s.write(`${frames.slice(i, i + 500).join('\n')}\n`);
      await sleep(5);
    }
    for (const h of HOSTS) await l.current.get(h)?.waitFor(() => l.hasChosen(h), 30_000, `${h} chose`);
    const peer2 = l.current.get('peer2');
    expect(peer2?.running).toBe(true);
    const reports = peer2?.stderr.filter((x) => x.startsWith('bad input') || / more bad input/.test(x)) ?? [];
    process.stderr.write(
      `live fuzz: ${frames.length} frames at peer2, ${reports.length} stderr lines, RSS ${before} -> ${rss()} kB\n`,
    );
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.length).toBeLessThan(1000);
    expect(rss() - before).toBeLessThan(100 * 1024);
    expect(
      judgeRun(new Map(HOSTS.map((h) => [h, l.lines(h)])), new Map(HOSTS.map((h) => [h, l.id(h)])), HOSTS),
    ).toBe('X');
  });

  test('1,000 connections and a slow sender during a run: the run still decides', async () => {
    const l = await lab();
    for (const h of HOSTS.filter((x) => x !== 'peer1')) l.start(h);
    l.start('peer1', ['-v', 'X', '-t', '1.5']);
    await l.listening('peer2');
    const flood: Promise<void>[] = [];
    let closed = 0;
    for (let i = 0; i < 1000; i++)
      flood.push(
        new Promise((resolve) => {
          const s = net.connect(l.port('peer2'), '127.0.0.1');
          sockets.push(s);
          s.on('error', () => resolve());
          s.on('connect', () => resolve());
          s.on('close', () => {
            closed++;
            resolve();
          });
        }),
      );
    await Promise.all(flood);
    // A client counts as connected once the kernel has its handshake, though peer2 may take
    // it in much later (past a full accept queue). The slow sender must come after the whole
    // flood, or late flood connections make it the oldest and it is closed to make room
    // instead of for its unfinished line: wait until all but a remote's bound were closed.
    const deadline = Date.now() + 20_000;
    while (closed < 1000 - DEFAULT_LIMITS.connectionsPerRemote && Date.now() < deadline) await sleep(20);
    expect(closed).toBeGreaterThanOrEqual(1000 - DEFAULT_LIMITS.connectionsPerRemote);
    // The slow sender: a frame a byte at a time, never finished.
    const slow = await connect(l.port('peer2'));
    slow.on('error', () => {});
    const drip = setInterval(() => slow.writable && slow.write('{'), 100);
    for (const h of HOSTS) await l.current.get(h)?.waitFor(() => l.hasChosen(h), 30_000, `${h} chose`);
    await sleep(5500);
    clearInterval(drip);
    const peer2 = l.current.get('peer2');
    expect(peer2?.running).toBe(true);
    expect(slow.destroyed || slow.readableEnded || !slow.writable).toBe(true);
    const stderr = peer2?.stderr ?? [];
    process.stderr.write(`flood: 1000 connections at peer2; its stderr: ${stderr.length} lines\n`);
    expect(stderr.some((x) => /partial line unfinished/.test(x))).toBe(true);
    expect(stderr.some((x) => /closed to make room/.test(x))).toBe(true);
    expect(stderr.length).toBeLessThan(50);
    expect(
      judgeRun(new Map(HOSTS.map((h) => [h, l.lines(h)])), new Map(HOSTS.map((h) => [h, l.id(h)])), HOSTS),
    ).toBe('X');
  });
});
