/**
 * Named clusters for simulation, written as hostsfiles and read by the real parser: the
 * lab's two testcases (interface.md) and a few shapes that stress what the testcases do not
 * (more acceptors, three proposers, peers holding every role, learners outside the acceptors).
 */
import type { ClusterConfig } from '../config/cluster';
import { parseHostsfile } from '../config/hostsfile';

const hostsfile = (name: string, lines: string[]): ClusterConfig =>
  parseHostsfile(`${lines.join('\n')}\n`, name);

export const testcase1: ClusterConfig = hostsfile('hostsfile-testcase1.txt', [
  'peer1:proposer1',
  'peer2:acceptor1',
  'peer3:acceptor1',
  'peer4:acceptor1',
  'peer5:learner1',
]);

export const testcase2: ClusterConfig = hostsfile('hostsfile-testcase2.txt', [
  'peer1:proposer1',
  'peer2:acceptor1,acceptor2',
  'peer3:acceptor1,acceptor2',
  'peer4:acceptor1,acceptor2',
  'peer5:proposer2',
]);

/** Three proposers on their own peers, three shared acceptors, one learner of every group. */
export const threeProposersThreeAcceptors: ClusterConfig = hostsfile('3 proposers, 3 acceptors', [
  'peer1:proposer1',
  'peer2:proposer2',
  'peer3:proposer3',
  'peer4:acceptor1,acceptor2,acceptor3',
  'peer5:acceptor1,acceptor2,acceptor3',
  'peer6:acceptor1,acceptor2,acceptor3',
  'peer7:learner1,learner2,learner3',
]);

/** Two proposers, five shared acceptors (one also learner1), a learner of both groups. */
const twoProposersFiveAcceptors: ClusterConfig = hostsfile('2 proposers, 5 acceptors', [
  'peer1:proposer1',
  'peer2:proposer2',
  'peer3:acceptor1,acceptor2,learner1',
  'peer4:acceptor1,acceptor2',
  'peer5:acceptor1,acceptor2',
  'peer6:acceptor1,acceptor2',
  'peer7:acceptor1,acceptor2',
  'peer8:learner1,learner2',
]);

/** Three proposers that are also acceptors (and some learners), two acceptor-only peers. */
const threeProposersFiveAcceptors: ClusterConfig = hostsfile('3 proposers, 5 acceptors, mixed roles', [
  'peer1:proposer1,acceptor1,acceptor2,acceptor3,learner2',
  'peer2:proposer2,acceptor1,acceptor2,acceptor3',
  'peer3:proposer3,acceptor1,acceptor2,acceptor3',
  'peer4:acceptor1,acceptor2,acceptor3',
  'peer5:acceptor1,acceptor2,acceptor3,learner1,learner2,learner3',
]);

export const namedClusters: readonly ClusterConfig[] = [
  testcase1,
  testcase2,
  threeProposersThreeAcceptors,
  twoProposersFiveAcceptors,
  threeProposersFiveAcceptors,
];
