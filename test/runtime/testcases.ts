/** The lab's two testcases as ClusterConfig values, for tests that need no hostsfile. */
import { clusterFromRoles } from '../../src/config/cluster';

export const testcase1 = clusterFromRoles('testcase1', [
  { host: 'peer1', proposer: [1] },
  { host: 'peer2', acceptor: [1] },
  { host: 'peer3', acceptor: [1] },
  { host: 'peer4', acceptor: [1] },
  { host: 'peer5', learner: [1] },
]);

export const testcase2 = clusterFromRoles('testcase2', [
  { host: 'peer1', proposer: [1] },
  { host: 'peer2', acceptor: [1, 2] },
  { host: 'peer3', acceptor: [1, 2] },
  { host: 'peer4', acceptor: [1, 2] },
  { host: 'peer5', proposer: [2] },
]);
