/**
 * Every generated learner path, replayed through the real machine, keeps the learner's
 * invariants at every step; and the same check finds each seeded fault.
 */
import { learnerMachine } from '../../machines/learner';
import { type AcceptAck, isAcceptance } from '../../machines/messages';
import { learnerViolations } from './learner.invariants';
import { learnerModel } from './learner.model';
import type { LearnerMachine } from './roles';
import { describePaths, type Fault } from './suite';

const faults: Fault<LearnerMachine>[] = [
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

describePaths('learner', learnerMachine, learnerModel, learnerViolations, faults);
