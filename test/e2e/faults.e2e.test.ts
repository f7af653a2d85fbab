/**
 * Faults against live peers (separate processes, real TCP): bad input on the wire, an
 * acceptor killed and restarted from its data directory, acceptors down.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '../../machines/messages';
import { encodeMessage } from '../../src/runtime/codec';
import { lineSink } from '../support/lineSink';
import { LocalPeers } from './support/localPeers';
import { judgeRun } from './support/logLines';
import { repoFile, requireBuiltCli } from './support/paths';
import { expectTracePasses } from './support/validate';

beforeAll(requireBuiltCli);

const open: LocalPeers[] = [];
const peersOf = async (file: string) => {
  const p = await LocalPeers.create(repoFile(file));
  open.push(p);
  return p;
};
afterEach(async () => {
  for (const p of open.splice(0)) await p.cleanup();
});
afterAll(async () => {
  for (const p of open.splice(0)) await p.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw TCP client to a peer, writing exactly the bytes it is given. */
async function rawClient(port: number): Promise<net.Socket> {
  const s = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  s.setNoDelay(true);
  return s;
}

/** Stands in for a peer: listens on its port and collects the messages sent to it. */
async function fakePeer(port: number): Promise<{ received: Record<string, unknown>[]; close: () => void }> {
  const sink = await lineSink(port);
  return {
    /** The messages as the machines see them: the tracing envelope (clock, id) taken off. */
    get received() {
      return sink.received.map((line) => {
        const { clock: _clock, id: _id, ...message } = JSON.parse(line) as Record<string, unknown>;
        return message;
      });
    },
    close: () => void sink.close(),
  };
}

const HOSTS = ['peer1', 'peer2', 'peer3', 'peer4', 'peer5'];

/** paxos trace over every line the given peers printed, all incarnations (restarts) included. */
const expectTrace = (
  peers: LocalPeers,
  hosts: readonly string[],
  label: string,
  { expectDecided = true, prefix = new Map<string, string[]>(), structured = true } = {},
) =>
  expectTracePasses({
    cluster: peers.cluster,
    stdout: new Map(hosts.map((h) => [h, [...(prefix.get(h) ?? []), ...peers.stdoutOfAll(h)]])),
    expectDecided,
    label,
    ...(structured ? { traces: peers.traceFiles(hosts) } : {}),
  });

