/**
 * Where the proposer's paths come from: proposer 1 of group 1 among P = 2 groups (it owns
 * 1, 3, 5, ...), acceptors 2, 3, 4 (a majority is 2), learner 5, and a peer 9 outside the
 * group. Answers are generated from the proposer's context (its current number), so every
 * round meets promises, refusals, acceptances and rejections for the number it runs, plus
 * stale answers for the round before. Values tie to numbers: its own value V under its own
 * numbers, Y under group 2's even numbers, so adopting the wrong value shows.
 */
import type { AcceptAck, PrepareAck } from '../../machines/messages';
import type { ProposerEvent, ProposerInput } from '../../machines/proposer';
import type { PathModel } from './generate';
import type { ProposerMachine } from './roles';

const OWN_VALUE = 'V';
const OTHER_VALUE = 'Y';
const NOT_A_MEMBER = 9;
const proposerInput: ProposerInput = {
  self: 1,
  group: 1,
  groupCount: 2,
  acceptors: [2, 3, 4],
  learners: [5],
};
/** What another proposer's decision looks like when this peer's learner hears of it. */
const LEARNED_ELSEWHERE = { type: 'LEARNED', n: 2, value: OTHER_VALUE } as const;

/** The proposer's innermost state: `preparing` for `{ undecided: 'preparing' }`. */
const leafOf = (value: string | Record<string, string>): string =>
  typeof value === 'string' ? value : (Object.values(value)[0] ?? '');

const valueFor = (n: number) => (n % 2 === 1 ? OWN_VALUE : OTHER_VALUE);

const promise = (from: number, n: number, accepted: number): PrepareAck => ({
  type: 'prepare_ack',
  from,
  group: 1,
  n,
  promised: true,
  minProposal: n,
  acceptedProposal: accepted,
  acceptedValue: accepted === 0 ? null : valueFor(accepted),
});
const refusal = (from: number, n: number, promisedTo: number): PrepareAck => ({
  type: 'prepare_ack',
  from,
  group: 1,
  n,
  promised: false,
  minProposal: promisedTo,
  acceptedProposal: 0,
  acceptedValue: null,
});
const acceptance = (from: number, n: number, value: string): AcceptAck => ({
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
  value: OTHER_VALUE,
});

/**
 * What may reach the proposer in each state while it runs number `n`: the answers a real
 * group could send (acceptor 4 always answers late), a non-member's, and stale answers
 * for its previous number. In the second round promises report what may have been
 * accepted before: nothing, its own first number or group 2's number in between.
 */
const answers = (state: string, n: number, proposal: string): ProposerEvent[] => {
  const late = n > 2 ? [promise(2, n - 2, 0), acceptance(2, n - 2, OWN_VALUE)] : [];
  switch (state) {
    case 'preparing': {
      // Acceptor 2 may hold this proposer's first number, acceptor 3 group 2's higher one.
      const held = (alternative: number) => (n > 2 ? [0, alternative] : [0]);
      return [
        ...held(n - 2).map((acc) => promise(2, n, acc)),
        ...held(n - 1).map((acc) => promise(3, n, acc)),
        // Beaten by group 2's next number, or by one two rounds ahead: a retry must clear both.
        refusal(2, n, n + 1),
        refusal(3, n, n + 3),
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

export const proposerModel: PathModel<ProposerMachine> = {
  starts: [
    { name: 'fresh', input: proposerInput },
    // Enough to see that a restarted proposer never reuses its number.
    {
      name: 'restarted after round 1',
      input: { ...proposerInput, durable: { n: 1 } },
      stopWhen: ({ value }) => leafOf(value) !== 'idle',
    },
    // A decided proposer stays decided across a restart: started again, it repeats the decision.
    {
      name: 'restarted after deciding',
      input: { ...proposerInput, durable: { n: 1, chosen: { n: 1, value: 'X' } } },
      stopWhen: ({ value }) => leafOf(value) !== 'idle',
    },
  ],
  shortest: {
    events: ({ value, context }) => [
      { type: 'START', value: OWN_VALUE },
      { type: 'TIMEOUT' },
      LEARNED_ELSEWHERE,
      ...answers(leafOf(value), context.n, context.proposal ?? OWN_VALUE),
    ],
    // Two rounds (numbers 1 and 3): enough for a retry to meet what the first round left.
    stopWhen: ({ context }) => context.n > 3,
    // Once chosen, only the decision and how often it was repeated matter: a TIMEOUT repeats it.
    relevant: ({ value, context }) =>
      value === 'chosen' ? [context.chosen, context.announcements] : context,
  },
  simple: {
    starts: ['fresh'],
    // One round, every order of two promises, a refusal, and the acceptances that follow.
    events: ({ context }) =>
      context.n === 1
        ? [2, 3].flatMap((a) => [promise(a, 1, 0), refusal(a, 1, 2), acceptance(a, 1, OWN_VALUE)])
        : [{ type: 'START', value: OWN_VALUE }],
    stopWhen: ({ context }) => context.n > 1,
  },
  describe: (e) => {
    switch (e.type) {
      case 'prepare_ack':
        return `${e.promised ? 'promise' : 'refusal'}(${e.n} from ${e.from}${e.acceptedProposal ? `, had ${e.acceptedProposal}` : ''})`;
      case 'accept_ack':
        return `${e.minProposal === e.n ? 'accepted' : 'rejected'}(${e.n} from ${e.from})`;
      case 'LEARNED':
        return `LEARNED(${e.n})`;
      default:
        return e.type;
    }
  },
};
