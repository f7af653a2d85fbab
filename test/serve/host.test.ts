/**
 * The register host on one peer that is its own majority, over a store kept in memory (a
 * test double): group commit, and keys loaded on demand and dropped when idle.
 */
import { afterEach, expect, test } from 'vitest';
import type { AcceptorDurable } from '../../machines/acceptor';
import { clusterFromRoles } from '../../src/config/cluster';
import { createRegisterPeerLogic } from '../../src/registers/peer';
import { RegisterHost } from '../../src/serve/host';
import { ServeMetrics } from '../../src/serve/metrics';
import type { RegisterStore } from '../../src/storage/store';

class MemoryStore implements RegisterStore {
  readonly incarnation = 0;
  readonly data = new Map<string, AcceptorDurable>();
  writes: number[] = [];
  async read(key: string) {
    return this.data.get(key);
  }
  async write(changes: ReadonlyMap<string, AcceptorDurable>) {
    this.writes.push(changes.size);
    for (const [k, v] of changes) this.data.set(k, v);
  }
  async close() {}
}

const cluster = clusterFromRoles('one peer', [{ host: 'peer1', proposer: [1], acceptor: [1] }]);
const hosts: RegisterHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.stop();
});

function hostWith(store: MemoryStore, idleMs = 60_000, metrics = new ServeMetrics()) {
  const host = new RegisterHost({
    logic: createRegisterPeerLogic({ peers: [1] }),
    cluster,
    self: 1,
    store,
    outbox: { send: () => {} },
    log: () => {},
    fatal: (err) => {
      throw err;
    },
    requestTimeoutMs: 2000,
    metrics,
    idleMs,
  });
  hosts.push(host);
  return host;
}

test('operations on many keys at once share fsyncs', async () => {
  const store = new MemoryStore();
  const host = hostWith(store);
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) => host.invoke(`k${i}`, { kind: 'put', value: `v${i}` })),
  );
  expect(answers.every((a) => a.outcome === 'ok')).toBe(true);
  expect(store.data.size).toBe(50);
  // Each key needs two writes (promise, acceptance); batched, far fewer than 100.
  expect(store.writes.length).toBeLessThan(20);
});

test('an idle key leaves memory and comes back from the store', async () => {
  const store = new MemoryStore();
  const host = hostWith(store, 100);
  expect(await host.invoke('a', { kind: 'put', value: 'x' })).toMatchObject({ outcome: 'ok' });
  expect(host.heldKeys).toBe(1);
  await new Promise((r) => setTimeout(r, 400));
  expect(host.heldKeys).toBe(0);
  expect(await host.invoke('a', { kind: 'get' })).toEqual({
    outcome: 'ok',
    state: { value: 'x', version: 1 },
  });
});

test("a restarted peer's first round on a key starts above its old promise, not below and refused", async () => {
  const store = new MemoryStore();
  // What an earlier life left: a promise for one of that life's later numbers.
  store.data.set('a', {
    minProposal: 196_609,
    acceptedProposal: 196_609,
    acceptedValue: '{"version":1,"value":"x"}',
  });
  const metrics = new ServeMetrics();
  const host = hostWith(store, 60_000, metrics);
  expect(await host.invoke('a', { kind: 'put', value: 'y' })).toEqual({
    outcome: 'ok',
    state: { value: 'y', version: 2 },
  });
  expect((store.data.get('a')?.acceptedProposal ?? 0) > 196_609).toBe(true);
  // No refusal, so no backoff and no retry: the round read the promise before it began.
  expect((await metrics.retries.get()).values.reduce((n, v) => n + v.value, 0)).toBe(0);
});
