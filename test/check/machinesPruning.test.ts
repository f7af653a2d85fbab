/**
 * Forgetting dead messages (reactivity.ts) and settled ones (settled.ts) must never forget
 * one a peer could still react to, restarts included: with and without it, the same peer
 * states, budgets and histories are reachable. The last tests show the comparison fails
 * for a pruning that forgets a message still live.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { MESSAGE_TYPES } from '../../machines/messages';
import type { ExactSet } from '../../src/check/visited';
import { type MachineCheckOptions, type MachineSearch, searchMachines } from '../../src/check/worlds';
import { PeerTable } from '../../src/check/worlds/peerTable';
import { SettledMessages, strictStutter } from '../../src/check/worlds/settled';
import { testcase1, testcase2 } from './clusters';

/** Every visited world without its network: what the peers and the history hold. */
function projections(search: MachineSearch): Set<string> {
  const { world, ghost } = search.model;
  const { peers } = world;
  const out = new Set<string>();
  const key = new Int32Array(1 << 16);
  const store = search.visited as ExactSet;
  for (let i = 0; i < store.size; i++) {
    const k = key.subarray(0, store.read(i, key));
    const byPeer = world.slots.map((_, slot) => {
      const s = peers.states.value(k[slot] as number);
      const snap = (x: { value: unknown; context: unknown } | undefined) => x && [x.value, x.context];
      return [Object.values(s.proposers).map(snap), snap(s.acceptor), snap(s.learner), s.timers];
    });
    const history = ghost
      .itemsOf(k[world.history] as number)
      .map((item) => JSON.stringify(item))
      .sort();
    out.add(JSON.stringify([byPeer, k[world.dups], k[world.crashes], history]));
  }
  return out;
}

const explore = (options: MachineCheckOptions) => projections(searchMachines({ ...options, exact: true }));

/** Where a wrong pruning shows: a retry, and a restart that forgets what a proposer saw. */
const TWO_ROUNDS_CRASH: MachineCheckOptions = {
  cluster: testcase1,
  maxRound: 2,
  network: 'set',
  faults: ['crash'],
  maxDepth: 10,
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('pruning dead messages keeps every reachable peer state when any peer may crash', () => {
  test.each<[string, MachineCheckOptions]>([
    [
      'testcase 1, set, a crash, 12 levels',
      { cluster: testcase1, maxRound: 1, network: 'set', faults: ['crash'], maxDepth: 12 },
    ],
    ['testcase 1, two rounds, set, a crash, 10 levels', TWO_ROUNDS_CRASH],
    // Two proposers: late acks of the losing round, settled once the winner's number is seen.
    ['testcase 2, set, 11 levels', { cluster: testcase2, maxRound: 1, network: 'set', maxDepth: 11 }],
  ])('%s', (_, options) => {
    const pruned = explore(options);
    vi.spyOn(PeerTable.prototype, 'deadTypes').mockReturnValue(0);
    vi.spyOn(SettledMessages.prototype, 'isSettled').mockReturnValue(false);
    const unpruned = explore(options);
    expect(pruned.size).toBeGreaterThan(1000);
    expect([...unpruned].filter((p) => !pruned.has(p))).toEqual([]);
    expect(pruned.size).toBe(unpruned.size);
  });

  test('a pruning that forgets messages still live loses reachable peer states (so the comparison can fail)', () => {
    const pruned = explore(TWO_ROUNDS_CRASH);
    const deadTypes = PeerTable.prototype.deadTypes;
    // Wrong on purpose: the promises of a proposer's second round read as dead.
    const prepareAck = 1 << MESSAGE_TYPES.indexOf('prepare_ack');
    vi.spyOn(PeerTable.prototype, 'deadTypes').mockImplementation(function (this: PeerTable, state, restart) {
      const dead = deadTypes.call(this, state, restart);
      return this.fact(state).proposers.some((p) => p.nextNumber > 2) ? dead | prepareAck : dead;
    });
    const wrong = explore(TWO_ROUNDS_CRASH);
    expect([...pruned].filter((p) => !wrong.has(p)).length).toBeGreaterThan(0);
  });

  test("settling a message by its receiver's state now, not by the states to come, loses reachable peer states", () => {
    const pruned = explore(TWO_ROUNDS_CRASH);
    // Wrong on purpose: a late ack is a stutter to a proposer that has seen a higher
    // number, but not once a restart has made it forget that number.
    vi.spyOn(SettledMessages.prototype, 'isSettled').mockImplementation(function (
      this: SettledMessages,
      state,
      send,
    ) {
      return strictStutter(state, this.peers.deliver(state, send));
    });
    const wrong = explore(TWO_ROUNDS_CRASH);
    expect([...pruned].filter((p) => !wrong.has(p)).length).toBeGreaterThan(0);
  });
});
