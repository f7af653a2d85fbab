/**
 * Seeded faults in the register peers, each a real machine changed with `.provide()` or the
 * real peer wiring with a wrong durable state. The register property must catch each one
 * (properties/registers.test.ts), or it is not known to check anything.
 */
import { assign } from 'xstate';
import { change, decodeRegister, encodeRegister } from '../../machines/register';
import { registerRoundMachine } from '../../machines/registerRound';
import { roundGuards } from '../../machines/round';
import {
  createRegisterPeerLogic,
  type RegisterPeerConfig,
  type RegisterPeerLogic,
  registerMachines,
} from '../../src/registers/peer';

export interface RegisterFault {
  name: string;
  description: string;
  logic(config: RegisterPeerConfig): RegisterPeerLogic;
  /**
   * False while the property does not catch the fault within the fixed runs: the test is
   * skipped and says so, rather than counted as a pass.
   */
  caught: boolean;
}

/** The real wiring, with what a peer writes to stable storage changed. */
const withDurable =
  (wrong: (d: ReturnType<RegisterPeerLogic['durable']>) => ReturnType<RegisterPeerLogic['durable']>) =>
  (config: RegisterPeerConfig): RegisterPeerLogic => {
    const logic = createRegisterPeerLogic(config);
    return { ...logic, durable: (state) => wrong(logic.durable(state)) };
  };

const withRound = (round: typeof registerRoundMachine) => (config: RegisterPeerConfig) =>
  createRegisterPeerLogic(config, { ...registerMachines, round });

type GuardArgs = Parameters<typeof roundGuards.isNewPromise>[0];
const isGet = (args: GuardArgs) =>
  (args.context as { operation?: { kind: string } | null }).operation?.kind === 'get';

export const registerFaults: RegisterFault[] = [
  {
    name: 'acceptor-forgets-promise',
    caught: true,
    description: 'an acceptor keeps what it accepted but not what it promised across a restart',
    logic: withDurable((d) => ({
      ...d,
      acceptors: Object.fromEntries(
        Object.entries(d.acceptors).map(([key, a]) => [key, { ...a, minProposal: a.acceptedProposal }]),
      ),
    })),
  },
  {
    name: 'first-promise-value',
    caught: true,
    description: "a round applies its change to the first promise's value, not the highest accepted",
    logic: withRound(
      registerRoundMachine.provide({
        actions: {
          applyChange: assign(({ context }) => {
            const current = decodeRegister(context.promises[0]?.acceptedValue ?? null);
            const result = change(context.operation ?? { kind: 'get' }, current);
            return { proposal: encodeRegister(result.state), result };
          }),
        },
      }),
    ),
  },
  {
    name: 'ballot-reused-after-restart',
    caught: true,
    description:
      'a peer never saves its incarnation and starts its rounds without reading its promises, so a restarted peer numbers its rounds as before',
    logic: (config) => {
      const logic = withDurable((d) => ({ ...d, incarnation: -1 }))(config);
      return {
        ...logic,
        init: (id, durable) => ({ ...logic.init(id, durable), lastNumber: Object.create(null), highest: 0 }),
      };
    },
  },
  {
    name: 'get-without-quorum',
    caught: true,
    description: 'a get answers after one promise and one acceptance instead of a majority of each',
    logic: withRound(
      registerRoundMachine.provide({
        guards: {
          completesPromiseMajority: (args) =>
            isGet(args) ? roundGuards.isNewPromise(args) : roundGuards.completesPromiseMajority(args),
          completesAcceptMajority: (args) =>
            isGet(args) ? roundGuards.isNewAcceptance(args) : roundGuards.completesAcceptMajority(args),
        },
      }),
    ),
  },
];
