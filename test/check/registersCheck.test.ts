/**
 * `--model registers`: every world of register peers and clients, their real machines,
 * explored; every history checked for linearizability and every step against
 * spec/Registers.tla. The counts pin what was explored; each faulty variant of
 * properties/registers/faults.ts is caught by name, one of them by the histories alone.
 */
import { describe, expect, test } from 'vitest';
import type { Operation } from '../../machines/register';
import { registerFaults } from '../../properties/registers/faults';
import { checkRegisterWorlds, type RegisterCheckOptions } from '../../src/check/registers';

const put = (value: string): Operation => ({ kind: 'put', value });
const get: Operation = { kind: 'get' };
const base = { peers: 3, maxRounds: 1, drop: false, maxDuplicates: 0, maxRestarts: 0, refinement: true };

const run = (options: Partial<RegisterCheckOptions> & Pick<RegisterCheckOptions, 'clients'>) =>
  checkRegisterWorlds({ ...base, ...options });

const deep = !process.env.PAXOS_CHECK_DEEP;

describe('the real register peers explored, histories and refinement checked', () => {
  test('one client, a put then a get, messages lost', () => {
    const r = run({ clients: [{ peer: 1, ops: [put('a'), get] }], drop: true });
    expect([r.distinctStates, r.depth, r.complete, r.violations]).toEqual([300969, 24, true, []]);
    // Not vacuous: both operations are answered in some world.
    expect(r.stats.mostAnswered).toBe(2);
  }, 120_000);

  test('a put and a get from two peers at once', () => {
    const r = run({
      clients: [
        { peer: 1, ops: [put('a')] },
        { peer: 2, ops: [get] },
      ],
    });
    expect([r.distinctStates, r.depth, r.complete, r.violations]).toEqual([679095, 24, true, []]);
    expect(r.stats.mostAnswered).toBe(2);
  }, 180_000);

  test.skipIf(deep)(
    'deep: one client, a put then a get, a crash and lost messages',
    () => {
      const r = run({ clients: [{ peer: 1, ops: [put('a'), get] }], drop: true, maxRestarts: 1 });
      expect([r.distinctStates, r.complete, r.violations]).toEqual([1682040, true, []]);
    },
    600_000,
  );

  test.skipIf(deep)(
    'deep: two puts from two peers at once',
    () => {
      const r = run({
        clients: [
          { peer: 1, ops: [put('a')] },
          { peer: 2, ops: [put('b')] },
        ],
      });
      expect([r.distinctStates, r.complete, r.violations]).toEqual([861207, true, []]);
    },
    600_000,
  );
});

describe('each faulty variant is caught, by name', () => {
  const clients = [
    { peer: 1, ops: [put('a'), get] },
    { peer: 2, ops: [put('b')] },
  ];
  const expected: Record<string, string> = {
    'acceptor-forgets-promise': 'Refinement',
    'first-promise-value': 'Refinement',
    'ballot-reused-after-restart': 'FreshNumbers',
    'get-without-quorum': 'Refinement',
  };
  test.each(registerFaults.map((f) => [f.name, f] as const))(
    '%s',
    (name, fault) => {
      const r = run({ clients, maxRounds: 2, maxRestarts: 1, logic: fault.logic, maxStates: 500_000 });
      expect(r.violations[0]?.invariant).toBe(expected[name]);
      expect(r.violations[0]?.trace[0]?.action).toBe('Init');
    },
    120_000,
  );

  test('a get answered without a quorum breaks linearizability, seen in the histories alone', () => {
    const fault = registerFaults.find((f) => f.name === 'get-without-quorum');
    const r = run({
      clients: [
        { peer: 1, ops: [put('a')] },
        { peer: 2, ops: [get] },
      ],
      refinement: false,
      logic: fault?.logic,
      maxStates: 500_000,
    });
    expect(r.violations[0]?.invariant).toBe('Linearizable');
    // The put completed, then the get read the empty register from the one acceptor that missed it.
    expect(r.violations[0]?.trace.length).toBe(15);
  }, 120_000);
});
