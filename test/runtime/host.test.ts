import { afterEach, describe, expect, test } from 'vitest';
import type { Message } from '../../machines/messages';
import type { ClusterConfig } from '../../src/config/cluster';
import type { PeerDurable } from '../../src/peer/node';
import { createPeerLogic } from '../../src/peer/node';
import { AddressBook, type Endpoint } from '../../src/runtime/addresses';
import { encodeMessage } from '../../src/runtime/codec';
import { PeerHost } from '../../src/runtime/host';
import { Transport } from '../../src/runtime/transport';
import { expectTracePasses } from '../e2e/support/validate';
import { testcase1, testcase2 } from '../support/clusters';

/** Everything a host does, in the order it does it. */
type Event =
  | { kind: 'print'; line: Record<string, unknown> }
  | { kind: 'send'; to: number; frame: string }
  | { kind: 'save'; durable: PeerDurable }
  | { kind: 'log'; text: string };

function recordingHost(
  cluster: ClusterConfig,
  id: number,
  opts: { failSave?: boolean; timeScale?: number; durable?: PeerDurable } = {},
) {
  const events: Event[] = [];
  const host = new PeerHost({
    logic: createPeerLogic(cluster),
    self: cluster.peers[id - 1] as ClusterConfig['peers'][number],
    ...(opts.durable ? { durable: opts.durable } : {}),
    store: {
      save: (durable) => {
        if (opts.failSave) throw new Error('disk full');
        events.push({ kind: 'save', durable: structuredClone(durable) });
      },
    },
    outbox: { send: (to, frame) => events.push({ kind: 'send', to, frame }) },
    print: (lines) => {
      for (const line of lines) events.push({ kind: 'print', line: JSON.parse(line) });
    },
    log: (text) => events.push({ kind: 'log', text }),
    fatal: (err) => events.push({ kind: 'log', text: `fatal: ${err.message}` }),
    // Time as the machines set it, 50 times faster (a round times out after 20 to 30 ms),
    // or hardly ever (the default) for tests about one step.
    timeScale: opts.timeScale ?? 100,
    random: () => 0.5,
  });
  hosts.push(host);
  return { host, events };
}

const hosts: PeerHost[] = [];
const transports: Transport[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) h.stop();
  for (const t of transports.splice(0)) await t.close();
});

const printed = (events: Event[]) => events.flatMap((e) => (e.kind === 'print' ? [e.line] : []));
const sentNumbers = (events: Event[], type: string) =>
  printed(events)
    .filter((l) => l.action === 'sent' && l.message_type === type)
    .map((l) => l.proposal_num as number);

