/**
 * Every generated acceptor path, replayed through the real machine, keeps the acceptor's
 * invariants at every step; and the same check finds each seeded fault.
 */

import { assign, emit } from 'xstate';
import { acceptorMachine } from '../../machines/acceptor';
import { acceptorViolations } from './acceptor.invariants';
import { acceptorModel } from './acceptor.model';
import type { AcceptorMachine } from './roles';
import { describePaths, type Fault } from './suite';

const faults: Fault<AcceptorMachine>[] = [
  [
    'accepts below its promise',
    acceptorMachine.provide({ guards: { atLeastPromised: () => true } }),
    'accepted below its promise',
  ],
  [
    'promises a number it already promised',
    acceptorMachine.provide({
      guards: { higherThanPromised: ({ context, event }) => event.n >= context.minProposal },
    }),
    'though minProposal was',
  ],
  [
    'forgets what it accepted when it promises',
    acceptorMachine.provide({
      actions: {
        promise: assign({ minProposal: ({ event }) => event.n, acceptedProposal: 0, acceptedValue: null }),
      },
    }),
    'a promise changed what was accepted',
  ],
  [
    'reports what it holds after promising, not before',
    acceptorMachine.provide({
      actions: {
        replyPromise: emit(({ context, event }) => ({
          type: 'send' as const,
          to: event.from,
          message: {
            type: 'prepare_ack' as const,
            from: context.self,
            group: event.group,
            n: event.n,
            promised: true,
            minProposal: context.minProposal,
            acceptedProposal: context.minProposal,
            acceptedValue: context.acceptedValue,
          },
        })),
      },
    }),
    'the promise does not report what was accepted before',
  ],
];

describePaths('acceptor', acceptorMachine, acceptorModel, acceptorViolations, faults);
