import { proposerMachine } from '../../machines/proposer';
import { exploreMachines } from '../../src/check/machines';
import { twoAccepting } from '../../src/check/machines/goals';
import { roleMachines } from '../../src/peer/node';
import { testcase2 } from '../../test/support/clusters';

const machines = {
  ...roleMachines,
  proposer: proposerMachine.provide({ guards: { completesPromiseMajority: () => false } }),
};
const r = exploreMachines({
  cluster: testcase2,
  maxRound: 1,
  machines,
  symmetry: true,
  goals: [twoAccepting],
});
console.log(
  r.distinctStates,
  r.depth,
  r.complete,
  r.violations.map((v) => v.invariant),
  r.goals,
);
