/** Faulty acceptors: each breaks one line of slide 45's acceptor, or its stable storage. */
import { emit } from 'xstate';
import { type AcceptorContext, type AcceptorInput, acceptorMachine } from '../../machines/acceptor';
import { NO_PROPOSAL, type Prepare, type PrepareAck } from '../../machines/messages';
import { testcase1, testcase2 } from '../../src/sim/clusters';
import { type Fault, withConfig, withMachines } from './variant';

/** Recovers from stable storage through `pick`, which decides what survives. */
const recovering = (pick: (d: NonNullable<AcceptorInput['durable']>) => Partial<AcceptorContext>) =>
  withConfig(acceptorMachine, (config) => ({
    ...config,
    context: ({ input }: { input?: AcceptorInput }) => ({
      self: input?.self ?? 0,
      learners: input?.learners ?? {},
      minProposal: NO_PROPOSAL,
      acceptedProposal: NO_PROPOSAL,
      acceptedValue: null,
      ...(input?.durable ? pick(input.durable) : {}),
    }),
  }));

export const acceptsBelowPromise: Fault = {
  name: 'acceptor-accepts-below-promise',
  description: 'an acceptor accepts accept(n, v) even when n is below the number it promised',
  cluster: testcase2,
  logic: withMachines({
    acceptor: acceptorMachine.provide({ guards: { atLeastPromised: () => true } }),
  }),
  caughtBy: 'Agreement',
};

export const hidesAcceptedValue: Fault = {
  name: 'acceptor-hides-accepted-value',
  description: 'an acceptor reports "nothing accepted" in every promise',
  cluster: testcase2,
  logic: withMachines({
    acceptor: acceptorMachine.provide({
      actions: {
        replyPromise: emit(({ context, event }) => {
          const prepare = event as Prepare;
          const message: PrepareAck = {
            type: 'prepare_ack',
            from: context.self,
            group: prepare.group,
            n: prepare.n,
            promised: true,
            minProposal: context.minProposal,
            acceptedProposal: NO_PROPOSAL,
            acceptedValue: null,
          };
          return { type: 'send' as const, to: prepare.from, message };
        }),
      },
    }),
  }),
  caughtBy: 'Refinement',
};

export const forgetsPromise: Fault = {
  name: 'acceptor-forgets-promise',
  description: 'an acceptor persists what it accepted but not its promise, so a restart forgets minProposal',
  cluster: testcase2,
  logic: withMachines({
    acceptor: recovering((d) => ({
      minProposal: d.acceptedProposal,
      acceptedProposal: d.acceptedProposal,
      acceptedValue: d.acceptedValue,
    })),
  }),
  caughtBy: 'AcceptorMonotonicity',
};

export const forgetsAcceptedValue: Fault = {
  name: 'acceptor-forgets-accepted-value',
  description: 'an acceptor persists its promise but not what it accepted',
  cluster: testcase1,
  logic: withMachines({ acceptor: recovering((d) => ({ minProposal: d.minProposal })) }),
  caughtBy: 'Stability',
};
