/** The nemesis's proxy on its own: each per-frame fault does exactly what its name says. */
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { type NetworkFaults, noFaults } from '../../src/nemesis/plan';
import { FaultProxy } from '../../src/nemesis/proxy';
import type { Prng } from '../../src/sim/prng';

/** Records the raw bytes of each connection it accepts. */
async function rawSink(): Promise<{ port: number; connections: string[]; close: () => Promise<void> }> {
  const connections: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    const i = connections.push('') - 1;
    sockets.add(s);
    s.on('data', (d) => {
      connections[i] += d.toString();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Draws that say "yes" to exactly one fault kind: the proxy draws cut, delay, duplicate, reorder, amount per frame. */
const always = (kind: 0 | 1 | 2 | 3): Prng => {
  let i = 0;
  return {
    next: () => (i++ % 5 === kind ? 0 : 0.99),
    below: () => 0,
    pick: <T>(xs: readonly T[]) => xs[0] as T,
  };
};
const ALL: NetworkFaults = { cut: 0.5, delay: 0.5, duplicate: 0.5, reorder: 0.5, delayMs: [100, 100] };

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c();
});

async function through(kind: 0 | 1 | 2 | 3, frames: string[], waitMs = 400) {
  const sink = await rawSink();
  const counts = noFaults();
  const proxy = new FaultProxy({ name: 'a->b', targetPort: sink.port, random: always(kind), counts });
  proxy.faults = ALL;
  const port = await proxy.listen();
  closing.push(() => proxy.close(), sink.close);
  const client = net.connect({ host: '127.0.0.1', port });
  await new Promise((r) => client.once('connect', r));
  const closed = new Promise((r) => client.once('close', r));
  const started = Date.now();
  for (const f of frames) client.write(f);
  await new Promise((r) => setTimeout(r, waitMs));
  return { sink, counts, closed, elapsed: () => Date.now() - started, client };
}

describe('the fault proxy', () => {
  test('cut: half of the frame arrives, then both sides of the connection close', async () => {
    const { sink, counts, closed } = await through(0, ['{"type":"prepare","n":1}\n']);
    await closed;
    expect(sink.connections).toEqual(['{"type":"pre']);
    expect(counts.cut).toBe(1);
  });

  test('duplicate: every frame arrives twice, in order', async () => {
    const { sink, counts } = await through(2, ['a\n', 'b\n']);
    expect(sink.connections).toEqual(['a\na\nb\nb\n']);
    expect(counts.duplicate).toBe(2);
  });

  test('reorder: a held frame goes after the next one', async () => {
    // Every frame asks to be held, but only one is held at a time: a, b swap; c waits for a successor, then goes alone.
    const { sink, counts } = await through(3, ['a\n', 'b\n', 'c\n']);
    expect(sink.connections).toEqual(['b\na\nc\n']);
    expect(counts.reorder).toBe(2);
  });

  test('delay: frames wait, and the ones after them wait behind them', async () => {
    const { sink, counts } = await through(1, ['a\n', 'b\n'], 50);
    expect(sink.connections.join('')).toBe('');
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.connections).toEqual(['a\nb\n']);
    expect(counts.delay).toBe(2);
  });

  test('a partition that stalls holds frames until the heal; one that refuses resets connections', async () => {
    const sink = await rawSink();
    const proxy = new FaultProxy({
      name: 'a->b',
      targetPort: sink.port,
      random: always(0),
      counts: noFaults(),
    });
    const port = await proxy.listen();
    closing.push(() => proxy.close(), sink.close);
    const client = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => client.once('connect', r));
    const heal = proxy.cut('stall');
    client.write('a\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.connections.join('')).toBe('');
    heal();
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.connections).toEqual(['a\n']);
    const closed = new Promise((r) => client.once('close', r));
    proxy.cut('refuse');
    await closed;
  });
});