const line = (m: Message) => encodeMessage(m).trimEnd();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('peer host', () => {
  test('a promise is on stable storage before the prepare_ack leaves or is printed', async () => {
    const { host, events } = recordingHost(testcase1, 2);
    host.receive(line({ type: 'prepare', from: 1, group: 1, n: 1 }), 'test');
    await host.idle();
    expect(events.map((e) => `${e.kind}${e.kind === 'print' ? `:${e.line.action}` : ''}`)).toEqual([
      'save',
      'print:received',
      'print:sent',
      'send',
    ]);
    expect(events[0]).toMatchObject({ kind: 'save', durable: { acceptor: { minProposal: 1 } } });
    expect(events[2]).toMatchObject({
      line: { peer_id: 2, action: 'sent', message_type: 'prepare_ack', message_value: '', proposal_num: 1 },
    });
  });

  test('inputs that arrive together are one batch: stepped in order, saved once, then let out', async () => {
    const { host, events } = recordingHost(testcase1, 2);
    host.receive(line({ type: 'prepare', from: 1, group: 1, n: 1 }), 'test');
    host.receive(line({ type: 'prepare', from: 1, group: 1, n: 3 }), 'test');
    host.receive(line({ type: 'accept', from: 1, group: 1, n: 3, value: 'X' }), 'test');
    await host.idle();
    expect(events.map((e) => `${e.kind}${e.kind === 'print' ? `:${e.line.action}` : ''}`)).toEqual([
      'save',
      'print:received',
      'print:sent',
      'print:received',
      'print:sent',
      'print:received',
      'print:sent',
      'print:sent',
      'send',
      'send',
      'send',
      'send',
    ]);
    expect(events[0]).toMatchObject({
      durable: { acceptor: { minProposal: 3, acceptedProposal: 3, acceptedValue: 'X' } },
    });
  });

  test('a save that fails stops the peer before anything of its batch is seen', async () => {
    const { host, events } = recordingHost(testcase1, 2, { failSave: true });
    host.receive(line({ type: 'prepare', from: 1, group: 1, n: 1 }), 'test');
    await host.idle();
    expect(events).toEqual([{ kind: 'log', text: 'fatal: disk full' }]);
    host.receive(line({ type: 'prepare', from: 1, group: 1, n: 3 }), 'test');
    await host.idle();
    expect(events).toHaveLength(1);
  });

  test('a restarted acceptor refuses a prepare below its stored promise', async () => {
    const durable = { proposers: {}, acceptor: { minProposal: 4, acceptedProposal: 0, acceptedValue: null } };
    const { host, events } = recordingHost(testcase1, 2, { durable });
    host.receive(line({ type: 'prepare', from: 1, group: 1, n: 1 }), 'test');
    await host.idle();
    const sent = events.find((e) => e.kind === 'send') as { frame: string };
    expect(JSON.parse(sent.frame)).toMatchObject({
      type: 'prepare_ack',
      n: 1,
      promised: false,
      minProposal: 4,
    });
  });

  test('bad frames are reported with the remote address and dropped; good ones still go through', async () => {
    const { host, events } = recordingHost(testcase1, 2);
    host.receive('garbage', '10.0.0.9:4000');
    host.receive('{"type":"prepare","from":1,"group":1,"n":"x"}', '10.0.0.9:4000');
    host.receive(line({ type: 'prepare', from: 1, group: 1, n: 1 }), '10.0.0.9:4000');
    await host.idle();
    const logs = events.filter((e) => e.kind === 'log').map((e) => (e as { text: string }).text);
    expect(logs).toEqual([
      'bad input from 10.0.0.9:4000 dropped: not JSON: "garbage"',
      expect.stringMatching(
        /^bad input from 10\.0\.0\.9:4000 dropped: prepare: field 'n' must be an integer/,
      ),
    ]);
    expect(events.filter((e) => e.kind === 'send')).toHaveLength(1);
  });

  test('a round that hears no majority is retried with a higher number; once decided, only the announcement repeats', async () => {
    const { host, events } = recordingHost(testcase1, 1, { timeScale: 0.02 });
    host.start('X', 0);
    await sleep(200);
    const numbers = [...new Set(sentNumbers(events, 'prepare'))];
    expect(numbers.length).toBeGreaterThanOrEqual(3);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(host.armedTimer(1)).toEqual({ kind: 'round' });
    const n = numbers.at(-1) as number;
    for (const from of [2, 3]) {
      host.receive(
        line({
          type: 'prepare_ack',
          from,
          group: 1,
          n,
          promised: true,
          minProposal: n,
          acceptedProposal: 0,
          acceptedValue: null,
        }),
        't',
      );
    }
    for (const from of [2, 3])
      host.receive(line({ type: 'accept_ack', from, group: 1, n, minProposal: n, value: 'X' }), 't');
    await host.idle();
    expect(printed(events).filter((l) => l.action === 'chose')).toHaveLength(1);
    expect(host.armedTimer(1)).toEqual({ kind: 'announce', attempt: 0 });
    const prepares = sentNumbers(events, 'prepare').length;
    // Announcements repeat after 40 ms, then 80 ms (2 s and 4 s at full scale): no new round.
    await sleep(150);
    expect(sentNumbers(events, 'prepare')).toHaveLength(prepares);
    expect(sentNumbers(events, 'chose')).toEqual(Array(3 * 4).fill(n));
    expect(host.armedTimer(1)).toEqual({ kind: 'announce', attempt: 2 });
  });

  test('a refused proposer backs off, then retries above the number that refused it', async () => {
    const { host, events } = recordingHost(testcase2, 5, { timeScale: 0.1 });
    host.start('Y', 0);
    await host.idle();
    host.receive(
      line({
        type: 'prepare_ack',
        from: 2,
        group: 2,
        n: 2,
        promised: false,
        minProposal: 7,
        acceptedProposal: 7,
        acceptedValue: 'X',
      }),
      't',
    );
    await host.idle();
    expect(host.armedTimer(2)).toEqual({ kind: 'backoff', attempt: 0 });
    // 100 ms * (1 - 0.5) at full scale: 5 ms here.
    await sleep(40);
    await host.idle();
    expect([...new Set(sentNumbers(events, 'prepare'))]).toEqual([2, 8]);
    expect(host.armedTimer(2)).toEqual({ kind: 'round' });
  });
});

