/** Clusters the checker's tests explore (hostsfiles of interface.md, and a few more). */
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

/** Majorities {2,3} of group 1 and {5,6} of group 2 do not meet: agreement cannot hold. */
export const disjointMajorities = clusterFromRoles('disjoint', [
  { host: 'peer1', proposer: [1] },
  { host: 'peer2', acceptor: [1] },
  { host: 'peer3', acceptor: [1] },
  { host: 'peer4', acceptor: [1, 2] },
  { host: 'peer5', acceptor: [2] },
  { host: 'peer6', acceptor: [2] },
  { host: 'peer7', proposer: [2] },
]);

/** Three proposers sharing five acceptors, one of which is also a learner of every group. */
export const fiveAcceptorsThreeProposers = clusterFromRoles('five-three', [
  { host: 'peer1', proposer: [1] },
  { host: 'peer2', proposer: [2] },
  { host: 'peer3', proposer: [3] },
  { host: 'peer4', acceptor: [1, 2, 3] },
  { host: 'peer5', acceptor: [1, 2, 3] },
  { host: 'peer6', acceptor: [1, 2, 3] },
  { host: 'peer7', acceptor: [1, 2, 3] },
  { host: 'peer8', acceptor: [1, 2, 3], learner: [1, 2, 3] },
]);
