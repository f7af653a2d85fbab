/**
 * Ports for the peers of a run. They are chosen below the kernel's ephemeral range
 * (32768-60999 on Linux by default), never with port 0: the bench's own proxies listen on
 * ephemeral ports, and a peer port handed out by the kernel, released, and then given to
 * a proxy before the peer binds it would leave a proxy forwarding to itself (a connection
 * storm that ran a campaign out of file descriptors) or to another run's proxy. A port is
 * checked free by binding it, and ports in use by a run under way are never reused.
 */
import net from 'node:net';
import type { Prng } from '../sim/prng';

const LOW = 20000;
const HIGH = 32000;
const taken = new Set<number>();

const bindable = (port: number) =>
  new Promise<net.Server | undefined>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });

/** `count` distinct free ports, reserved until `release`. */
export async function reservePorts(count: number, random: Prng): Promise<number[]> {
  const held: net.Server[] = [];
  const ports: number[] = [];
  try {
    for (let tries = 0; ports.length < count; tries++) {
      if (tries > 1000) throw new Error(`no ${count} free ports in ${LOW}-${HIGH}`);
      const port = LOW + random.below(HIGH - LOW);
      if (taken.has(port) || ports.includes(port)) continue;
      const s = await bindable(port);
      if (!s) continue;
      held.push(s);
      ports.push(port);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
  for (const p of ports) taken.add(p);
  return ports;
}

export function releasePorts(ports: readonly number[]): void {
  for (const p of ports) taken.delete(p);
}
