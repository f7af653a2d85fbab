/**
 * Every generated register round path, replayed through the real machine, keeps the
 * round's invariants at every step; and the same check finds each seeded fault.
 */
import { assign } from 'xstate';
import type { AcceptAck } from '../../machines/messages';
import { nextProposalNumber } from '../../machines/proposalNumbers';
import { change, decodeRegister, encodeRegister } from '../../machines/register';
import { registerRoundMachine } from '../../machines/registerRound';
import { roundGuards } from '../../machines/round';
import { registerRoundViolations } from './registerRound.invariants';
import { registerRoundModel } from './registerRound.model';
import type { RegisterRoundMachine } from './roles';
import { describePaths, type Fault } from './suite';

const faults: Fault<RegisterRoundMachine>[] = [
  [
    "changes the first promise's state, not the highest accepted one's",
    registerRoundMachine.provide({
      actions: {
        applyChange: assign(({ context }) => {
          const result = change(
            context.operation ?? { kind: 'get' },
            decodeRegister(context.promises[0]?.acceptedValue ?? null),
          );
          return { proposal: encodeRegister(result.state), result };
        }),
      },
    }),
    'but the operation on the highest accepted state gives',
  ],
  [
    'retries a change whose accept was rejected',
    registerRoundMachine.provide({ guards: { isRejectionOfWriteBack: roundGuards.isRejection } }),
    'after its change went out with accept',
  ],
  [
    'completes on the first acceptance',
    registerRoundMachine.provide({
      guards: {
        completesAcceptMajority: ({ context, event }) =>
          (event as AcceptAck).minProposal === (event as AcceptAck).n && (event as AcceptAck).n === context.n,
      },
    }),
    'without a majority of acceptances',
  ],
  [
    'numbers its rounds without its incarnation',
    registerRoundMachine.provide({
      actions: {
        beginRound: assign(({ context }) => ({
          n: nextProposalNumber(context.group, context.groupCount, Math.max(context.n, context.highestSeen)),
          promises: [],
          proposal: null,
          accepted: [],
        })),
      },
    }),
    'is not a number of its incarnation',
  ],
];

describePaths('register round', registerRoundMachine, registerRoundModel, registerRoundViolations, faults);
