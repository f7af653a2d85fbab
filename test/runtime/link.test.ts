import { afterEach, describe, expect, test } from 'vitest';
import { Link } from '../../src/runtime/link';
import { lineSink } from '../support/lineSink';

const freePort = async () => {
  const s = await lineSink();
  await new Promise((r) => s.server.close(r));
  return s.port;
};

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('outbound link', () => {
  test('frames sent before the peer is up arrive, in order, once it is', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const link = new Link({
      name: 'peer2',
      endpoint: () => ({ host: '127.0.0.1', port }),
      log: (t) => logs.push(t),
      quietAttempts: 2,
    });
    cleanups.push(() => link.close());
    for (let i = 0; i < 5; i++) link.send(`m${i}\n`);
    await new Promise((r) => setTimeout(r, 300));
    expect(link.waiting).toBe(5);
    expect(logs.some((l) => l.includes('peer2 (127.0.0.1:') && l.includes('not reachable yet'))).toBe(true);
    const s = await lineSink(port);
    cleanups.push(() => s.server.close());
    await until(() => s.received.length === 5);
    expect(s.received).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(logs.at(-1)).toMatch(/^connected to peer2/);
  });

  test('after the peer restarts, the connection is made again and recent frames are sent again', async () => {
    const first = await lineSink();
    const port = first.port;
    const logs: string[] = [];
    const link = new Link({
      name: 'peer3',
      endpoint: () => ({ host: '127.0.0.1', port }),
      log: (t) => logs.push(t),
    });
    cleanups.push(() => link.close());
    link.send('before\n');
    await until(() => first.received.length === 1);
    // The peer dies: its sockets go, and frames written before we notice may be lost.
    for (const s of first.sockets) s.destroy();
    await new Promise((r) => first.server.close(r));
    await until(() => logs.some((l) => l.startsWith('connection to peer3')));
    link.send('after\n');
    const second = await lineSink(port);
    cleanups.push(() => second.server.close());
    await until(() => second.received.includes('after'));
    // "before" was written within the resend window: it comes again (duplicates are harmless).
    expect(second.received).toEqual(['before', 'after']);
  });
});