describe('faults against live peers', () => {
  test('garbage, oversized lines and half frames are reported on stderr and dropped; the run still decides', async () => {
    const peers = await peersOf('hostsfile-testcase1.txt');
    // The proposer waits, so that the bad input reaches the acceptor before the round does.
    for (const host of HOSTS) peers.start(host, host === 'peer1' ? ['-v', 'X', '-t', '1.5'] : []);
    await peers.listening('peer2');
    const peer2 = peers.current.get('peer2');
    if (!peer2) throw new Error('peer2 not started');

    const bad = await rawClient(peers.port('peer2'));
    bad.write('this is not json\n');
    bad.write('{"type":"prepare","from":1,"group":1}\n');
    bad.write('{"type":"prepare","from":9,"group":1,"n":1}\n');
    bad.write(`{"type":"prepare","from":1,"group":1,"n":1,"pad":"${'x'.repeat(70 * 1024)}"}\n`);
    // A valid frame cut across two TCP writes still arrives whole.
    const frame = encodeMessage({ type: 'prepare', from: 1, group: 1, n: 1 } satisfies Message);
    bad.write(frame.slice(0, 10));
    await sleep(100);
    bad.write(frame.slice(10));
    // And a frame cut off by the connection closing is reported, not half-read.
    bad.end('{"type":"prep');

    // Other diagnostics (a warm link still waiting for a peer to listen) may come in between.
    const badReports = () => peer2.stderr.filter((l) => l.startsWith('bad input from')).length;
    await peer2.waitFor(() => badReports() >= 5, 10_000, 'five bad-input reports');
    const reports = peer2.stderr.filter((l) => l.startsWith('bad input from 127.0.0.1:'));
    expect(reports.map((l) => l.replace(/^bad input from 127\.0\.0\.1:\d+ dropped: /, ''))).toEqual([
      'not JSON: "this is not json"',
      expect.stringMatching(/^prepare: missing field 'n'/),
      expect.stringMatching(/^prepare: unknown sender peer 9/),
      expect.stringMatching(/^line longer than 65536 bytes refused/),
      'connection closed inside a frame (13 bytes dropped)',
    ]);
    // The split frame was taken: peer2 printed it and answered it.
    await peer2.waitFor(() => peer2.stdout.length >= 2, 10_000, 'the answer to the split frame');
    expect(peers.lines('peer2').slice(0, 2)).toMatchObject([
      { peer_id: 1, action: 'received', message_type: 'prepare', proposal_num: 1 },
      { peer_id: 2, action: 'sent', message_type: 'prepare_ack', proposal_num: 1 },
    ]);

    for (const host of HOSTS) {
      const w = peers.current.get(host);
      await w?.waitFor(() => peers.hasChosen(host), 20_000, `${host} chose`);
    }
    await sleep(200);
    expect(
      judgeRun(
        new Map(HOSTS.map((h) => [h, peers.lines(h)])),
        new Map(HOSTS.map((h) => [h, peers.id(h)])),
        HOSTS,
      ),
    ).toBe('X');
    // The test spoke as peer1 once (the split frame, prepare 1) before peer1 sent anything:
    // that is a line of peer1's conversation, so it is given to the validator as peer1's.
    const forged =
      '{"peer_id":1,"action":"sent","message_type":"prepare","message_value":"","proposal_num":1}';
    // The test itself sent peer2 a prepare as peer1: no peer's trace sent it, so only the
    // lab lines (with that send put in front of peer1's) can explain this run.
    expectTrace(peers, HOSTS, 'bad input', { prefix: new Map([['peer1', [forged]]]), structured: false });
    expect(peers.current.get('peer2')?.running).toBe(true);
  });

  test('an acceptor killed with SIGKILL after promising keeps its promise when restarted from its data dir', async () => {
    const peers = await peersOf('hostsfile-testcase1.txt');
    // The test plays peer1, the proposer: it sends prepares and collects the answers. Not
    // given to paxos trace: this proposer breaks the protocol on purpose (accept 3 without
    // promises), and its lines are not printed anywhere.
    const proposer = await fakePeer(peers.port('peer1'));
    try {
      let acceptor = peers.start('peer2');
      await peers.listening('peer2');
      const send = async (m: Message) => {
        const s = await rawClient(peers.port('peer2'));
        s.end(encodeMessage(m));
      };
      await send({ type: 'prepare', from: 1, group: 1, n: 5 });
      await acceptor.waitFor(() => proposer.received.length === 1, 10_000, 'the promise for 5');
      expect(proposer.received[0]).toEqual({
        type: 'prepare_ack',
        from: 2,
        group: 1,
        n: 5,
        promised: true,
        minProposal: 5,
        acceptedProposal: 0,
        acceptedValue: null,
      });

      await acceptor.stop('SIGKILL');
      acceptor = peers.start('peer2');
      await peers.listening('peer2');
      await send({ type: 'prepare', from: 1, group: 1, n: 3 });
      await send({ type: 'accept', from: 1, group: 1, n: 3, value: 'Z' });
      await acceptor.waitFor(
        () => proposer.received.length === 3,
        10_000,
        'answers to prepare 3 and accept 3',
      );
      expect(proposer.received.slice(1)).toEqual([
        {
          type: 'prepare_ack',
          from: 2,
          group: 1,
          n: 3,
          promised: false,
          minProposal: 5,
          acceptedProposal: 0,
          acceptedValue: null,
        },
        { type: 'accept_ack', from: 2, group: 1, n: 3, minProposal: 5, value: null },
      ]);
      // Its log shows the refused prepare (nothing accepted: "" and the prepare's number) and the rejection.
      expect(peers.lines('peer2').filter((l) => l.action === 'sent')).toEqual([
        { peer_id: 2, action: 'sent', message_type: 'prepare_ack', message_value: '', proposal_num: 3 },
        { peer_id: 2, action: 'sent', message_type: 'accept_ack', message_value: '', proposal_num: 5 },
      ]);
    } finally {
      proposer.close();
    }
  });

  test('testcase 1 with one of three acceptors down still decides', async () => {
    const peers = await peersOf('hostsfile-testcase1.txt');
    const up = ['peer1', 'peer2', 'peer3', 'peer5'];
    for (const host of up) peers.start(host, host === 'peer1' ? ['-v', 'X'] : []);
    for (const host of up)
      await peers.current.get(host)?.waitFor(() => peers.hasChosen(host), 20_000, `${host} chose`);
    expect(
      judgeRun(new Map(up.map((h) => [h, peers.lines(h)])), new Map(up.map((h) => [h, peers.id(h)])), up),
    ).toBe('X');
    // peer4 never ran, so it cannot have printed chose: judgeRun above checks the others did.
    expectTrace(peers, HOSTS, 'one acceptor down', { expectDecided: false });
  });

  test('with two of three acceptors down nobody chooses; the proposer retries; once they are up it decides', async () => {
    const peers = await peersOf('hostsfile-testcase1.txt');
    const up = ['peer1', 'peer2', 'peer5'];
    for (const host of up) peers.start(host, host === 'peer1' ? ['-v', 'X'] : []);
    const proposer = peers.current.get('peer1');
    if (!proposer) throw new Error('peer1 not started');
    // The round timeout is 1 to 1.5 s: a second round shows the retry.
    await proposer.waitFor(
      () =>
        new Set(
          peers
            .lines('peer1')
            .filter((l) => l.message_type === 'prepare')
            .map((l) => l.proposal_num),
        ).size >= 2,
      10_000,
      'a second round',
    );
    await sleep(1000);
    for (const host of up)
      expect(peers.chose(host), `${host} must not choose without a majority`).toEqual([]);

    // Messages queued for the missing acceptors are delivered once they are up.
    for (const host of ['peer3', 'peer4']) peers.start(host);
    for (const host of HOSTS)
      await peers.current.get(host)?.waitFor(() => peers.hasChosen(host), 20_000, `${host} chose`);
    expect(
      judgeRun(
        new Map(HOSTS.map((h) => [h, peers.lines(h)])),
        new Map(HOSTS.map((h) => [h, peers.id(h)])),
        HOSTS,
      ),
    ).toBe('X');
    expectTrace(peers, HOSTS, 'two acceptors down, then up');
  });
});

describe('signals', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('%s closes the peer cleanly: exit 0', async (signal) => {
    const peers = await peersOf('hostsfile-testcase1.txt');
    const peer = peers.start('peer2');
    await peers.listening('peer2');
    peer.child.kill(signal);
    expect(await peer.exited).toEqual({ code: 0, signal: null });
    // Nothing but the notice that frames are not authenticated (no --secret-file here).
    expect(peer.stderr).toEqual([
      'frames are not authenticated (no --secret-file): anyone who reaches this port can speak for any peer',
    ]);
  });
});
