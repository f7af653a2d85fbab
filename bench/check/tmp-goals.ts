import { exploreMachines } from '../../src/check/machines';
import { acceptsAnotherValue, MACHINE_GOALS } from '../../src/check/machines/goals';
import { testcase2 } from '../../test/support/clusters';

const r = exploreMachines({
  cluster: testcase2,
  maxRound: 1,
  symmetry: true,
  goals: [...MACHINE_GOALS, acceptsAnotherValue(5)],
});
for (const g of r.goals)
  console.log(g.name, g.reached, g.witness?.length, g.witness?.map((s) => s.action).slice(-3));
