import { exploreMachines } from '../../src/check/machines';
import { parseHostsfile } from '../../src/config/hostsfile';

const testcase1 = parseHostsfile(
  'peer1:proposer1\npeer2:acceptor1\npeer3:acceptor1\npeer4:acceptor1\n',
  'one.txt',
);
for (const faults of [[], ['drop'], ['drop', 'dup']] as ('drop' | 'dup')[][])
  for (const refinement of [false, true]) {
    const r = exploreMachines({ cluster: testcase1, maxRound: 1, faults, refinement });
    console.log(faults.join('+'), refinement, r.distinctStates, r.depth, r.seconds.toFixed(1));
  }
