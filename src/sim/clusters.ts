/**
 * Named clusters for simulation: the lab's two testcases (interface.md) and a few shapes
 * that stress what the testcases do not (more acceptors, three proposers, peers holding
 * every role, learners outside the acceptors).
 */
import { type ClusterConfig, clusterFromRoles } from '../config/cluster';

const peers = (
  n: number,
  roles: (i: number) => { proposer?: number[]; acceptor?: number[]; learner?: number[] },
) => Array.from({ length: n }, (_, i) => ({ host: `peer${i + 1}`, ...roles(i + 1) }));

export const testcase1: ClusterConfig = clusterFromRoles('testcase1', [
  { host: 'peer1', proposer: [1] },
  { host: 'peer2', acceptor: [1] },
  { host: 'peer3', acceptor: [1] },
  { host: 'peer4', acceptor: [1] },
  { host: 'peer5', learner: [1] },
]);

export const testcase2: ClusterConfig = clusterFromRoles('testcase2', [
  { host: 'peer1', proposer: [1] },
  { host: 'peer2', acceptor: [1, 2] },
  { host: 'peer3', acceptor: [1, 2] },
  { host: 'peer4', acceptor: [1, 2] },
  { host: 'peer5', proposer: [2] },
]);

/** Three proposers on their own peers, three shared acceptors, one learner of every group. */
export const threeProposersThreeAcceptors: ClusterConfig = clusterFromRoles(
  '3 proposers, 3 acceptors',
  peers(7, (i) => (i <= 3 ? { proposer: [i] } : i <= 6 ? { acceptor: [1, 2, 3] } : { learner: [1, 2, 3] })),
);

/** Two proposers, five shared acceptors (one of them also learner1), a learner of both groups. */
export const twoProposersFiveAcceptors: ClusterConfig = clusterFromRoles(
  '2 proposers, 5 acceptors',
  peers(8, (i) =>
    i <= 2
      ? { proposer: [i] }
      : i <= 7
        ? { acceptor: [1, 2], ...(i === 3 ? { learner: [1] } : {}) }
        : { learner: [1, 2] },
  ),
);

/** Three proposers that are also acceptors and learners, two acceptor-only peers. */
export const threeProposersFiveAcceptors: ClusterConfig = clusterFromRoles(
  '3 proposers, 5 acceptors, mixed roles',
  peers(5, (i) => ({
    ...(i <= 3 ? { proposer: [i] } : {}),
    acceptor: [1, 2, 3],
    learner: i === 5 ? [1, 2, 3] : i === 1 ? [2] : [],
  })),
);

export const namedClusters: readonly ClusterConfig[] = [
  testcase1,
  testcase2,
  threeProposersThreeAcceptors,
  twoProposersFiveAcceptors,
  threeProposersFiveAcceptors,
];
