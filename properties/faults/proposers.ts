/** Faulty proposers: each gets one step of slide 45's proposer wrong. */
import { assign, enqueueActions } from 'xstate';
import {
  type Accept,
  type AcceptAck,
  isAcceptance,
  majority,
  type PrepareAck,
} from '../../machines/messages';
import { nextProposalNumber } from '../../machines/proposalNumbers';
import { type ProposerContext, proposerMachine } from '../../machines/proposer';
import { testcase1, testcase2, threeProposersThreeAcceptors } from '../../src/sim/clusters';
import { type Fault, withMachines } from './variant';

export const ignoresAcceptedValues: Fault = {
  name: 'proposer-ignores-accepted-values',
  description: 'a proposer always proposes its own value, whatever the promises report (slide 46 skipped)',
  cluster: testcase2,
  logic: withMachines({
    proposer: proposerMachine.provide({
      actions: { adoptHighestAccepted: assign({ proposal: ({ context }) => context.value }) },
    }),
  }),
  caughtBy: 'Agreement',
};

// The real guards without "not heard from this acceptor yet": a duplicated ack counts twice.
const promiseFor = (context: ProposerContext, ack: PrepareAck) =>
  ack.n === context.n && ack.promised && context.acceptors.includes(ack.from);
const acceptanceFor = (context: ProposerContext, ack: AcceptAck) =>
  ack.n === context.n && isAcceptance(ack) && context.acceptors.includes(ack.from);
const quorum = (context: ProposerContext) => majority(context.acceptors.length);

export const countsDuplicates: Fault = {
  name: 'proposer-counts-duplicates',
  description:
    'a proposer counts every promise and acceptance it receives, so a duplicated message counts twice',
  cluster: threeProposersThreeAcceptors,
  logic: withMachines({
    proposer: proposerMachine.provide({
      guards: {
        isNewPromise: ({ context, event }) => promiseFor(context, event as PrepareAck),
        completesPromiseMajority: ({ context, event }) =>
          promiseFor(context, event as PrepareAck) && context.promises.length + 1 >= quorum(context),
        isNewAcceptance: ({ context, event }) => acceptanceFor(context, event as AcceptAck),
        completesAcceptMajority: ({ context, event }) =>
          acceptanceFor(context, event as AcceptAck) && context.accepted.length + 1 >= quorum(context),
      },
    }),
  }),
  caughtBy: 'LearnerIntegrity',
};

export const reusesNumber: Fault = {
  name: 'proposer-reuses-number',
  description: 'a proposer retries with the number it already used instead of a higher one',
  cluster: testcase2,
  logic: withMachines({
    proposer: proposerMachine.provide({
      actions: {
        beginRound: assign(({ context }) => ({
          n: context.n === 0 ? context.group : context.n,
          promises: [],
          proposal: null,
          accepted: [],
        })),
      },
    }),
  }),
  caughtBy: 'Liveness',
};

export const takesEmptyValue: Fault = {
  name: 'proposer-takes-empty-value',
  description:
    "a proposer adopts the first promise's acceptedValue without checking acceptedProposal, so it may propose nothing",
  cluster: testcase1,
  logic: withMachines({
    proposer: proposerMachine.provide({
      actions: {
        adoptHighestAccepted: assign({
          proposal: ({ context }) => context.promises[0]?.acceptedValue ?? null,
        }),
      },
    }),
  }),
  caughtBy: 'Validity',
};

export const adoptsLowestAccepted: Fault = {
  name: 'proposer-adopts-lowest-accepted',
  description:
    'a proposer adopts the value of the lowest accepted proposal among its promises, not the highest',
  cluster: threeProposersThreeAcceptors,
  logic: withMachines({
    proposer: proposerMachine.provide({
      actions: {
        adoptHighestAccepted: assign({
          proposal: ({ context }) => {
            const accepted = context.promises.filter((p) => p.acceptedProposal !== 0);
            accepted.sort((a, b) => a.acceptedProposal - b.acceptedProposal);
            return accepted[0]?.acceptedValue ?? context.value;
          },
        }),
      },
    }),
  }),
  caughtBy: 'Agreement',
};

/** Proposer1's accepts carry group 2 (and 2's carry 1); the checker's tests use it too. */
export const mislabellingProposer = proposerMachine.provide({
  actions: {
    sendAccept: enqueueActions(({ context, enqueue }) => {
      for (const to of context.acceptors) {
        const message: Accept = {
          type: 'accept',
          from: context.self,
          group: context.group === 1 ? 2 : 1,
          n: context.n,
          value: context.proposal ?? '',
        };
        enqueue.emit({ type: 'send', to, message });
      }
    }),
  },
});

/**
 * A proposer that arms no round timer, so a lost prepare or accept is never retried: safe,
 * but a run can stop undecided. No safety property can catch it; the checker's liveness
 * question does (test/check/liveness.test.ts).
 */
export const neverRetryingProposer = proposerMachine.provide({ actions: { armRoundTimer: () => {} } });

export const mislabelsGroup: Fault = {
  name: 'proposer-mislabels-group',
  description:
    "proposer1 sends its accepts under the other group's number, which no acceptor would take from it over the wire",
  cluster: testcase2,
  logic: withMachines({ proposer: mislabellingProposer }),
  caughtBy: 'WireValid',
};

/**
 * A proposer whose retry keeps the acceptances of the round before: one acceptance of round
 * 1 and one of round 2 make a "majority", and the proposer decides at a number no majority
 * accepted. Only a second round shows it; the checker's tests use it.
 */
export const keepsAcceptancesOnRetry = proposerMachine.provide({
  actions: {
    beginRound: assign(({ context }) => ({
      n: nextProposalNumber(context.group, context.groupCount, Math.max(context.n, context.highestSeen)),
      promises: [],
      proposal: null,
    })),
  },
});
