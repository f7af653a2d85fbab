/**
 * The liveness question (src/check/liveness.ts): from every reachable world a world where
 * every participating peer chose must stay reachable, at all and once faults stop. Shown
 * to hold for the real machines and to fail for a proposer that never retries.
 */
import { describe, expect, test } from 'vitest';
import { neverRetryingProposer } from '../../properties/faults/proposers';
import { LivenessGraph } from '../../src/check/liveness';
import { exploreMachines } from '../../src/check/worlds';
import { parseHostsfile } from '../../src/config/hostsfile';
import { roleMachines } from '../../src/peer/node';
import { stepsOfCounterexample } from '../../src/view/fromCheck';
import { testcase1, testcase2 } from './clusters';

const neverRetries = { ...roleMachines, proposer: neverRetryingProposer };
/** One acceptor: small enough for two rounds with unbounded drops. */
const lone = parseHostsfile('peer1:proposer1\npeer2:acceptor1\npeer3:learner1\n', 'lone.txt');

describe('the graph question on a graph drawn by hand', () => {
  // A state is [kind]: 1 done, 2 bounded, 0 neither; a step label is 1 for a fault.
  const graphOf = (kinds: number[], steps: [number, number, boolean][]) => {
    const g = new LivenessGraph({
      done: (s) => s[0] === 1,
      bounded: (s) => s[0] === 2,
      fault: (step) => step === 1,
    });
    kinds.forEach((k, i) => {
      g.addState(i, Int32Array.of(k), 1);
    });
    for (let i = 0; i < kinds.length; i++) {
      g.expand(i);
      for (const [from, to, fault] of steps) if (from === i) g.addStep(fault ? 1 : 0, to);
    }
    return g.answer();
  };

  test('a state that reaches a goal only through a fault is stuck once faults stop, not before', () => {
    // 0 -> 1 -fault-> 2 (done); 0 -> 3 (a dead end); 1 <-> 4 (a cycle that never decides).
    const v = graphOf(
      [0, 0, 1, 0, 0],
      [
        [0, 1, false],
        [1, 2, true],
        [0, 3, false],
        [1, 4, false],
        [4, 1, false],
      ],
    );
    expect(v.stuck).toEqual({ count: 1, first: 3 });
    expect(v.stuckWithoutFaults).toEqual({ count: 4, first: 0 });
  });

  test('a state where the bound stopped a step counts as alive, and so do the states that reach it', () => {
    const v = graphOf(
      [0, 2, 0],
      [
        [0, 1, false],
        [0, 2, false],
      ],
    );
    expect(v.stuck).toEqual({ count: 1, first: 2 });
    expect(v.edges).toBe(2);
  });
});

describe('stuck worlds of the real machines', () => {
  test('testcase 1 with drop: every world can still decide, at all and once the drops stop', () => {
    const r = exploreMachines({ cluster: testcase1, maxRound: 1, faults: ['drop'], liveness: true });
    expect([r.distinctStates, r.depth, r.complete]).toEqual([287_336, 39, true]);
    expect(r.liveness).toMatchObject({
      stuck: { count: 0 },
      stuckWithoutFaults: { count: 0 },
      edges: 1_756_330,
    });
  });

  test('two rounds, drops and a crash of any peer: the retry decides wherever a drop or a restart stopped round 1', () => {
    const r = exploreMachines({ cluster: lone, maxRound: 2, faults: ['drop', 'crash'], liveness: true });
    expect([r.distinctStates, r.complete, r.violations]).toEqual([3_068, true, []]);
    expect(r.liveness).toMatchObject({ stuck: { count: 0 }, stuckWithoutFaults: { count: 0 } });
  });

  test('testcase 2, one round each, with symmetry: a duel is cut by the round bound, never stuck', () => {
    const r = exploreMachines({ cluster: testcase2, maxRound: 1, symmetry: true, liveness: true });
    expect([r.distinctStates, r.complete]).toEqual([470_506, true]);
    expect(r.liveness).toMatchObject({ stuck: { count: 0 }, stuckWithoutFaults: { count: 0 } });
  });

  test('a proposer that never retries is stuck after two lost prepares, with the shortest path to it', () => {
    const r = exploreMachines({
      cluster: testcase1,
      maxRound: 1,
      faults: ['drop'],
      liveness: true,
      machines: neverRetries,
    });
    // Safe all the same: no invariant can see it.
    expect([r.distinctStates, r.complete, r.violations]).toEqual([287_336, true, []]);
    const stuck = r.liveness?.stuck;
    expect(stuck?.count).toBe(5_150);
    expect(stuck?.trace?.map((t) => t.action)).toEqual([
      'Init',
      'START peer1 proposer1 with X',
      'drop prepare peer1->peer2 n=1',
      'drop prepare peer1->peer3 n=1',
    ]);
    expect(r.liveness?.stuckWithoutFaults.count).toBe(5_150);
    // What `paxos check --trace-out` writes of it: actions the simulator replays.
    const steps = stepsOfCounterexample(testcase1, { invariant: 'Stuck', trace: stuck?.trace ?? [] });
    const prepare = (to: number) => ({
      type: 'send',
      to,
      message: { type: 'prepare', from: 1, group: 1, n: 1 },
    });
    expect(steps).toEqual([
      { kind: 'start', group: 1, value: 'X' },
      { kind: 'drop', send: prepare(2) },
      { kind: 'drop', send: prepare(3) },
    ]);
  });

  test('with two rounds too, where the real proposer retries: one lost prepare leaves it stuck', () => {
    const real = exploreMachines({ cluster: lone, maxRound: 2, faults: ['drop'], liveness: true });
    expect(real.distinctStates).toBe(785);
    expect(real.liveness?.stuck.count).toBe(0);
    const faulty = exploreMachines({
      cluster: lone,
      maxRound: 2,
      faults: ['drop'],
      liveness: true,
      machines: neverRetries,
    });
    expect(faulty.liveness?.stuck.count).toBe(6);
    expect(faulty.liveness?.stuck.trace?.map((t) => t.action)).toEqual([
      'Init',
      'START peer1 proposer1 with X',
      'drop prepare peer1->peer2 n=1',
    ]);
  });

  test('a search stopped by a bound judges nothing', () => {
    const r = exploreMachines({
      cluster: testcase1,
      maxRound: 1,
      faults: ['drop'],
      liveness: true,
      maxStates: 1000,
    });
    expect(r.complete).toBe(false);
    expect(r.liveness).toBeNull();
  });
});
