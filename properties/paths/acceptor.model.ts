/**
 * Where the acceptor's paths come from: two competing proposers (peer 1 owns the odd
 * numbers of group 1, peer 5 the even numbers of group 2), numbers 1..3, each number with
 * the one value its owner would send. Peer 1 is also a learner of group 1, so an
 * acceptance to it must not be sent twice.
 */
import type { AcceptorInput } from '../../machines/acceptor';
import type { Accept, Prepare } from '../../machines/messages';
import type { PathModel } from './generate';
import type { AcceptorMachine } from './roles';

const ACCEPTOR_SELF = 3;
const acceptorLearners = { 1: [1, 6] };
const owner = (n: number) => (n % 2 === 1 ? { from: 1, group: 1 } : { from: 5, group: 2 });
const valueFor = (n: number) => (n % 2 === 1 ? 'X' : 'Y');

const NUMBERS = [1, 2, 3];
const prepare = (n: number): Prepare => ({ type: 'prepare', ...owner(n), n });
const accept = (n: number): Accept => ({ type: 'accept', ...owner(n), n, value: valueFor(n) });
const all = NUMBERS.flatMap((n) => [prepare(n), accept(n)]);

const start = (durable?: AcceptorInput['durable']): AcceptorInput => ({
  self: ACCEPTOR_SELF,
  learners: acceptorLearners,
  ...(durable ? { durable } : {}),
});

export const acceptorModel: PathModel<AcceptorMachine> = {
  starts: [
    { name: 'fresh', input: start() },
    {
      name: 'restarted after promising 2',
      input: start({ minProposal: 2, acceptedProposal: 0, acceptedValue: null }),
    },
    {
      name: 'restarted after accepting 2',
      input: start({ minProposal: 3, acceptedProposal: 2, acceptedValue: 'Y' }),
    },
  ],
  shortest: { events: () => all },
  // Every order of prepare/accept for numbers 1 and 2 from a fresh start.
  simple: { starts: ['fresh'], events: () => all.filter((e) => e.n <= 3) },
  describe: (e) => `${e.type}(${e.n})`,
};
