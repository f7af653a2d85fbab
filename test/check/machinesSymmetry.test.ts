import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ExactSet } from '../../src/check/visited';
import { type MachineCheckOptions, type MachineSearch, searchMachines } from '../../src/check/worlds';
import { Canonicalizer } from '../../src/check/worlds/canonical';
import { fieldKinds, PEER_ID_FIELDS, renamePeers } from '../../src/check/worlds/ids';
import { Renaming, renamings } from '../../src/check/worlds/symmetry';
import { testcase1, testcase2 } from './clusters';

/** A world decoded to plain JSON, with peers renamed by `rename` (no interning, no XState). */
function worldJson(search: MachineSearch, key: Int32Array, rename: (id: number) => number): string {
  const { world, ghost } = search.model;
  const { peers } = world;
  const byPeer = world.slots.map((_, slot) => {
    const state = peers.states.value(key[slot] as number);
    const snap = (s: { value: unknown; context: unknown } | undefined) =>
      s && [s.value, renamePeers(s.context, rename)];
    return JSON.stringify([
      rename(peers.owner(key[slot] as number)),
      Object.entries(state.proposers).map(([g, s]) => [g, snap(s)]),
      snap(state.acceptor),
      snap(state.learner),
      peers.hasPrinted(key[slot] as number),
    ]);
  });
  const messages = world
    .messages(key, key.length)
    .map((m) => {
      const s = peers.send(m);
      return JSON.stringify([rename(s.to), renamePeers(s.message, rename)]);
    })
    .sort();
  const history = ghost
    .itemsOf(key[world.history] as number)
    .map((item) =>
      JSON.stringify(
        item.kind === 'vote'
          ? [rename(item.acceptor), item.n, item.value]
          : renamePeers(item.message, rename),
      ),
    )
    .sort();
  return JSON.stringify([byPeer.sort(), key[world.dups], key[world.crashes], messages, history]);
}

/** Orbits of every world a search visited, by brute force over every renaming. */
function bruteForceOrbits(search: MachineSearch, options: MachineCheckOptions): number {
  const maps = renamings(options.cluster);
  const orbits = new Set<string>();
  const key = new Int32Array(1 << 16);
  const store = search.visited as ExactSet;
  for (let i = 0; i < store.size; i++) {
    const k = key.subarray(0, store.read(i, key));
    const forms = maps.map((m) => worldJson(search, k, (id) => m.get(id) ?? id));
    orbits.add(forms.sort()[0] as string);
  }
  return orbits.size;
}

describe('symmetry reduction over interchangeable acceptors', () => {
  const cases: [string, MachineCheckOptions][] = [
    ['testcase 1, bag', { cluster: testcase1, maxRound: 1 }],
    [
      'testcase 1, bag with drop and a dup',
      { cluster: testcase1, maxRound: 1, faults: ['drop', 'dup'], maxDepth: 9 },
    ],
    ['testcase 2, bag, first 12 levels', { cluster: testcase2, maxRound: 1, maxDepth: 12 }],
    [
      'testcase 1, set with a crash',
      { cluster: testcase1, maxRound: 1, network: 'set', faults: ['crash'], maxDepth: 10 },
    ],
  ];
  test.each(cases)('%s: one state per orbit, as many as brute force counts', (_, options) => {
    const full = searchMachines({ ...options, exact: true });
    const reduced = searchMachines({ ...options, symmetry: true });
    expect(reduced.result.distinctStates).toBe(bruteForceOrbits(full, options));
    expect(reduced.result.distinctStates).toBeLessThan(full.result.distinctStates);
    expect(reduced.result.violations).toEqual(full.result.violations);
    expect(reduced.result.depth).toBe(full.result.depth);
  });

  test('renaming acceptors commutes with every step of the real machines', () => {
    const options: MachineCheckOptions = {
      cluster: testcase2,
      maxRound: 2,
      faults: ['drop', 'dup', 'crash'],
      maxStates: 20_000,
    };
    const search = searchMachines({ ...options, exact: true });
    const { world, ghost } = search.model;
    const store = search.visited as ExactSet;
    const maps = renamings(testcase2).slice(1);
    const canon = new Canonicalizer(
      world,
      maps.map((m) => new Renaming(m, world.peers, ghost)),
    );
    const successors = (key: Int32Array): string[] => {
      const out: string[] = [];
      world.successors(
        key,
        key.length,
        new Int32Array(1 << 16),
        (_c: number, next: Int32Array, n: number) => {
          out.push(next.slice(0, n).join(','));
          return false;
        },
      );
      return out.sort();
    };
    const renamed = (r: number, key: Int32Array) => {
      const out = new Int32Array(1 << 16);
      return out.slice(0, canon.rename(r, key, key.length, out));
    };
    const buffer = new Int32Array(1 << 16);
    fc.assert(
      fc.property(fc.nat({ max: store.size - 1 }), fc.nat({ max: maps.length - 1 }), (index, r) => {
        const key = buffer.slice(0, store.read(index, buffer));
        const renamedSuccessors = successors(key).map((k) =>
          renamed(r, Int32Array.from(k.split(',').map(Number))).join(','),
        );
        expect(successors(renamed(r, key))).toEqual(renamedSuccessors.sort());
      }),
    );
  });
});

describe('the declared table of peer-id fields', () => {
  test('a field name means one kind of thing in every type, so renaming by name is sound', () => {
    for (const [name, kinds] of fieldKinds()) expect(new Set(kinds).size, name).toBe(1);
  });

  test('every field of every context and message the checker reaches is declared', () => {
    const search = searchMachines({
      cluster: testcase2,
      maxRound: 2,
      faults: ['drop', 'crash'],
      maxStates: 5000,
    });
    const { peers } = search.model;
    const declared = (table: Record<string, string>, value: object) =>
      Object.keys(value).filter((k) => !(k in table));
    for (const state of peers.states.values) {
      for (const p of Object.values(state.proposers)) {
        expect(declared(PEER_ID_FIELDS.proposer, p.context)).toEqual([]);
        for (const promise of p.context.promises)
          expect(declared(PEER_ID_FIELDS.promise, promise)).toEqual([]);
      }
      if (state.acceptor) expect(declared(PEER_ID_FIELDS.acceptor, state.acceptor.context)).toEqual([]);
      if (state.learner) {
        expect(declared(PEER_ID_FIELDS.learner, state.learner.context)).toEqual([]);
        for (const a of state.learner.context.acceptances)
          expect(declared(PEER_ID_FIELDS.acceptance, a)).toEqual([]);
      }
    }
    const byType = {
      prepare: PEER_ID_FIELDS.prepare,
      prepare_ack: PEER_ID_FIELDS.prepareAck,
      accept: PEER_ID_FIELDS.accept,
      accept_ack: PEER_ID_FIELDS.acceptAck,
      chose: PEER_ID_FIELDS.chose,
    };
    for (const send of peers.sends.values) {
      expect(declared(PEER_ID_FIELDS.send, send)).toEqual([]);
      expect(declared(byType[send.message.type], send.message)).toEqual([]);
    }
  });
});
