/**
 * Crash safety, tested rather than assumed. An acceptor process (peer2 of testcase 1) is
 * driven over real TCP by this test, which stands in for the proposer peer1 and the
 * learner peer5, and is killed with SIGKILL at every crash point of its save-then-send
 * path (src/runtime/failpoints.ts), at each of the script's durable writes. After each
 * restart from the same data directory, a probe asks what it holds: it must still hold
 * every promise and acceptance that an answer of the killed process reported.
 *
 * The same run against the faulty runtime that sends before its state is durable
 * (PAXOS_FAULT=send-first) must be caught, or the test proves nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Message, PrepareAck } from '../../machines/messages';
import { freePorts } from '../../src/cluster/localCluster';
import { encodeMessage } from '../../src/runtime/codec';
import { FAILPOINTS, type FailpointName } from '../../src/runtime/failpoints';
import { type LineSink, lineSink } from '../support/lineSink';
import { CLI, repoFile, requireBuiltCli } from './support/paths';
import { Watched } from './support/processes';

const HOSTSFILE = repoFile('hostsfile-testcase1.txt');

/** What peer1 asks of peer2, in order; six of these change its durable state. */
const SCRIPT: Message[] = [
  { type: 'prepare', from: 1, group: 1, n: 1 },
  { type: 'accept', from: 1, group: 1, n: 1, value: 'X' },
  { type: 'prepare', from: 1, group: 1, n: 3 },
  { type: 'prepare', from: 1, group: 1, n: 2 },
  { type: 'accept', from: 1, group: 1, n: 3, value: 'Y' },
  { type: 'accept', from: 1, group: 1, n: 1, value: 'Z' },
  { type: 'prepare', from: 1, group: 1, n: 5 },
  { type: 'accept', from: 1, group: 1, n: 5, value: 'X' },
];
const DURABLE_WRITES = 6;
const POINTS = FAILPOINTS;

interface Held {
  minProposal: number;
  acceptedProposal: number;
  acceptedValue: string | null;
}

let proposer: LineSink;
let learner: LineSink;
const processes: Watched[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  requireBuiltCli();
  proposer = await lineSink();
  learner = await lineSink();
});
afterAll(async () => {
  for (const p of processes.splice(0)) await p.stop('SIGKILL');
  await proposer?.close();
  await learner?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function startAcceptor(
  dataDir: string,
  env: Record<string, string>,
): Promise<{ peer: Watched; port: number }> {
  const [port] = (await freePorts(1)) as [number];
  const child = spawn(
    process.execPath,
    [
      CLI,
      'peer',
      '-h',
      HOSTSFILE,
      '--name',
      'peer2',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--peer-address',
      `peer1=127.0.0.1:${proposer.port}`,
      '--peer-address',
      `peer5=127.0.0.1:${learner.port}`,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const peer = new Watched('peer2', child);
  processes.push(peer);
  return { peer, port };
}

/** A connection to the acceptor as peer1 would open it, retried until the peer listens. */
async function connect(port: number): Promise<net.Socket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    } catch (err) {
      // A peer rehearses before it listens: give it time on a loaded machine.
      if (attempt > 750) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const answers = () => proposer.received.map((l) => JSON.parse(l) as Message);

/** Waits until the proposer sink holds more than `count` answers or the peer is gone. */
async function nextAnswer(peer: Watched, count: number): Promise<boolean> {
  const end = Date.now() + 5000;
  while (Date.now() < end) {
    if (proposer.received.length > count) return true;
    if (!peer.running) {
      // Frames already in the kernel may still arrive after the process is gone.
      await new Promise((r) => setTimeout(r, 50));
      return proposer.received.length > count;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`no answer from peer2 within 5 s\n${peer.stderr.join('\n')}`);
}

/** What the answers that left promise about the acceptor's state: the least it must hold. */
function promisedBy(msgs: Message[]): Held {
  const held: Held = { minProposal: 0, acceptedProposal: 0, acceptedValue: null };
  for (const m of msgs) {
    if (m.type === 'prepare_ack') {
      held.minProposal = Math.max(held.minProposal, m.minProposal);
      if (m.acceptedProposal > held.acceptedProposal) {
        held.acceptedProposal = m.acceptedProposal;
        held.acceptedValue = m.acceptedValue;
      }
    } else if (m.type === 'accept_ack') {
      held.minProposal = Math.max(held.minProposal, m.minProposal);
      if (m.minProposal === m.n && m.n >= held.acceptedProposal) {
        held.acceptedProposal = m.n;
        held.acceptedValue = m.value;
      }
    }
  }
  return held;
}

/** One crash: the script until the process dies at the point, then a restart and a probe. */
async function crashAndProbe(point: FailpointName, at: number, env: Record<string, string> = {}) {
  proposer.received.length = 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paxos-crash-'));
  dirs.push(dir);
  const dataDir = path.join(dir, 'peer2');
  const first = await startAcceptor(dataDir, { ...env, PAXOS_FAILPOINT: `${point}:${at}` });
  const socket = await connect(first.port);
  socket.on('error', () => {});
  for (const m of SCRIPT) {
    if (!first.peer.running) break;
    socket.write(encodeMessage(m));
    if (!(await nextAnswer(first.peer, proposer.received.length))) break;
  }
  const exit = await first.peer.exited;
  socket.destroy();
  const answered = answers();

  const second = await startAcceptor(dataDir, env);
  const probe = await connect(second.port);
  const before = proposer.received.length;
  // A prepare no acceptor refuses to answer: its reply reports what the acceptor holds.
  probe.write(encodeMessage({ type: 'prepare', from: 1, group: 1, n: 1 }));
  await nextAnswer(second.peer, before);
  const reply = answers()[before] as PrepareAck;
  probe.destroy();
  await second.peer.stop('SIGKILL');
  return { exit, answered, must: promisedBy(answered), holds: reply };
}

/** A promise for the probe's number 1 means nothing was promised before (its minProposal is the probe's own). */
const keeps = (holds: PrepareAck, must: Held) =>
  (holds.promised ? 0 : holds.minProposal) >= must.minProposal &&
  (holds.acceptedProposal > must.acceptedProposal ||
    (holds.acceptedProposal === must.acceptedProposal && holds.acceptedValue === must.acceptedValue));

describe('an acceptor killed at any crash point keeps every promise and acceptance it answered', () => {
  for (const point of POINTS) {
    test(`SIGKILL at ${point}, at each of its ${DURABLE_WRITES} durable writes`, async () => {
      for (let at = 1; at <= DURABLE_WRITES; at++) {
        const r = await crashAndProbe(point, at);
        expect(r.exit.signal, `${point}:${at} killed itself`).toBe('SIGKILL');
        expect(
          keeps(r.holds, r.must),
          `${point}:${at}: after the restart it holds ${JSON.stringify(r.holds)}, but its answers said ${JSON.stringify(r.must)}`,
        ).toBe(true);
      }
    });
  }

  test('the faulty runtime that sends before its state is durable is caught', async () => {
    const caught: number[] = [];
    for (let at = 1; at <= DURABLE_WRITES; at++) {
      const r = await crashAndProbe('before-write', at, { PAXOS_FAULT: 'send-first' });
      expect(r.exit.signal).toBe('SIGKILL');
      if (!keeps(r.holds, r.must)) caught.push(at);
    }
    // Every kill loses the answer that already left.
    expect(caught).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
