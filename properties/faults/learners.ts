/** Faulty learners: print too early, or more than once. */

import { type LearnerContext, type LearnerInput, learnerMachine } from '../../machines/learner';
import { type AcceptAck, isAcceptance } from '../../machines/messages';
import { testcase1 } from '../../src/sim/clusters';
import { type Fault, withConfig, withMachines } from './variant';

const newAcceptance = (context: LearnerContext, ack: AcceptAck) =>
  isAcceptance(ack) &&
  ack.value !== null &&
  (context.groups[ack.group] ?? []).includes(ack.from) &&
  !context.acceptances.some((a) => a.group === ack.group && a.n === ack.n && a.from === ack.from);

export const learnsFromMinority: Fault = {
  name: 'learner-learns-from-minority',
  description: 'a learner takes half of the acceptors (rounded down) for a majority',
  cluster: testcase1,
  logic: withMachines({
    learner: learnerMachine.provide({
      guards: {
        completesMajority: ({ context, event }) => {
          const ack = event as AcceptAck;
          if (!newAcceptance(context, ack)) return false;
          const sameNumber =
            context.acceptances.filter((a) => a.group === ack.group && a.n === ack.n).length + 1;
          return sameNumber >= Math.floor((context.groups[ack.group] ?? []).length / 2);
        },
      },
    }),
  }),
  caughtBy: 'LearnerIntegrity',
};

export const printsTwice: Fault = {
  name: 'learner-prints-twice',
  description: 'a learner that has learned prints again on every chose message it receives',
  cluster: testcase1,
  logic: withMachines({
    learner: withConfig(learnerMachine, (config) => ({
      ...config,
      states: {
        ...config.states,
        learned: { on: { chose: { actions: ['learn', 'reportLearned'] } } },
      },
    })),
  }),
  caughtBy: 'LearnerIntegrity',
};

/**
 * A learner that does not recover what it learned from stable storage: restarted, it
 * listens again and prints a second chose line. Only a crash of a peer that has learned
 * shows it; the checker's tests use it (the simulator's suite does not list it).
 */
export const forgetfulLearner = withConfig(learnerMachine, (config) => ({
  ...config,
  context: ({ input }: { input?: LearnerInput }) => ({
    self: input?.self ?? 0,
    groups: input?.groups ?? {},
    acceptances: [],
    learned: null,
  }),
}));
