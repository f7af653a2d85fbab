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

/** A store that takes `ms` to write, and says in `log` when each write begins and ends. */
class SlowStore extends MemoryStore {
  constructor(
    private readonly name: string,
    private readonly log: string[],
    private readonly ms: number,
  ) {
    super();
  }
  override async write(changes: ReadonlyMap<string, AcceptorDurable>) {
    const what = [...changes.values()].map((a) => (a.acceptedProposal > 0 ? 'accept' : 'promise'));
    this.log.push(`${this.name} writes ${what.join(',')}`);
    await new Promise((r) => setTimeout(r, this.ms));
    await super.write(changes);
    this.log.push(`${this.name} wrote`);
  }
}

test("an accept leaves while its sender's own acceptor writes it; prepares and answers only after the write", async () => {
  const three = clusterFromRoles(
    'three peers',
    ['peer1', 'peer2', 'peer3'].map((host, i) => ({ host, proposer: [i + 1], acceptor: [1, 2, 3] })),
  );
  const log: string[] = [];
  const hosts3: RegisterHost[] = [];
  for (const self of [1, 2, 3]) {
    const host = new RegisterHost({
      logic: createRegisterPeerLogic({ peers: [1, 2, 3] }),
      cluster: three,
      self,
      store: new SlowStore(`peer${self}`, log, 30),
      outbox: {
        send: (to, frame) => {
          log.push(`peer${self} sends ${(JSON.parse(frame) as { type: string }).type} to peer${to}`);
          setImmediate(() => hosts3[to - 1]?.receive(frame, `peer${self}`));
        },
      },
      log: () => {},
      fatal: (err) => {
        throw err;
      },
      requestTimeoutMs: 5000,
      metrics: new ServeMetrics(),
    });
    hosts.push(host);
    hosts3.push(host);
  }
  expect(await hosts3[0]?.invoke('a', { kind: 'put', value: 'x' })).toMatchObject({ outcome: 'ok' });
  const at = (line: string) => log.indexOf(line);
  // The prepares wait for peer1's own promise to be written.
  expect(at('peer1 sends prepare to peer2')).toBeGreaterThan(at('peer1 wrote'));
  // The accepts leave as peer1's own acceptor begins writing its acceptance, not once it has.
  const writesAccept = at('peer1 writes accept');
  expect(writesAccept, log.join('\n')).toBeGreaterThan(-1);
  expect(at('peer1 sends accept to peer2')).toBeLessThan(log.indexOf('peer1 wrote', writesAccept));
  // An acceptor answers once its state is written.
  expect(at('peer2 sends prepare_ack to peer1')).toBeGreaterThan(at('peer2 wrote'));
});
