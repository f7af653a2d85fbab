import { describe, expect, test } from 'vitest';
import { exploreTranscription, standardParams } from '../../spec/explore';
import {
  formatAction,
  Init,
  Next,
  printState,
  type SpecParams,
  type SpecState,
  specInvariants,
  stateKey,
} from '../../spec/paxos';
import { SPEC_VARIANTS, type SpecVariant, variantActions } from '../../spec/variants';
import { type PackedSpec, packSpec } from '../../src/check/packedSpec';
import type { Progress } from '../../src/check/result';
import { exploreSpec } from '../../src/check/spec';

describe('exploreSpec reproduces the published TLC numbers (majority quorums, no symmetry)', () => {
  test('1 acceptor, 1 value, ballots 0..1: 25 distinct states, depth 9', () => {
    const r = exploreSpec({ acceptors: 1, values: 1, maxBallot: 1 });
    expect(r).toMatchObject({ model: 'spec', distinctStates: 25, depth: 9, complete: true, violations: [] });
  });

  test('3 acceptors, 2 values, ballots 0..1: 3,921 distinct states, depth 17', () => {
    const r = exploreSpec({ acceptors: 3, values: 2, maxBallot: 1 });
    expect(r).toMatchObject({ distinctStates: 3921, depth: 17, complete: true, violations: [] });
    expect(r.transitions).toBeGreaterThan(r.distinctStates);
  });

  test('3 acceptors, 2 values, ballots 0..2: 185,369 distinct states, depth 25', () => {
    const r = exploreSpec({ acceptors: 3, values: 2, maxBallot: 2 });
    expect(r).toMatchObject({ distinctStates: 185369, depth: 25, complete: true, violations: [] });
  });

  test('3 acceptors, 2 values, ballots 0..3: 8,220,065 distinct states, depth 33', () => {
    const r = exploreSpec({ acceptors: 3, values: 2, maxBallot: 3 });
    expect(r).toMatchObject({ distinctStates: 8_220_065, depth: 33, complete: true, violations: [] });
  });
});

describe('limits and progress', () => {
  test('maxDepth below the diameter stops short and says so; at the diameter it proves', () => {
    const short = exploreSpec({ acceptors: 3, values: 2, maxBallot: 1, maxDepth: 16 });
    expect(short).toMatchObject({ depth: 16, complete: false });
    expect(short.distinctStates).toBeLessThan(3921);
    const exact = exploreSpec({ acceptors: 3, values: 2, maxBallot: 1, maxDepth: 17 });
    expect(exact).toMatchObject({ depth: 17, complete: true, distinctStates: 3921 });
  });

  test('maxStates caps the visited set and makes the result incomplete', () => {
    const r = exploreSpec({ acceptors: 3, values: 2, maxBallot: 1, maxStates: 1000 });
    expect(r).toMatchObject({ distinctStates: 1000, complete: false, violations: [] });
    expect(exploreSpec({ acceptors: 3, values: 2, maxBallot: 1, maxStates: 3921 }).complete).toBe(true);
  });

  test('onProgress hears the final count', () => {
    const seen: Progress[] = [];
    exploreSpec({ acceptors: 3, values: 2, maxBallot: 1, onProgress: (p) => seen.push(p) });
    expect(seen.at(-1)).toMatchObject({ distinctStates: 3921, depth: 17, queued: 0 });
  });
});

/** Successor keys of s, stutters dropped, from the readable transcription. */
function readableSuccessors(p: SpecParams, s: SpecState, variant: SpecVariant) {
  const here = stateKey(s);
  const steps = Next(p, s, variantActions[variant]);
  const moves = steps.filter((n) => stateKey(n.state) !== here);
  return {
    keys: moves.map((n) => `${formatAction(n.action)} -> ${stateKey(n.state)}`).sort(),
    stutters: steps.length - moves.length,
  };
}

function packedSuccessors(packed: PackedSpec, s: SpecState) {
  const cur = new Int32Array(packed.words);
  const next = new Int32Array(packed.words);
  packed.encode(s, cur);
  const keys: string[] = [];
  const stutters = packed.successors(cur, next, (code) => {
    keys.push(`${packed.actionName(code)} -> ${stateKey(packed.decode(next))}`);
    return false;
  });
  return { keys: keys.sort(), stutters };
}

