/**
 * Every generated proposer path, replayed through the real machine, keeps the proposer's
 * invariants at every step; and the same check finds each seeded fault.
 */
import { assign } from 'xstate';
import { type AcceptAck, isAcceptance, type PrepareAck } from '../../machines/messages';
import { proposerMachine } from '../../machines/proposer';
import { proposerViolations } from './proposer.invariants';
import { proposerModel } from './proposer.model';
import type { ProposerMachine } from './roles';
import { describePaths, type Fault } from './suite';

const faults: Fault<ProposerMachine>[] = [
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
  [
    'forgets its decision on a restart',
    proposerMachine.provide({ guards: { decidedBeforeRestart: () => false } }),
    'from a proposer that decided before its restart',
  ],
];

describePaths('proposer', proposerMachine, proposerModel, proposerViolations, faults);
