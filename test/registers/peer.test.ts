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
});
