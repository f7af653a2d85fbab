/** `sometimes` goals: reached with shortest witnesses, and reported unreached when they cannot be. */
import { describe, expect, test } from 'vitest';
import { proposerMachine } from '../../machines/proposer';
import { exploreMachines } from '../../src/check/worlds';
import {
  acceptsAnotherValue,
  MACHINE_GOALS,
  twoAccepting,
  twoValuesPrinted,
} from '../../src/check/worlds/goals';
import { roleMachines } from '../../src/peer/node';
import { testcase2 } from './clusters';

describe('sometimes goals on testcase 2, one round each, bag, symmetry', () => {
  const r = exploreMachines({
    cluster: testcase2,
    maxRound: 1,
    symmetry: true,
    goals: [...MACHINE_GOALS, acceptsAnotherValue(5), twoValuesPrinted],
  });
  const byName = Object.fromEntries(r.goals.map((g) => [g.name, g]));

  test('the search still proves everything and counts the same', () => {
    expect([r.distinctStates, r.complete, r.violations]).toEqual([470_506, true, []]);
  });

  test('each reachable goal comes with a shortest witness that ends on the step that reaches it', () => {
    const steps = (name: string) => (byName[name]?.witness?.length ?? 0) - 1;
    expect(steps('a proposer sends accept with a value it did not propose')).toBe(11);
    expect(steps('peer5 sends accept with a value it did not propose')).toBe(11);
    expect(steps('two proposers both reach accepting')).toBe(10);
    expect(steps('an acceptor refuses')).toBe(4);
    const witness = byName['peer5 sends accept with a value it did not propose']?.witness ?? [];
    expect(witness[0]?.action).toBe('Init');
    const last = witness.at(-1)?.state as { lines: string[] };
    expect(last.lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ peer_id: 5, action: 'sent', message_type: 'accept', message_value: 'X' }),
    );
  });

  test('an impossible goal is reported unreached', () => {
    expect(byName['two peers print chose with different values']).toEqual({
      name: 'two peers print chose with different values',
      reached: false,
    });
  });
});

test('a proposer that never completes a majority of promises makes "two proposers both reach accepting" unreachable', () => {
  const machines = {
    ...roleMachines,
    proposer: proposerMachine.provide({ guards: { completesPromiseMajority: () => false } }),
  };
  const r = exploreMachines({
    cluster: testcase2,
    maxRound: 1,
    machines,
    symmetry: true,
    goals: [twoAccepting],
  });
  expect([r.complete, r.violations]).toEqual([true, []]);
  expect(r.goals).toEqual([{ name: 'two proposers both reach accepting', reached: false }]);
});