describe('five hosts over loopback TCP', () => {
  async function runCluster(cluster: ClusterConfig, values: Record<number, [string, number]>) {
    const overrides = new Map<string, Endpoint>(
      cluster.peers.map((p) => [p.host, { host: '127.0.0.1', port: 0 }]),
    );
    const book = new AddressBook(0, overrides);
    const chose = new Map<number, Record<string, unknown>[]>();
    const all: Record<string, unknown>[] = [];
    const printedBy = new Map<string, string[]>(cluster.peers.map((p) => [p.host, []]));
    const peers = cluster.peers.map((self) => {
      const logic = createPeerLogic(cluster);
      let host: PeerHost | undefined;
      const transport = new Transport({
        cluster,
        selfHost: self.host,
        addresses: book,
        inbound: {
          frame: (l, remote) => host?.receive(l, remote),
          badInput: (p, remote) => host?.badInput(p, remote),
        },
        log: () => {},
      });
      transports.push(transport);
      host = new PeerHost({
        logic,
        self,
        store: { save: () => {} },
        outbox: transport,
        print: (lines) => {
          for (const l of lines) {
            printedBy.get(self.host)?.push(l);
            const parsed = JSON.parse(l) as Record<string, unknown>;
            all.push(parsed);
            if (parsed.action === 'chose') chose.set(self.id, [...(chose.get(self.id) ?? []), parsed]);
          }
        },
        log: () => {},
        fatal: (e) => {
          throw e;
        },
      });
      hosts.push(host);
      return { self, transport, host };
    });
    for (const p of peers) {
      const address = await p.transport.listen();
      overrides.set(p.self.host, { host: '127.0.0.1', port: address.port });
    }
    for (const [id, [value, delay]] of Object.entries(values))
      peers[Number(id) - 1]?.host.start(value, delay);
    const end = Date.now() + 10_000;
    while (chose.size < cluster.peers.length && Date.now() < end) await sleep(10);
    return { chose, all, printedBy };
  }

  test('testcase 2: every peer chooses X once, peer5 re-proposes X under its own number', async () => {
    const { chose, all, printedBy } = await runCluster(testcase2, { 1: ['X', 0], 5: ['Y', 300] });
    expectTracePasses({ cluster: testcase2, stdout: printedBy, expectDecided: true, label: 'five hosts' });
    expect([...chose.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    for (const lines of chose.values())
      expect(lines).toEqual([expect.objectContaining({ message_value: 'X' })]);
    const peer5Accepts = all.filter(
      (l) => l.peer_id === 5 && l.action === 'sent' && l.message_type === 'accept',
    );
    expect(peer5Accepts.length).toBeGreaterThan(0);
    for (const a of peer5Accepts) expect(a).toMatchObject({ message_value: 'X', proposal_num: 2 });
  });
});
