/**
 * Simulator throughput: machine steps per second over seeded random runs, median and spread
 * over several repetitions.
 *
 * A machine step is one transition of one statechart; a peer input runs one to three (an
 * accept_ack goes to the proposer and to the learner, which may tell the proposer). They are
 * counted by wrapping `transition` on copies of the machines. To show what the simulator
 * itself costs, the same transitions (recorded once) are also replayed through the bare
 * stepper, with no world, no peer wiring and no copying: that is the ceiling on this machine
 * under its current load.
 *
 *   npm run bench:check:sim [-- --reps 7 --runs 40 --steps 2000]
 */
import { parseArgs } from 'node:util';
import type { AnyStateMachine } from 'xstate';
import { createPeerLogic, type RoleMachines, roleMachines } from '../../src/peer/node';
import { makeStepper } from '../../src/peer/stepper';
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

type Role = keyof RoleMachines;
let transitions = 0;
let recording: [Role, unknown, unknown][] | undefined;
const counted = (role: Role, machine: AnyStateMachine): AnyStateMachine => {
  const copy = machine.provide({});
  const transition = copy.transition.bind(copy) as (...args: unknown[]) => unknown;
  (copy as { transition: unknown }).transition = (...args: unknown[]) => {
    transitions++;
    recording?.push([role, args[0], args[1]]);
    return transition(...args);
  };
  return copy;
};
const countingMachines = {
  proposer: counted('proposer', roleMachines.proposer),
  acceptor: counted('acceptor', roleMachines.acceptor),
  learner: counted('learner', roleMachines.learner),
} as RoleMachines;

const simulate = (machines: RoleMachines, seeds = runs, weights?: { restart: number }) => {
  let worldSteps = 0;
  for (const cluster of namedClusters) {
    const sim = createSimulator(createPeerLogic(cluster, machines));
    for (let seed = 1; seed <= seeds; seed++)
      worldSteps += randomRun(sim, seed, { steps, ...(weights ? { weights } : {}) }).steps.length;
  }
  return worldSteps;
};

// Record the transitions of two seeds per cluster, to replay through the bare stepper as
// many times as a pass has transitions (a whole pass kept in memory would slow every
// measurement down through the garbage collector).
recording = [];
simulate(countingMachines, Math.min(2, runs));
const recorded = recording;
recording = undefined;
transitions = 0;
const worldStepsPerPass = simulate(countingMachines);
const perPass = transitions;
/** Deterministic: the runs are a function of their seeds. */
const machineStepsPerWorldStep = perPass / worldStepsPerPass;
const bare = {
  proposer: makeStepper(roleMachines.proposer),
  acceptor: makeStepper(roleMachines.acceptor),
  learner: makeStepper(roleMachines.learner),
};

interface Sample {
  machineSteps: number;
  plainWorldSteps: number;
  noRestartWorldSteps: number;
  bareMachineSteps: number;
}

const seconds = (f: () => void) => {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
};

function sample(): Sample {
  transitions = 0;
  const counting = seconds(() => {
    simulate(countingMachines);
  });
  let plainSteps = 0;
  const plain = seconds(() => {
    plainSteps = simulate(roleMachines);
  });
  let noRestartSteps = 0;
  const noRestart = seconds(() => {
    noRestartSteps = simulate(roleMachines, runs, { restart: 0 });
  });
  let replayed = 0;
  const replay = seconds(() => {
    while (replayed < perPass) {
      for (const [role, snapshot, event] of recorded)
        (bare[role].step as (s: unknown, e: unknown) => unknown)(snapshot, event);
      replayed += recorded.length;
    }
  });
  return {
    machineSteps: transitions / counting,
    plainWorldSteps: plainSteps / plain,
    noRestartWorldSteps: noRestartSteps / noRestart,
    bareMachineSteps: replayed / replay,
  };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] as number;
  return { median: at(0.5), min: s[0] as number, max: s[s.length - 1] as number, q1: at(0.25), q3: at(0.75) };
};
const k = (x: number) => `${(x / 1000).toFixed(0)}k`;

sample(); // warm-up: JIT
const samples = Array.from({ length: reps }, sample);
const report = (name: string, xs: number[]) => {
  const s = stats(xs);
  console.log(
    `${name.padEnd(44)} median ${k(s.median)}/s  (min ${k(s.min)}, q1 ${k(s.q1)}, q3 ${k(s.q3)}, max ${k(s.max)})`,
  );
};
console.log(
  `${namedClusters.length} clusters x ${runs} seeds x ${steps} steps (${perPass} machine steps a pass), ` +
    `${reps} repetitions after one warm-up`,
);
report(
  'simulated run, plain machines: world steps',
  samples.map((s) => s.plainWorldSteps),
);
report(
  `  the same as machine steps (x ${machineStepsPerWorldStep.toFixed(3)} a world step)`,
  samples.map((s) => s.plainWorldSteps * machineStepsPerWorldStep),
);
report(
  'the same without restarts: world steps',
  samples.map((s) => s.noRestartWorldSteps),
);
report(
  'simulated run, counting machines: machine steps',
  samples.map((s) => s.machineSteps),
);
report(
  'bare stepper, same transitions: machine steps',
  samples.map((s) => s.bareMachineSteps),
);
const ratio = stats(samples.map((s) => (s.plainWorldSteps * machineStepsPerWorldStep) / s.bareMachineSteps));
console.log(
  `simulated (plain) / bare machine steps: median ${(100 * ratio.median).toFixed(0)}% (min ${(100 * ratio.min).toFixed(0)}%, max ${(100 * ratio.max).toFixed(0)}%)`,
);
