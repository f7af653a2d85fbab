import { exploreMachines } from '../../src/check/machines';
import { testcase2 } from '../../test/support/clusters';

const r = exploreMachines({ cluster: testcase2, maxRound: 1 });
const c = process.cpuUsage();
console.log(r.distinctStates, r.seconds.toFixed(1), ((c.user + c.system) / 1e6).toFixed(1));
