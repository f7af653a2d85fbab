/**
 * A frame from a peer proves it is up. A link to it that failed while the peer was not yet
 * listening must not wait out its reconnect backoff: the answer to the peer's first message
 * would wait for nothing (the lab's start order, acceptors first, met exactly that).
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { PeerId } from '../../machines/messages';
import { loadHostsfile } from '../../src/config/hostsfile';
import { AddressBook, type Endpoint } from '../../src/runtime/addresses';
import { Transport } from '../../src/runtime/transport';
import { repoFile } from '../e2e/support/paths';
import { lineSink } from '../support/lineSink';

const cluster = loadHostsfile(repoFile('hostsfile-testcase1.txt'));
const transports: Transport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

const freePort = async () => {
  const s = await lineSink();
  await new Promise((r) => s.server.close(r));
  return s.port;
};

/** A transport for `host` that hands every inbound line to `got` and names its sender `from`. */
function transport(host: string, book: AddressBook, got: string[], from: PeerId | undefined) {
  const t = new Transport({
    cluster,
    selfHost: host,
    addresses: book,
    inbound: {
      frame: (line) => {
        got.push(line);
        return from;
      },
      badInput: () => {},
    },
    log: () => {},
    // A backoff far longer than the test waits: only the proof that the peer is up can end it.
    connectBackoff: { baseMs: 20_000, capMs: 20_000, jitter: 0 },
  });
  transports.push(t);
  return t;
}

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
};

describe('a link waiting out its backoff', () => {
  test.each([
    ['connects at once when the peer it waits for sends a frame', 2 as PeerId, true],
    ['keeps waiting when the frame proves nothing (no valid sender)', undefined, false],
  ])('%s', async (_, sender, delivered) => {
    const ports = new Map<string, Endpoint>([
      ['peer1', { host: '127.0.0.1', port: await freePort() }],
      ['peer2', { host: '127.0.0.1', port: await freePort() }],
    ]);
    const book = new AddressBook(0, ports);
    const atPeer1: string[] = [];
    const atPeer2: string[] = [];
    const peer1 = transport('peer1', book, atPeer1, sender);
    await peer1.listen();
    // peer2 is not up: the frame waits, and the link backs off after the refused connect.
    peer1.send(2, '{"answer":1}\n');
    await new Promise((r) => setTimeout(r, 200));
    const peer2 = transport('peer2', book, atPeer2, 1);
    await peer2.listen();
    peer2.send(1, '{"request":1}\n');
    expect(await until(() => atPeer1.length === 1, 2000)).toBe(true);
    expect(await until(() => atPeer2.length === 1, 1500)).toBe(delivered);
  });
});
