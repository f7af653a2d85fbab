/**
 * Where the learner's paths come from: peer 6, learner of group 1 (acceptors 2, 3, 4: a
 * majority is 2) and of group 2 (acceptors 4, 7: a majority is both). Group 1 runs number
 * 1 with value X, group 2 number 2 with value Y; acceptors answer acceptances, rejections
 * (which report the higher number that beat them), and a peer 9 outside both groups
 * claims an acceptance. The decision may also arrive whole, as chose or decided.
 */
import type { LearnerInput } from '../../machines/learner';
import type { AcceptAck } from '../../machines/messages';
import type { PathModel } from './generate';
import type { LearnerMachine } from './roles';

const learnerGroups = { 1: [2, 3, 4], 2: [4, 7] };
const learnerInput: LearnerInput = { self: 6, groups: learnerGroups };

const run = { 1: { n: 1, value: 'X' }, 2: { n: 2, value: 'Y' } } as const;

const acceptance = (from: number, group: 1 | 2): AcceptAck => ({
  type: 'accept_ack',
  from,
  group,
  n: run[group].n,
  minProposal: run[group].n,
  value: run[group].value,
});
const rejection = (from: number): AcceptAck => ({
  type: 'accept_ack',
  from,
  group: 1,
  n: 1,
  minProposal: 2,
  value: null,
});

const acks: AcceptAck[] = [
  acceptance(2, 1),
  acceptance(3, 1),
  acceptance(4, 1),
  rejection(3),
  acceptance(4, 2),
  acceptance(7, 2),
  acceptance(9, 1),
];

export const learnerModel: PathModel<LearnerMachine> = {
  starts: [
    { name: 'fresh', input: learnerInput },
    {
      name: 'restarted after learning',
      input: { ...learnerInput, durable: { learned: { n: 1, value: 'X' } } },
    },
  ],
  shortest: {
    events: () => [
      ...acks,
      { type: 'chose', from: 1, group: 1, n: 1, value: 'X' },
      { type: 'decided', n: 2, value: 'Y' },
    ],
  },
  // Every order in which the acceptances of both groups can arrive.
  simple: { starts: ['fresh'], events: () => acks },
  describe: (e) => {
    switch (e.type) {
      case 'accept_ack':
        return `${e.minProposal === e.n ? 'accepted' : 'rejected'}(${e.n} by ${e.from})`;
      default:
        return `${e.type}(${e.n})`;
    }
  },
};
