/** The three kinds of input a picture is drawn from, built in-process the way the CLI builds them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exploreMachines } from '../../../src/check/worlds';
import type { ClusterConfig } from '../../../src/config/cluster';
import { loadHostsfile } from '../../../src/config/hostsfile';
import { createPeerLogic } from '../../../src/peer/node';
import { threeProposersThreeAcceptors } from '../../../src/sim/clusters';
import { randomRun } from '../../../src/sim/random';
import { readLabRun, validateRun } from '../../../src/trace/index';
import { viewOfCounterexample } from '../../../src/view/fromCheck';
import { viewOfSimulation } from '../../../src/view/fromSim';
import { viewOfObservedRun } from '../../../src/view/fromTrace';
import { disjointCluster, scriptedSteps, TESTCASE2_SCRIPT } from '../../../src/view/pictures';
import type { RunView } from '../../../src/view/runView';
import { createSimulator } from '../../../src/world/world';
import { ROOT } from '../../e2e/support/paths';

export const FIXTURES = path.join(ROOT, 'test/view/fixtures');
export const testcase2 = () => loadHostsfile(path.join(ROOT, 'hostsfile-testcase2.txt'));

export function scriptedTestcase2(): RunView {
  const cluster = testcase2();
  return viewOfSimulation(cluster, scriptedSteps(cluster, TESTCASE2_SCRIPT), {
    title: 'testcase 2, scripted',
  });
}

/** A random run with losses, duplicates and crashes; the seed is in the title (and printed by the tests). */
export function randomSimulation(seed: number, steps = 120, cluster: ClusterConfig = testcase2()) {
  const sim = createSimulator(createPeerLogic(cluster));
  const run = randomRun(sim, seed, {
    steps,
    weights: { deliver: 60, drop: 8, duplicate: 8, restart: 4, timeout: 10, start: 4 },
  });
  return { run, view: viewOfSimulation(cluster, run.steps, { title: `random run, seed ${seed}` }) };
}

/** Seven lanes, wider than a laptop's window at zoom 1: three proposers, three acceptors, a learner. */
export const sevenPeers = (seed: number) => randomSimulation(seed, 200, threeProposersThreeAcceptors).view;

export function disjointCounterexample(): RunView {
  const cluster = disjointCluster();
  const result = exploreMachines({ cluster, values: { 1: 'X', 2: 'Y' }, maxRound: 1 });
  const [violation] = result.violations;
  if (!violation) throw new Error('no counterexample');
  return viewOfCounterexample(cluster, violation, 'disjoint quorums');
}

/** A compose-style log of a real `paxos cluster` run of testcase 2, or another lab log. */
export function labRun(file: string, hostsfile = 'hostsfile-testcase2.txt'): RunView {
  const cluster = loadHostsfile(path.join(ROOT, hostsfile));
  const run = readLabRun(cluster, [{ file, text: readFileSync(path.join(ROOT, file), 'utf8') }]);
  return viewOfObservedRun(run, validateRun(run), file);
}
