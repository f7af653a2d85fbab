/**
 * Every generated proposer path, replayed through the real machine, keeps the proposer's
 * invariants at every step; and the same check finds each seeded fault.
 */
import { describe, expect, test } from 'vitest';
import { assign } from 'xstate';
import { type AcceptAck, isAcceptance, type PrepareAck } from '../../machines/messages';
import { proposerMachine } from '../../machines/proposer';
import { generatePaths } from './generate';
import { proposerViolations } from './proposer.invariants';
import { proposerModel } from './proposer.model';
import { replay } from './replay';
import type { ProposerMachine } from './roles';

const violationsOf = (machine: ProposerMachine) =>
  generatePaths(machine, proposerModel).paths.flatMap((p) =>
    proposerViolations(replay(machine, p.input, p.events), p.input),
  );

const generated = generatePaths(proposerMachine, proposerModel);

describe(`proposer: ${generated.paths.length} paths (${generated.shortestCount} shortest, ${generated.simpleCount} simple)`, () => {
  test.each(generated.paths.map((p) => [p.title, p] as const))('%s', (_title, path) => {
    expect(proposerViolations(replay(proposerMachine, path.input, path.events), path.input)).toEqual([]);
  });
});

describe('the proposer invariants catch a faulty proposer', () => {
  const faults: [string, ProposerMachine, string][] = [
    [
      'ignores the values its promises report',
      proposerMachine.provide({
        actions: { adoptHighestAccepted: assign({ proposal: ({ context }) => context.value }) },
      }),
      'but the promises call for',
    ],
    [
      'sends accept on the first promise',
      proposerMachine.provide({
        guards: {
          completesPromiseMajority: ({ context, event }) =>
            (event as PrepareAck).promised && (event as PrepareAck).n === context.n,
        },
      }),
      'promises, a majority is',
    ],
    [
      'retries with the same number',
      proposerMachine.provide({
        actions: {
          beginRound: assign({
            n: ({ context }) => context.n || context.group,
            promises: [],
            proposal: null,
            accepted: [],
          }),
        },
      }),
      'does not increase',
    ],
    [
      'retries above its own number only',
      proposerMachine.provide({
        actions: {
          beginRound: assign({
            n: ({ context }) => (context.n === 0 ? context.group : context.n + context.groupCount),
            promises: [],
            proposal: null,
            accepted: [],
          }),
        },
      }),
      'the smallest own number above all seen',
    ],
    [
      'announces chose on the first acceptance',
      proposerMachine.provide({
        guards: {
          completesAcceptMajority: ({ context, event }) =>
            isAcceptance(event as AcceptAck) && (event as AcceptAck).n === context.n,
        },
      }),
      'without a majority of acceptances',
    ],
  ];
  test.each(faults)('%s', (_name, machine, expected) => {
    const violations = violationsOf(machine);
    expect(
      violations.some((v) => v.includes(expected)),
      violations.slice(0, 5).join('\n'),
    ).toBe(true);
  });
});
