/**
 * The register peer's wiring on hand-made runs: what the random property relies on without
 * saying so (a quiet network completes operations, a key's rounds at a peer queue, a restart
 * never numbers a round as an earlier life did).
 */
import { describe, expect, test } from 'vitest';
import type { Prepare } from '../../machines/messages';
import { createRegisterPeerLogic } from '../../src/registers/peer';
import { createRegisterSimulator, settle } from '../../src/registers/world';

const logic = createRegisterPeerLogic({ peers: [1, 2, 3] });

describe('register peer', () => {
  test('on a quiet network a put and a later get complete with the new state', () => {
    const sim = createRegisterSimulator(logic, { clients: [1, 2, 3] });
    const w = sim.initial();
    sim.apply(w, { kind: 'invoke', client: 0, key: 'a', operation: { kind: 'put', value: 'x' } });
    settle(sim, w, 1000);
    sim.apply(w, { kind: 'invoke', client: 1, key: 'a', operation: { kind: 'get' } });
    settle(sim, w, 1000);
    expect(w.history.filter((e) => e.type !== 'invoke').map((e) => [e.type, e.value])).toEqual([
      ['ok', { value: 'x', version: 1 }],
      ['ok', { value: 'x', version: 1 }],
    ]);
  });

  test("a key's second request at a peer waits for the first round to end", () => {
    let state = logic.init(1);
    const put = (id: number) => ({
      type: 'invoke' as const,
      request: { id, key: 'a', operation: { kind: 'put' as const, value: `v${id}` } },
    });
    const first = logic.step(1, state, put(0));
    state = first.state;
    const second = logic.step(1, state, put(1));
    expect(first.sends).toHaveLength(3);
    expect(second.sends).toHaveLength(0);
    expect(second.state.queued.a).toHaveLength(1);
  });

  test('a restarted peer starts a new incarnation and numbers its rounds apart from the last life', () => {
    const invoke = {
      type: 'invoke' as const,
      request: { id: 0, key: 'a', operation: { kind: 'get' as const } },
    };
    const before = logic.step(1, logic.init(1), invoke);
    const restarted = logic.init(1, logic.durable(before.state));
    expect(logic.durable(restarted).incarnation).toBe(1);
    const after = logic.step(1, restarted, invoke);
    const n = (s: typeof before) => (s.sends[0]?.message as Prepare | undefined)?.n;
    expect(n(before)).toBeGreaterThan(0);
    expect(n(after)).not.toBe(n(before));
  });

  test('a request whose time runs out leaves its queue, or abandons its round, as the machine says', () => {
    const put = (id: number) => ({
      type: 'invoke' as const,
      request: { id, key: 'a', operation: { kind: 'put' as const, value: `v${id}` } },
    });
    let state = logic.start(3);
    state = logic.step(1, state, put(0)).state;
    state = logic.step(1, state, put(1)).state;
    const queued = logic.step(1, state, { type: 'cancel', key: 'a', id: 1 });
    expect(queued.completed).toMatchObject([
      { request: { id: 1 }, outcome: 'expired', mayTakeEffect: false },
    ]);
    const running = logic.step(1, queued.state, { type: 'cancel', key: 'a', id: 0 });
    // Only prepares went out: nothing can take effect, and the key is free again.
    expect(running.completed).toMatchObject([
      { request: { id: 0 }, outcome: 'expired', mayTakeEffect: false },
    ]);
    expect(logic.idle(running.state, 'a')).toBe(true);
    expect(logic.step(1, running.state, { type: 'cancel', key: 'a', id: 0 }).handled).toBe(false);
  });

  test('a key is loaded from its durable state and dropped when idle', () => {
    const durable = { minProposal: 7, acceptedProposal: 7, acceptedValue: '{"version":1,"value":"x"}' };
    let state = logic.load(2, logic.start(0), 'k', durable);
    expect(state.acceptors.k?.context.acceptedProposal).toBe(7);
    expect(state.lastNumber.k).toBe(7);
    expect(logic.load(2, state, 'k', undefined)).toBe(state);
    state = logic.drop(state, 'k');
    expect(state.acceptors.k).toBeUndefined();
    expect(state.lastNumber.k).toBeUndefined();
  });

  test('a key dropped and loaded again numbers its next round above every number of this life', () => {
    // Peer 1 runs a get on 'a' to its end on a quiet network, then 'a' is dropped and loaded
    // again with an acceptor that never saw those numbers (a promise a link sends again after
    // a reconnect must not count for a new round under a repeated number).
    const sim = createRegisterSimulator(logic, { clients: [1] });
    const w = sim.initial();
    sim.apply(w, { kind: 'invoke', client: 0, key: 'a', operation: { kind: 'get' } });
    settle(sim, w, 1000);
    const used = (w.peers[1] as ReturnType<typeof logic.init>).lastNumber.a as number;
    expect(used).toBeGreaterThan(0);
    const again = logic.load(1, logic.drop(w.peers[1] as ReturnType<typeof logic.init>, 'a'), 'a', undefined);
    const invoke = {
      type: 'invoke' as const,
      request: { id: 9, key: 'a', operation: { kind: 'get' as const } },
    };
    const next = logic.step(1, again, invoke).sends[0]?.message as Prepare | undefined;
    expect(next?.n).toBeGreaterThan(used);
  });

  test('a put abandoned after its accept went out may still take effect', () => {
    const request = { id: 0, key: 'a', operation: { kind: 'put' as const, value: 'x' } };
    const started = logic.step(1, logic.start(0), { type: 'invoke', request });
    const n = (started.sends[0]?.message as Prepare | undefined)?.n ?? 0;
    const promise = (from: number) => ({
      type: 'deliver' as const,
      key: 'a',
      message: {
        type: 'prepare_ack' as const,
        from,
        group: 1,
        n,
        promised: true,
        minProposal: n,
        acceptedProposal: 0,
        acceptedValue: null,
      },
    });
    let state = logic.step(1, started.state, promise(2)).state;
    const accepting = logic.step(1, state, promise(3));
    expect(accepting.sends.map((s) => s.message.type)).toEqual(['accept', 'accept', 'accept']);
    state = accepting.state;
    const cancelled = logic.step(1, state, { type: 'cancel', key: 'a', id: 0 });
    expect(cancelled.completed).toMatchObject([{ outcome: 'expired', mayTakeEffect: true }]);
  });
});
