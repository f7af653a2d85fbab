import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { exploreTranscription, standardParams } from './explore';
import * as paxos from './paxos';
import {
  ACTION_NAMES,
  applyAction,
  formatAction,
  INVARIANT_NAMES,
  Init,
  Next,
  printState,
  type SpecState,
  specInvariants,
  stateKey,
} from './paxos';
import { SPEC_VARIANTS, variantActions } from './variants';

const tla = readFileSync(new URL('./Paxos.tla', import.meta.url), 'utf8');
const cfg = readFileSync(new URL('./Paxos.cfg', import.meta.url), 'utf8');

/** The body of a top-level definition: from `Name ==` to the next blank or separator line. */
function definition(name: string): string {
  const match = new RegExp(`^${name}(\\([^)]*\\))? ==([\\s\\S]*?)(?=\\n\\s*\\n|\\n-{4,})`, 'm').exec(tla);
  if (!match) throw new Error(`Paxos.tla defines no ${name}`);
  return match[2] ?? '';
}

const operatorsApplied = (text: string) =>
  new Set([...text.matchAll(/\b([A-Z][A-Za-z]*)\(/g)].map((m) => m[1]));

describe('the transcription has the names of spec/Paxos.tla', () => {
  test('the actions of Next are the transcription actions', () => {
    const actions = operatorsApplied(definition('Next'));
    expect([...actions].sort()).toEqual([...ACTION_NAMES].sort());
    for (const name of ACTION_NAMES) {
      expect(typeof (paxos as Record<string, unknown>)[name]).toBe('function');
      definition(name);
    }
  });

  test('the invariants the THEOREMs assert are the transcription invariants, and the cfg checks them all', () => {
    const asserted = new Set<string>();
    for (const m of tla.matchAll(/^THEOREM \w+ == Spec => \[\]\(?([^)\n]*)\)?$/gm)) {
      for (const name of (m[1] ?? '').split('/\\')) asserted.add(name.trim());
    }
    expect([...asserted].sort()).toEqual([...INVARIANT_NAMES].sort());
    const checked = /INVARIANTS?\s+((?:\s*\w+)+)/.exec(cfg)?.[1]?.trim().split(/\s+/) ?? [];
    expect([...checked].sort()).toEqual([...INVARIANT_NAMES].sort());
    for (const name of INVARIANT_NAMES) definition(name);
  });

  test('the conjuncts of Inv and the definitions they use are transcribed under their names', () => {
    const conjuncts = definition('Inv')
      .split('/\\')
      .map((s) => s.trim());
    expect(conjuncts).toEqual(['TypeOK', 'AccInv', 'MsgInv']);
    for (const name of [
      'AccInv',
      'MsgInv',
      'SafeAt',
      'WontVoteIn',
      'VotedFor',
      'ChosenAt',
      'ShowsSafe',
      'Init',
    ]) {
      definition(name);
      expect(typeof (paxos as Record<string, unknown>)[name]).toBe('function');
    }
  });

  test('the constants of the module are the fields of SpecParams', () => {
    const constants = /CONSTANTS([\s\S]*?)\n\n/
      .exec(tla)?.[1]
      ?.match(/^\s*(\w+)/gm)
      ?.map((s) => s.trim());
    expect(constants).toEqual(['Acceptors', 'Values', 'Quorums', 'MaxBallot', 'None']);
  });
});

describe('the transcription reproduces the published TLC numbers', () => {
  test('1 acceptor, 1 value, ballots 0..1: 25 distinct states, depth 9', () => {
    const r = exploreTranscription(standardParams(1, 1, 1));
    expect([r.distinctStates, r.depth, r.complete, r.violation]).toEqual([25, 9, true, undefined]);
  });

  test('3 acceptors, 2 values, ballots 0..1: 3,921 distinct states, depth 17, every invariant (Inv too) on every one', () => {
    const r = exploreTranscription(standardParams(3, 2, 1));
    expect([r.distinctStates, r.depth, r.complete, r.violation]).toEqual([3921, 17, true, undefined]);
  });

  test('each value is chosen in some state, never two in one', () => {
    const p = standardParams(3, 2, 1);
    const r = exploreTranscription(p);
    const chosenSets = new Set([...r.states.values()].map((s) => paxos.chosen(p, s).join(',')));
    expect([...chosenSets].sort()).toEqual(['', 'v1', 'v2']);
  });
});

describe('broken variants are caught', () => {
  for (const variant of SPEC_VARIANTS.filter((v) => v !== 'Paxos')) {
    test(`${variant}: Agreement fails, and the inductive invariant fails no later`, () => {
      const p = standardParams(3, 2, 1);
      const actions = variantActions[variant];
      const agreement = exploreTranscription(p, { actions, invariants: ['Agreement'] });
      expect(agreement.violation?.invariant).toBe('Agreement');
      const trace = agreement.violation?.trace ?? [];
      expect(trace[0]?.action).toBe('Init');
      // The trace replays: each step is a step of the variant's Next.
      let s: SpecState = Init(p);
      for (const step of trace.slice(1)) {
        const next = Next(p, s, actions).find((n) => formatAction(n.action) === step.action);
        expect(next, step.action).toBeDefined();
        s = (next as { state: SpecState }).state;
        expect(printState(s)).toEqual(step.state);
      }
      expect(specInvariants.Agreement(p, s)).toBe(false);
      const inv = exploreTranscription(p, { actions, invariants: ['Inv'] });
      expect(inv.violation?.invariant).toBe('Inv');
      expect(inv.violation?.trace.length).toBeLessThanOrEqual(trace.length);
    });
  }
});

describe('applyAction', () => {
  const p = standardParams(3, 2, 1);
  test('an action outside the constants is not a step of Next', () => {
    const s = Init(p);
    expect(applyAction(p, s, { name: 'Prepare', b: 2 })).toBeNull();
    expect(applyAction(p, s, { name: 'Prepare', b: 1 })).not.toBeNull();
    expect(applyAction(p, s, { name: 'PrepareAck', a: 9, m: { type: '1a', bal: 0 } })).toBeNull();
  });

  test('a promise needs the prepare to have been sent, and a ballot above the last promise', () => {
    const s0 = Init(p);
    const m = { type: '1a', bal: 1 } as const;
    expect(applyAction(p, s0, { name: 'PrepareAck', a: 1, m })).toBeNull();
    const s1 = applyAction(p, s0, { name: 'Prepare', b: 1 }) as SpecState;
    const s2 = applyAction(p, s1, { name: 'PrepareAck', a: 1, m }) as SpecState;
    expect(s2.maxBal[1]).toBe(1);
    expect(applyAction(p, s2, { name: 'PrepareAck', a: 1, m })).toBeNull();
    expect(stateKey(applyAction(p, s2, { name: 'Prepare', b: 1 }) as SpecState)).toBe(stateKey(s2));
  });
});
