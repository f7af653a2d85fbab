/**
 * Every generated learner path, replayed through the real machine, keeps the learner's
 * invariants at every step; and the same check finds each seeded fault.
 */
import { describe, expect, test } from 'vitest';
import { learnerMachine } from '../../machines/learner';
import { type AcceptAck, isAcceptance } from '../../machines/messages';
import { generatePaths } from './generate';
import { learnerViolations } from './learner.invariants';
import { learnerModel } from './learner.model';
import { replay } from './replay';
import type { LearnerMachine } from './roles';

const violationsOf = (machine: LearnerMachine) =>
  generatePaths(machine, learnerModel).paths.flatMap((p) =>
    learnerViolations(replay(machine, p.input, p.events), p.input),
  );

const generated = generatePaths(learnerMachine, learnerModel);

describe(`learner: ${generated.paths.length} paths (${generated.shortestCount} shortest, ${generated.simpleCount} simple)`, () => {
  test.each(generated.paths.map((p) => [p.title, p] as const))('%s', (_title, path) => {
    expect(learnerViolations(replay(learnerMachine, path.input, path.events), path.input)).toEqual([]);
  });
});

describe('the learner invariants catch a faulty learner', () => {
  const faults: [string, LearnerMachine, string][] = [
    [
      'learns from one acceptance',
      learnerMachine.provide({
        guards: { completesMajority: ({ event }) => isAcceptance(event as AcceptAck) },
      }),
      'without a majority of one group',
    ],
    [
      'forgets on restart that it learned',
      learnerMachine.provide({ guards: { hasLearned: () => false } }),
      'learned a second time',
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
