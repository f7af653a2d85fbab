/**
 * Where the register round's paths come from: proposer 1 of group 1 among P = 2 groups, in
 * incarnation 0 (it owns 1, 1 + 2I, 1 + 4I, ... for I = INCARNATION_LIMIT), acceptors 2, 3,
 * 4 (a majority is 2) and a peer 9 outside the group, on key `k`. Every operation kind
 * starts a round, so both the operations that write back what they read (a get, a
 * mismatched put-if-version) and those that change the register meet every answer: the
 * answers are generated from the round's current number, as for the lab's proposer, and in
 * a retry the promises may report a state accepted at a number in between.
 */
import type { AcceptAck, PrepareAck } from '../../machines/messages';
import { INCARNATION_LIMIT } from '../../machines/proposalNumbers';
import { encodeRegister, type Operation } from '../../machines/register';
import type { RegisterRoundEvent, RegisterRoundInput } from '../../machines/registerRound';
import type { PathModel } from './generate';
import type { RegisterRoundMachine } from './roles';

const NOT_A_MEMBER = 9;
const STRIDE = 2 * INCARNATION_LIMIT;
const input: RegisterRoundInput = {
  self: 1,
  group: 1,
  groupCount: 2,
  incarnation: 0,
  acceptors: [2, 3, 4],
  key: 'k',
};

const OPERATIONS: Operation[] = [
  { kind: 'get' },
  { kind: 'put', value: 'V' },
  // On a register never written this one mismatches; on the state a retry may meet it matches.
  { kind: 'put', value: 'V', ifVersion: 1 },
  { kind: 'delete' },
];

/** What another proposer's round left at number `n`: one put. */
const stateAt = (n: number) => encodeRegister({ value: `by ${n}`, version: 1 });

const promise = (from: number, n: number, accepted: number): PrepareAck => ({
  type: 'prepare_ack',
  from,
  group: 1,
  n,
  promised: true,
  minProposal: n,
  acceptedProposal: accepted,
  acceptedValue: accepted === 0 ? null : stateAt(accepted),
});
const refusal = (from: number, n: number): PrepareAck => ({
  type: 'prepare_ack',
  from,
  group: 1,
  n,
  promised: false,
  minProposal: n + 1,
  acceptedProposal: 0,
  acceptedValue: null,
});
const acceptance = (from: number, n: number, value: string | null): AcceptAck => ({
  type: 'accept_ack',
  from,
  group: 1,
  n,
  minProposal: n,
  value,
});
const rejection = (from: number, n: number): AcceptAck => ({
  type: 'accept_ack',
  from,
  group: 1,
  n,
  minProposal: n + 1,
  value: null,
});

/** Answers a real key could send to a round at number `n`, a non-member's, and stale ones. */
const answers = (state: string, n: number, proposal: string | null): RegisterRoundEvent[] => {
  const late = n > STRIDE ? [promise(2, n - STRIDE, 0), acceptance(2, n - STRIDE, proposal)] : [];
  switch (state) {
    case 'preparing': {
      // In a retry, acceptor 3 may hold what group 2 accepted at a number in between.
      const held = n > STRIDE ? [0, n - 1] : [0];
      return [
        promise(2, n, 0),
        ...held.map((accepted) => promise(3, n, accepted)),
        refusal(2, n),
        promise(NOT_A_MEMBER, n, 0),
        ...late,
      ];
    }
    case 'accepting':
      return [
        acceptance(2, n, proposal),
        acceptance(3, n, proposal),
        rejection(2, n),
        acceptance(NOT_A_MEMBER, n, proposal),
        promise(4, n, 0),
        ...late,
      ];
    case 'backingOff':
      return [promise(4, n, 0), acceptance(4, n, proposal)];
    default:
      return [];
  }
};

export const registerRoundModel: PathModel<RegisterRoundMachine> = {
  starts: [
    { name: 'fresh', input },
    // A later life on the same key: its numbers are its own, above the last one it was given.
    {
      name: 'incarnation 1, after number 1',
      input: { ...input, incarnation: 1, lastNumber: 1 },
      stopWhen: ({ value }) => value !== 'idle',
    },
  ],
  shortest: {
    events: ({ value, context }) => [
      ...OPERATIONS.map((operation) => ({ type: 'START' as const, operation })),
      { type: 'TIMEOUT' },
      ...answers(value as string, context.n, context.proposal),
    ],
    // Two numbers (1, then 1 + STRIDE): enough for a retry to meet what the first left. A
    // number between them is not the round's own; stopping there keeps a faulty variant finite.
    stopWhen: ({ context }) => context.n > STRIDE + 1 || (context.n > 1 && context.n < STRIDE),
  },
  simple: {
    starts: ['fresh'],
    // One put, every order of two promises, a refusal, and the acceptances that follow.
    events: ({ context }) =>
      context.n === 1
        ? [2, 3].flatMap((a) => [
            promise(a, 1, 0),
            refusal(a, 1),
            acceptance(a, 1, encodeRegister({ value: 'V', version: 1 })),
          ])
        : [{ type: 'START', operation: { kind: 'put', value: 'V' } }],
    stopWhen: ({ context }) => context.n > 1,
  },
  describe: (e) => {
    switch (e.type) {
      case 'START':
        return `START(${e.operation.kind}${'ifVersion' in e.operation ? ` if ${e.operation.ifVersion}` : ''})`;
      case 'prepare_ack':
        return `${e.promised ? 'promise' : 'refusal'}(${e.n} from ${e.from}${e.acceptedProposal ? `, had ${e.acceptedProposal}` : ''})`;
      case 'accept_ack':
        return `${e.minProposal === e.n ? 'accepted' : 'rejected'}(${e.n} from ${e.from})`;
      default:
        return e.type;
    }
  },
};
