/**
 * Simulator throughput: machine steps per second over seeded random runs, median and spread
 * over several repetitions. A machine step is one transition of one statechart (a peer input
 * can run up to three: an accept_ack goes to the proposer and the learner, which may tell the
 * proposer). They are counted by wrapping `transition` on copies of the machines; the same
 * runs are also timed with the plain machines to show what the counting costs.
 *
 *   npm run bench:check:sim [-- --reps 7 --runs 40 --steps 2000]
 */
import { parseArgs } from 'node:util';
import type { AnyStateMachine } from 'xstate';
import { createPeerLogic, type RoleMachines, roleMachines } from '../../src/peer/node';
import { createSimulator, namedClusters, randomRun } from '../../src/sim';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '7' },
    runs: { type: 'string', default: '40' },
    steps: { type: 'string', default: '2000' },
  },
});
const reps = Number(values.reps);
const runs = Number(values.runs);
const steps = Number(values.steps);

let transitions = 0;
const counted = <M extends AnyStateMachine>(machine: M): M => {
  const copy = machine.provide({}) as M;
  const transition = copy.transition.bind(copy) as (...args: unknown[]) => unknown;
  (copy as { transition: unknown }).transition = (...args: unknown[]) => {
    transitions++;
    return transition(...args);
  };
  return copy;
};
const countingMachines: RoleMachines = {
  proposer: counted(roleMachines.proposer),
  acceptor: counted(roleMachines.acceptor),
  learner: counted(roleMachines.learner),
};

interface Sample {
  machineStepsPerSecond: number;
  worldStepsPerSecond: number;
  plainWorldStepsPerSecond: number;
}

function sample(): Sample {
  let worldSteps = 0;
  transitions = 0;
  let t0 = performance.now();
  for (const cluster of namedClusters) {
    const sim = createSimulator(createPeerLogic(cluster, countingMachines));
    for (let seed = 1; seed <= runs; seed++) worldSteps += randomRun(sim, seed, { steps }).steps.length;
  }
  const counting = (performance.now() - t0) / 1000;
  let plainSteps = 0;
  t0 = performance.now();
  for (const cluster of namedClusters) {
    const sim = createSimulator(createPeerLogic(cluster));
    for (let seed = 1; seed <= runs; seed++) plainSteps += randomRun(sim, seed, { steps }).steps.length;
  }
  const plain = (performance.now() - t0) / 1000;
  return {
    machineStepsPerSecond: transitions / counting,
    worldStepsPerSecond: worldSteps / counting,
    plainWorldStepsPerSecond: plainSteps / plain,
  };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] as number;
  return { median: at(0.5), min: s[0] as number, max: s[s.length - 1] as number, q1: at(0.25), q3: at(0.75) };
};
const k = (x: number) => `${(x / 1000).toFixed(0)}k`;

sample(); // warm-up: JIT, machine setup
const samples = Array.from({ length: reps }, sample);
const report = (name: string, xs: number[]) => {
  const s = stats(xs);
  console.log(
    `${name.padEnd(34)} median ${k(s.median)}/s  (min ${k(s.min)}, q1 ${k(s.q1)}, q3 ${k(s.q3)}, max ${k(s.max)})`,
  );
};
console.log(
  `${namedClusters.length} clusters x ${runs} seeds x ${steps} steps, ${reps} repetitions after one warm-up`,
);
report(
  'machine steps (counted)',
  samples.map((s) => s.machineStepsPerSecond),
);
report(
  'world steps (while counting)',
  samples.map((s) => s.worldStepsPerSecond),
);
report(
  'world steps (plain machines)',
  samples.map((s) => s.plainWorldStepsPerSecond),
);
