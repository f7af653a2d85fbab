/**
 * A frame from a peer proves it is up. A link to it that failed while the peer was not yet
 * listening must not wait out its reconnect backoff: the answer to the peer's first message
 * would wait for nothing (the lab's start order, acceptors first, met exactly that).
 */
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import type { PeerId } from '../../machines/messages';
import { loadHostsfile } from '../../src/config/hostsfile';
import { AddressBook, type Endpoint } from '../../src/runtime/addresses';
import { Transport } from '../../src/runtime/transport';
import { repoFile } from '../e2e/support/paths';
import { lineSink } from '../support/lineSink';

const cluster = loadHostsfile(repoFile('hostsfile-testcase1.txt'));
const transports: Transport[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
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
  const twoPorts = async () =>
    new AddressBook(
      0,
      new Map<string, Endpoint>([
        ['peer1', { host: '127.0.0.1', port: await freePort() }],
        ['peer2', { host: '127.0.0.1', port: await freePort() }],
      ]),
    );

  test('connects at once when the peer it waits for sends a frame', async () => {
    const book = await twoPorts();
    const atPeer1: string[] = [];
    const atPeer2: string[] = [];
    const peer1 = transport('peer1', book, atPeer1, 2);
    await peer1.listen();
    // peer2 is not up: the frame waits, and the link backs off after the refused connect.
    peer1.send(2, '{"answer":1}\n');
    await new Promise((r) => setTimeout(r, 200));
    const peer2 = transport('peer2', book, atPeer2, 1);
    await peer2.listen();
    peer2.send(1, '{"request":1}\n');
    expect(await until(() => atPeer1.length === 1, 2000)).toBe(true);
    expect(await until(() => atPeer2.length === 1, 1500)).toBe(true);
  });

  test('keeps waiting when what came in proves nothing (not a frame of a peer)', async () => {
    const book = await twoPorts();
    const atPeer1: string[] = [];
    const peer1 = transport('peer1', book, atPeer1, undefined);
    await peer1.listen();
    peer1.send(2, '{"answer":1}\n');
    await new Promise((r) => setTimeout(r, 200));
    // peer2's port now listens, but what reaches peer1 is a stranger's line, and a hello
    // naming peer1 itself: neither is a peer saying it is up.
    const sink = await lineSink(book.endpointOf('peer2').port);
    cleanups.push(() => sink.server.close());
    const stranger = net.connect(book.endpointOf('peer1').port, '127.0.0.1');
    cleanups.push(() => stranger.destroy());
    stranger.write('{"request":1}\n{"hello":1}\n');
    expect(await until(() => atPeer1.length === 1, 2000)).toBe(true);
    expect(await until(() => sink.received.length > 0, 1500)).toBe(false);
  });

  test('connects at once when the peer it waits for comes up and only says hello', async () => {
    const book = await twoPorts();
    const atPeer1: string[] = [];
    const atPeer2: string[] = [];
    const peer1 = transport('peer1', book, atPeer1, 2);
    await peer1.listen();
    peer1.send(2, '{"request":1}\n');
    await new Promise((r) => setTimeout(r, 200));
    // peer2 starts and opens its link to peer1 without a message to send: its hello is all
    // peer1 hears, and it is not a protocol frame (the host never sees it).
    const peer2 = transport('peer2', book, atPeer2, 1);
    await peer2.listen();
    peer2.warm([1]);
    expect(await until(() => atPeer2.length === 1, 1500)).toBe(true);
    expect(atPeer2).toEqual(['{"request":1}']);
    expect(atPeer1).toEqual([]);
  });
});
