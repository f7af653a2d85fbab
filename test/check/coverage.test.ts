/** Transition coverage of the checker: exact counts, dead transitions listed, and no transition missed. */
import { describe, expect, test } from 'vitest';
import { learnerMachine } from '../../machines/learner';
import { exploreMachines } from '../../src/check/worlds';
import { MACHINE_GOALS } from '../../src/check/worlds/goals';
import { specRefinement } from '../../src/check/worlds/specRefinement';
import { roleMachines } from '../../src/peer/node';
import { transitionsOf } from '../../src/statechart/structure';
import { testcase1 } from './clusters';

const counts = (rows: { id: string; count: number }[] | undefined) =>
  Object.fromEntries((rows ?? []).map((r) => [r.id, r.count]));
const neverTaken = (rows: { id: string; count: number }[] | undefined) =>
  (rows ?? []).filter((r) => r.count === 0).map((r) => r.id);

describe('coverage of testcase 1, one round, bag, as paxos check runs it (refinement on)', () => {
  const r = exploreMachines({ cluster: testcase1, maxRound: 1, coverage: true }, specRefinement);

  test('the search itself is unchanged by counting', () => {
    const plain = exploreMachines({ cluster: testcase1, maxRound: 1 }, specRefinement);
    expect(plain.coverage).toBeUndefined();
    expect([r.distinctStates, r.transitions, r.complete]).toEqual([
      plain.distinctStates,
      plain.transitions,
      true,
    ]);
  });

  test('every transition of the three statecharts, in structure.ts order, and no other', () => {
    const all = [roleMachines.proposer, roleMachines.acceptor, roleMachines.learner].flatMap((m) =>
      transitionsOf(m).map((t) => t.id),
    );
    expect(r.coverage?.map((c) => c.id)).toEqual(all);
    expect(all).toHaveLength(39);
  });

  test('exact counts', () => {
    expect(counts(r.coverage)).toEqual(PINNED);
  });

  test('replaying a witness after the search adds nothing', () => {
    const withGoals = exploreMachines(
      { cluster: testcase1, maxRound: 1, coverage: true, goals: MACHINE_GOALS },
      specRefinement,
    );
    expect(withGoals.goals.some((g) => g.reached)).toBe(true);
    expect(counts(withGoals.coverage)).toEqual(PINNED);
  });

  test('the transitions no run of this configuration takes', () => {
    expect(neverTaken(r.coverage)).toEqual(NEVER);
  });
});

test('a transition made unreachable (a learner whose majority check never holds) is listed as never taken', () => {
  const r = exploreMachines({
    cluster: testcase1,
    maxRound: 1,
    coverage: true,
    machines: {
      ...roleMachines,
      learner: learnerMachine.provide({ guards: { completesMajority: () => false } }),
    },
  });
  expect(neverTaken(r.coverage)).toContain('learner.listening accept_ack#0');
  expect(neverTaken(r.coverage)).not.toContain('learner.listening accept_ack#1');
});

test('with a crash, the restarts of every peer are counted as the transitions they take', () => {
  const r = exploreMachines(
    { cluster: testcase1, maxRound: 1, faults: ['crash'], coverage: true },
    specRefinement,
  );
  expect([r.distinctStates, r.complete]).toEqual([14_664, true]);
  const c = counts(r.coverage);
  // A learner restarts learned (#0) or listening (#1); an acceptor restarts to what it had
  // (#0, #1 a promise or a vote) or fresh (#2). In testcase 1 no acceptor peer's restart
  // changes anything (its learner learns only from a chose, its acceptor keeps all), so
  // only the three fresh starts count. A proposer restarted after its decision is started
  // again and repeats it (START#0), instead of a new round.
  expect([
    c['learner.recovering always#0'],
    c['learner.recovering always#1'],
    c['acceptor.recovering always#0'],
    c['acceptor.recovering always#1'],
    c['acceptor.recovering always#2'],
    c['proposer.undecided.idle START#0'],
    c['proposer.undecided.idle START#1'],
  ]).toEqual([4_848, 4_198, 0, 0, 3, 3_136, 1]);
});

const PINNED = {
  'proposer.undecided LEARNED#0': 0,
  'proposer.undecided.idle START#0': 0,
  'proposer.undecided.idle START#1': 1,
  'proposer.undecided.preparing prepare_ack#0': 12,
  'proposer.undecided.preparing prepare_ack#1': 12,
  'proposer.undecided.preparing prepare_ack#2': 0,
  'proposer.undecided.preparing prepare_ack#3': 0,
  'proposer.undecided.preparing accept_ack#0': 0,
  'proposer.undecided.preparing TIMEOUT#0': 0,
  'proposer.undecided.accepting accept_ack#0': 762,
  'proposer.undecided.accepting accept_ack#1': 603,
  'proposer.undecided.accepting accept_ack#2': 0,
  'proposer.undecided.accepting accept_ack#3': 0,
  'proposer.undecided.accepting prepare_ack#0': 351,
  'proposer.undecided.accepting TIMEOUT#0': 0,
  'proposer.undecided.backingOff prepare_ack#0': 0,
  'proposer.undecided.backingOff accept_ack#0': 0,
  'proposer.undecided.backingOff TIMEOUT#0': 0,
  'proposer.chosen TIMEOUT#0': 0,
  'acceptor.recovering always#0': 0,
  'acceptor.recovering always#1': 0,
  'acceptor.recovering always#2': 3,
  'acceptor.idle prepare#0': 183,
  'acceptor.idle accept#0': 159,
  'acceptor.promised prepare#0': 0,
  'acceptor.promised prepare#1': 0,
  'acceptor.promised accept#0': 1368,
  'acceptor.promised accept#1': 0,
  'acceptor.accepted prepare#0': 0,
  'acceptor.accepted prepare#1': 696,
  'acceptor.accepted accept#0': 0,
  'acceptor.accepted accept#1': 0,
  'learner.recovering always#0': 0,
  'learner.recovering always#1': 5,
  'learner.listening accept_ack#0': 2274,
  'learner.listening accept_ack#1': 1512,
  'learner.listening accept_ack#2': 603,
  'learner.listening chose#0': 4212,
  'learner.listening decided#0': 762,
};
/** Testcase 1 has one proposer and no learner on its peer: no refusal, no retry, no LEARNED; no restart without crashes. */
const NEVER = [
  'proposer.undecided LEARNED#0',
  'proposer.undecided.idle START#0',
  'proposer.undecided.preparing prepare_ack#2',
  'proposer.undecided.preparing prepare_ack#3',
  'proposer.undecided.preparing accept_ack#0',
  'proposer.undecided.preparing TIMEOUT#0',
  'proposer.undecided.accepting accept_ack#2',
  'proposer.undecided.accepting accept_ack#3',
  'proposer.undecided.accepting TIMEOUT#0',
  'proposer.undecided.backingOff prepare_ack#0',
  'proposer.undecided.backingOff accept_ack#0',
  'proposer.undecided.backingOff TIMEOUT#0',
  'proposer.chosen TIMEOUT#0',
  'acceptor.recovering always#0',
  'acceptor.recovering always#1',
  'acceptor.promised prepare#0',
  'acceptor.promised prepare#1',
  'acceptor.promised accept#1',
  'acceptor.accepted prepare#0',
  'acceptor.accepted accept#0',
  'acceptor.accepted accept#1',
  'learner.recovering always#0',
];
