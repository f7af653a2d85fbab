/**
 * `paxos trace` on a register service's run must be able to say no where each peer did what
 * its machines say and the protocol is still wrong: three register hosts in one process,
 * over a network that can cut a peer off, run a seeded fault of the round
 * (first-promise-value: the change applied to the lowest peer's promise, not the highest
 * accepted). Replayed through those same machines, every step matches; only the mapping to
 * spec/Registers.tla can catch it. Replayed through ours, the steps themselves differ. The
 * same scenario with our machines passes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { AcceptorDurable } from '../../machines/acceptor';
import type { PeerId } from '../../machines/messages';
import { registerFaults } from '../../properties/registers/faults';
import { loadHostsfile } from '../../src/config/hostsfile';
import {
  createRegisterPeerLogic,
  type RegisterPeerConfig,
  type RegisterPeerLogic,
} from '../../src/registers/peer';
import { RegisterHost } from '../../src/serve/host';
import { type Layout, registerLayout } from '../../src/serve/layout';
import { ServeMetrics } from '../../src/serve/metrics';
import { ServeTracer } from '../../src/serve/tracer';
import type { RegisterStore } from '../../src/storage/store';
import { validateServe } from '../../src/trace/serve/index';
import { repoFile } from '../e2e/support/paths';

class MemoryStore implements RegisterStore {
  readonly incarnation = 0;
  readonly data = new Map<string, AcceptorDurable>();
  async read(key: string) {
    return this.data.get(key);
  }
  async write(changes: ReadonlyMap<string, AcceptorDurable>) {
    for (const [k, v] of changes) this.data.set(k, v);
  }
  async close() {}
}

const cluster = loadHostsfile(repoFile('hostsfile-registers.txt'));
const layout = registerLayout(cluster) as Layout;
const dirs: string[] = [];
const hosts: RegisterHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Machines = (config: RegisterPeerConfig) => RegisterPeerLogic;

/** Three traced hosts on one in-memory network; `cut` names the peer whose messages are lost. */
function service(machines: Machines) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'serve-refinement-'));
  dirs.push(dir);
  const net = { cut: 0 as PeerId | 0 };
  const all = new Map<PeerId, RegisterHost>();
  for (const peer of cluster.peers) {
    const host = new RegisterHost({
      logic: machines({ peers: cluster.peers.map((p) => p.id), layout }),
      cluster,
      self: peer.id,
      store: new MemoryStore(),
      outbox: {
        send: (to, line) => {
          if (net.cut === to || net.cut === peer.id) return;
          setImmediate(() => all.get(to)?.receive(line, peer.host));
        },
      },
      log: () => {},
      fatal: (err) => {
        throw err;
      },
      requestTimeoutMs: 2000,
      metrics: new ServeMetrics(),
      tracer: new ServeTracer(path.join(dir, `${peer.host}.ndjson`), peer.host, peer.id, 0),
    });
    hosts.push(host);
    all.set(peer.id, host);
  }
  const traces = () =>
    cluster.peers.map((p) => {
      const file = path.join(dir, `${p.host}.ndjson`);
      return { file, text: readFileSync(file, 'utf8') };
    });
  return { net, host: (id: PeerId) => all.get(id) as RegisterHost, traces };
}

/** A put that only peers 2 and 3 take, then a get through peer 1 that hears peer 2 but not peer 3. */
async function scenario(machines: Machines) {
  const s = service(machines);
  s.net.cut = 1;
  expect(await s.host(2).invoke('k', { kind: 'put', value: 'a' })).toMatchObject({ outcome: 'ok' });
  s.net.cut = 3;
  const read = await s.host(1).invoke('k', { kind: 'get' });
  await new Promise((r) => setTimeout(r, 50));
  return { read, traces: s.traces() };
}

test('with our machines the run passes, and its get reads the put', async () => {
  const { read, traces } = await scenario(createRegisterPeerLogic);
  expect(read).toEqual({ outcome: 'ok', state: { value: 'a', version: 1 } });
  const r = validateServe(cluster, traces);
  expect(r.verdict, JSON.stringify(r)).toBe('PASS');
  expect(r.specSteps).toBeGreaterThan(10);
});

test('a faulty round that follows its own machines is caught by the refinement alone', async () => {
  const fault = registerFaults.find((f) => f.name === 'first-promise-value')?.logic as Machines;
  const { read, traces } = await scenario(fault);
  // The stale read the fault makes: the register looks empty after a put was answered.
  expect(read).toMatchObject({ outcome: 'ok', state: { value: null } });
  const own = validateServe(cluster, traces, fault);
  expect(own.failure?.rule, JSON.stringify(own)).toBe('refinement');
  const ours = validateServe(cluster, traces);
  expect(ours.failure?.rule, JSON.stringify(ours)).toBe('machines');
});