describe('the packed spec is step-equal to the readable transcription', () => {
  const configs: [number, number, number][] = [
    [3, 2, 1],
    [2, 2, 2],
    [1, 2, 3],
  ];
  for (const [a, v, b] of configs) {
    for (const variant of SPEC_VARIANTS) {
      test(`${variant}, ${a} acceptors, ${v} values, ballots 0..${b}: same successors from every reachable state`, () => {
        const p = standardParams(a, v, b);
        const reach = exploreTranscription(p, {
          actions: variantActions[variant],
          invariants: [],
          maxStates: 2000,
        });
        const packed = packSpec(p, variant);
        const buf = new Int32Array(packed.words);
        for (const s of reach.states.values()) {
          packed.encode(s, buf);
          expect(stateKey(packed.decode(buf))).toBe(stateKey(s));
          expect(packedSuccessors(packed, s)).toEqual(readableSuccessors(p, s, variant));
        }
      });
    }
  }

  const invariantCases: [SpecVariant, number, number, number][] = [
    ['AcceptAckIgnoresPromise', 2, 2, 1],
    ['AcceptIgnoresReportedVotes', 3, 2, 1],
  ];
  for (const [variant, a, v, b] of invariantCases) {
    test(`the packed invariant check agrees with Agreement and Validity on every state of ${variant}`, () => {
      const p = standardParams(a, v, b);
      const reach = exploreTranscription(p, { actions: variantActions[variant], invariants: [] });
      expect(reach.complete).toBe(true);
      const packed = packSpec(p, variant);
      const buf = new Int32Array(packed.words);
      let broken = 0;
      for (const s of reach.states.values()) {
        packed.encode(s, buf);
        const expected = !specInvariants.Agreement(p, s)
          ? 'Agreement'
          : !specInvariants.Validity(p, s)
            ? 'Validity'
            : null;
        expect(packed.violation(buf)).toBe(expected);
        if (expected) broken++;
      }
      expect(broken).toBeGreaterThan(0);
    });
  }

  test('a value chosen without an accept breaks Validity, in both', () => {
    const p = standardParams(3, 2, 1);
    const s: SpecState = {
      ...Init(p),
      msgs: [
        { type: '2b', acc: 1, bal: 0, val: 'v2' },
        { type: '2b', acc: 2, bal: 0, val: 'v2' },
      ],
    };
    expect(specInvariants.Agreement(p, s)).toBe(true);
    expect(specInvariants.Validity(p, s)).toBe(false);
    const packed = packSpec(p);
    const buf = new Int32Array(packed.words);
    packed.encode(s, buf);
    expect(packed.violation(buf)).toBe('Validity');
  });
});

describe('a broken variant yields an Agreement violation with a shortest trace', () => {
  for (const variant of SPEC_VARIANTS.filter((v) => v !== 'Paxos')) {
    test(variant, () => {
      const p = standardParams(3, 2, 1);
      const r = exploreSpec({ acceptors: 3, values: 2, maxBallot: 1, variant });
      expect(r.complete).toBe(false);
      expect(r.violations).toHaveLength(1);
      const [violation] = r.violations;
      expect(violation?.invariant).toBe('Agreement');
      const trace = violation?.trace ?? [];
      // Shortest: the readable search, breadth-first too, needs exactly as many steps.
      const reference = exploreTranscription(p, {
        actions: variantActions[variant],
        invariants: ['Agreement'],
      });
      expect(trace).toHaveLength(reference.violation?.trace.length ?? -1);
      expect(r.depth).toBe(trace.length);
      // It replays in the readable variant, action by action and state by state.
      expect(trace[0]).toEqual({ action: 'Init', state: printState(Init(p)) });
      let s = Init(p);
      for (const step of trace.slice(1)) {
        const next = Next(p, s, variantActions[variant]).find((n) => formatAction(n.action) === step.action);
        expect(next, step.action).toBeDefined();
        s = (next as { state: SpecState }).state;
        expect(printState(s)).toEqual(step.state);
      }
      expect(specInvariants.Agreement(p, s)).toBe(false);
    });
  }
});
