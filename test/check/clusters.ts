/** Clusters the checker's tests explore, written as hostsfiles and read by the real parser. */
import { parseHostsfile } from '../../src/config/hostsfile';
import { DISJOINT_HOSTSFILE } from '../../src/view/pictures';

export { testcase1, testcase2 } from '../support/clusters';

/** Majorities {2,3} of group 1 and {5,6} of group 2 do not meet: agreement cannot hold. */
export const disjointMajoritiesHostsfile = DISJOINT_HOSTSFILE;

/** `paxos check` of the machines of that hostsfile (at `file`), one round each, its unsafe quorums allowed. */
export const disjointCheckArgs = (file: string): string[] => [
  '--model',
  'machines',
  '-h',
  file,
  '--max-round',
  '1',
  '--allow-unsafe-quorums',
];
export const disjointMajorities = parseHostsfile(disjointMajoritiesHostsfile, 'disjoint.txt', {
  allowUnsafeQuorums: true,
});

/** Three proposers sharing five acceptors, one of which also learns for every group. */
export const fiveAcceptorsThreeProposers = parseHostsfile(
  'peer1:proposer1\npeer2:proposer2\npeer3:proposer3\n' +
    'peer4:acceptor1,acceptor2,acceptor3\npeer5:acceptor1,acceptor2,acceptor3\n' +
    'peer6:acceptor1,acceptor2,acceptor3\npeer7:acceptor1,acceptor2,acceptor3\n' +
    'peer8:acceptor1,acceptor2,acceptor3,learner1,learner2,learner3\n',
  'five-three.txt',
);
