/**
 * The README's pictures, as data: which run each one draws and where it goes. The script
 * (`npm run pictures`) writes them and a test renders them again and compares, so the
 * committed pictures cannot drift from what the tool draws.
 */
import type { GroupId, MessageType, PeerId, Value } from '../../machines/messages';
import { exploreMachines } from '../check/worlds';
import type { ClusterConfig } from '../config/cluster';
import { parseHostsfile } from '../config/hostsfile';
import { createPeerLogic } from '../peer/node';
import { createSimulator, type SimStep, type World } from '../world/world';
import { viewOfCounterexample } from './fromCheck';
import { viewOfSimulation } from './fromSim';
import { renderSvg } from './svg';

/**
 * Steps named by what they do ("deliver peer1's prepare to peer3") instead of by index in
 * flight, so a scripted run reads like the slide it redraws.
 */
export type ScriptStep =
  | { start: GroupId; value: Value }
  | { deliver: MessageType; from: PeerId; to: PeerId }
  | { drain: number }
  | { timeout: GroupId };

export function scriptedSteps(cluster: ClusterConfig, script: readonly ScriptStep[]): SimStep[] {
  const sim = createSimulator(createPeerLogic(cluster));
  const world: World = sim.initial();
  const steps: SimStep[] = [];
  const take = (s: SimStep) => {
    steps.push(s);
    sim.apply(world, s);
  };
  for (const s of script) {
    if ('start' in s) take({ kind: 'start', group: s.start, value: s.value });
    else if ('timeout' in s) take({ kind: 'timeout', group: s.timeout });
    else if ('deliver' in s) {
      const index = world.inFlight.findIndex(
        (m) => m.message.type === s.deliver && m.message.from === s.from && m.to === s.to,
      );
      if (index < 0) throw new Error(`script: no ${s.deliver} from peer${s.from} to peer${s.to} in flight`);
      take({ kind: 'deliver', index });
    }
    // Oldest first: what a FIFO network does once nobody races any more.
    else for (let i = 0; i < s.drain && world.inFlight.length > 0; i++) take({ kind: 'deliver', index: 0 });
  }
  return steps;
}

/**
 * Slide 46: peer3 has accepted peer1's X when peer5 (with Y) prepares; peer3's promise
 * reports (1, X), so peer5 proposes X under its own number 2, and peer1's late accepts
 * are rejected by the acceptors that promised 2. peer1 backs off, retries with 3, is told
 * (2, X) and proposes X as well: everyone prints chose X.
 */
export const TESTCASE2_SCRIPT: ScriptStep[] = [
  { start: 1, value: 'X' },
  { deliver: 'prepare', from: 1, to: 2 },
  { deliver: 'prepare', from: 1, to: 3 },
  { deliver: 'prepare', from: 1, to: 4 },
  { deliver: 'prepare_ack', from: 2, to: 1 },
  { deliver: 'prepare_ack', from: 3, to: 1 },
  { deliver: 'accept', from: 1, to: 3 },
  { start: 2, value: 'Y' },
  { deliver: 'prepare', from: 5, to: 2 },
  { deliver: 'prepare', from: 5, to: 3 },
  { deliver: 'prepare', from: 5, to: 4 },
  { deliver: 'prepare_ack', from: 2, to: 5 },
  { deliver: 'prepare_ack', from: 3, to: 5 },
  { deliver: 'accept', from: 1, to: 2 },
  { deliver: 'accept', from: 1, to: 4 },
  { deliver: 'accept', from: 5, to: 2 },
  { deliver: 'accept', from: 5, to: 3 },
  { deliver: 'accept', from: 5, to: 4 },
  { drain: 60 },
  // peer1 backed off when refused; its retry learns (2, X) from the promises and ends in X too.
  { timeout: 1 },
  { drain: 60 },
];

/** The lab's hostsfile-testcase2.txt, kept here so that the picture does not depend on the working directory. */
export const TESTCASE2_HOSTSFILE =
  'peer1:proposer1\npeer2:acceptor1,acceptor2\npeer3:acceptor1,acceptor2\npeer4:acceptor1,acceptor2\npeer5:proposer2\n';

/** Group 1's majority {peer2, peer3} and group 2's {peer5, peer6} need not meet. */
export const DISJOINT_HOSTSFILE =
  'peer1:proposer1\npeer2:acceptor1\npeer3:acceptor1\npeer4:acceptor1,acceptor2\n' +
  'peer5:acceptor2\npeer6:acceptor2\npeer7:proposer2\n';

export const disjointCluster = (): ClusterConfig =>
  parseHostsfile(DISJOINT_HOSTSFILE, 'disjoint-quorums.txt', { allowUnsafeQuorums: true });

export interface Picture {
  /** Path from the repository's root. */
  path: string;
  svg: string;
}

/**
 * The README's two pictures, rendered afresh: testcase 2 on its scripted schedule, and the
 * shortest counterexample `paxos check` finds on the disjoint-quorum hostsfile (values X
 * and Y), whose second value becoming chosen is the step marked.
 */
export function readmePictures(): Picture[] {
  const tc2 = parseHostsfile(TESTCASE2_HOSTSFILE, 'hostsfile-testcase2.txt');
  const simulation = viewOfSimulation(tc2, scriptedSteps(tc2, TESTCASE2_SCRIPT), {
    title: 'testcase 2 in the simulator: peer5 adopts X (slide 46)',
  });
  const disjoint = disjointCluster();
  const result = exploreMachines({ cluster: disjoint, values: { 1: 'X', 2: 'Y' }, maxRound: 1 });
  const [violation] = result.violations;
  if (!violation) throw new Error('the disjoint-quorum hostsfile gave no counterexample');
  const counterexample = viewOfCounterexample(
    disjoint,
    violation,
    'paxos check on disjoint quorums: two values chosen',
  );
  return [
    { path: 'docs/pictures/testcase2.svg', svg: renderSvg(simulation) },
    { path: 'docs/pictures/disjoint-quorums.svg', svg: renderSvg(counterexample) },
  ];
}
