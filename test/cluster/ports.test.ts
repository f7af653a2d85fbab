/**
 * `paxos cluster` picks its peers' ports, releases them, and the peers bind them a moment
 * later. Drawn from the ephemeral range, a port could meanwhile be handed to any process
 * asking the kernel for a free one (a rare EADDRINUSE); drawn below it, it cannot.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { expect, test } from 'vitest';
import { freePorts } from '../../src/cluster/localCluster';

const ephemeralLow = () => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
};

test('ports are distinct, free, and below the range the kernel hands out for any port', async () => {
  const ports = await freePorts(12);
  expect(new Set(ports).size).toBe(12);
  for (const p of ports) expect(p).toBeLessThan(ephemeralLow());
  // Each can be bound now, as a peer will.
  for (const port of ports) {
    const s = net.createServer();
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise((r) => s.close(r));
  }
  // Whatever asks the kernel for any free port meanwhile gets none of them.
  const any = await Promise.all(
    Array.from({ length: 50 }, () => {
      const s = net.createServer();
      return new Promise<net.Server>((r) => s.listen(0, '127.0.0.1', () => r(s)));
    }),
  );
  const taken = any.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(any.map((s) => new Promise((r) => s.close(r))));
  expect(taken.filter((p) => ports.includes(p))).toEqual([]);
});
