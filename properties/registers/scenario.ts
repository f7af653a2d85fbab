/**
 * Random register scenarios: a cluster of 3-5 peers (each an acceptor of every key), 3-5
 * clients each talking to one peer, 1-3 keys, and a schedule of client operations,
 * deliveries in any order, drops, duplicates, timeouts and crash-restarts of any peer.
 * Steps name clients, keys and peers by index, taken modulo what the scenario has, so any
 * schedule is valid in any scenario and shrinks freely.
 */
import fc from 'fast-check';
import type { Operation } from '../../machines/register';
import type { CheckResult } from '../../src/linearizability';
import type { RegisterPeerConfig, RegisterPeerLogic } from '../../src/registers/peer';
import {
  checkWorld,
  createRegisterSimulator,
  type RegisterSimulator,
  type RegisterStep,
  type RegisterWorld,
  settle,
} from '../../src/registers/world';

const KEYS = ['a', 'b', 'c'];
/** Enough for every round left open to finish once the network behaves. */
const SETTLE_STEPS = 2000;
/**
 * Clients stop invoking once the history holds this many unknown outcomes: each may or may
 * not have taken effect, and the checker's search is exponential in how many overlap (a
 * few dozen unknown puts on one key exhaust its budget, which would prove nothing).
 */
const UNKNOWN_CAP = 8;

type OperationShape =
  | { kind: 'get' }
  | { kind: 'put'; ifVersion: number | null }
  | { kind: 'delete'; ifVersion: number | null };

type ScheduleStep =
  | { kind: 'deliver' | 'drop' | 'duplicate' | 'timeout'; index: number }
  | { kind: 'invoke'; client: number; key: number; operation: OperationShape }
  | { kind: 'restart'; peer: number };

export interface Scenario {
  peers: number;
  /** Each client's peer, by index among the peers. */
  clients: number[];
  keys: number;
  steps: ScheduleStep[];
}

const ifVersion = fc.option(fc.nat(3), { nil: null, freq: 2 });
const operationArb: fc.Arbitrary<OperationShape> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'get' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('put' as const), ifVersion }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), ifVersion }) },
);

const index = fc.nat(40);
const deliver = fc.record({ kind: fc.constant('deliver' as const), index });
const drop = fc.record({ kind: fc.constant('drop' as const), index });
const duplicate = fc.record({ kind: fc.constant('duplicate' as const), index });
const timeout = fc.record({ kind: fc.constant('timeout' as const), index });
const invoke = fc.record({
  kind: fc.constant('invoke' as const),
  client: fc.nat(4),
  key: fc.nat(2),
  operation: operationArb,
});
const restart = fc.record({ kind: fc.constant('restart' as const), peer: fc.nat(4) });

/**
 * Swarm testing (Groce et al.): each scenario draws its own mix of step kinds, so some
 * runs are all duplicates and restarts, others nearly fault-free and busy; one fixed mix
 * makes the rare interleavings a seeded fault needs rarer still.
 */
const stepsArb: fc.Arbitrary<ScheduleStep[]> = fc
  .record({
    deliver: fc.integer({ min: 4, max: 12 }),
    drop: fc.nat(3),
    duplicate: fc.nat(8),
    timeout: fc.nat(3),
    invoke: fc.integer({ min: 1, max: 6 }),
    restart: fc.nat(3),
  })
  .chain((w) =>
    fc.array(
      fc.oneof(
        { weight: w.deliver, arbitrary: deliver as fc.Arbitrary<ScheduleStep> },
        { weight: w.drop, arbitrary: drop },
        { weight: w.duplicate, arbitrary: duplicate },
        { weight: w.timeout, arbitrary: timeout },
        { weight: w.invoke, arbitrary: invoke },
        { weight: w.restart, arbitrary: restart },
      ),
      { minLength: 20, maxLength: 200, size: 'max' },
    ),
  );

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  peers: fc.integer({ min: 3, max: 5 }),
  clients: fc.array(fc.nat(4), { minLength: 3, maxLength: 5 }),
  keys: fc.integer({ min: 1, max: 3 }),
  steps: stepsArb,
});

/** Puts write values no one wrote before, so a read names the write it saw. */
function operationOf(shape: OperationShape, at: number): Operation {
  const version = shape.kind === 'get' || shape.ifVersion === null ? {} : { ifVersion: shape.ifVersion };
  if (shape.kind === 'put') return { kind: 'put', value: `v${at}`, ...version };
  if (shape.kind === 'delete') return { kind: 'delete', ...version };
  return { kind: 'get' };
}

function concreteStep(s: Scenario, step: ScheduleStep, at: number): RegisterStep {
  switch (step.kind) {
    case 'invoke':
      return {
        kind: 'invoke',
        client: step.client % s.clients.length,
        key: KEYS[step.key % s.keys] as string,
        operation: operationOf(step.operation, at),
      };
    case 'restart':
      return { kind: 'restart', peer: (step.peer % s.peers) + 1 };
    default:
      return step;
  }
}

const peerConfigOf = (s: Scenario): RegisterPeerConfig => ({
  peers: Array.from({ length: s.peers }, (_, i) => i + 1),
});

/**
 * Every client reads every key once the world has settled: a fault often shows only in
 * what a later read sees (a write two rounds both think they made), and the schedule may
 * have ended before anyone looked.
 */
function finalReads(sim: RegisterSimulator, world: RegisterWorld, s: Scenario) {
  for (const key of KEYS.slice(0, s.keys)) {
    s.clients.forEach((_, client) => {
      sim.apply(world, { kind: 'invoke', client, key, operation: { kind: 'get' } });
    });
    settle(sim, world, SETTLE_STEPS);
  }
}

/** Runs the scenario on `logic`'s peers, lets it settle, and checks the history. */
export function runScenario(
  makeLogic: (config: RegisterPeerConfig) => RegisterPeerLogic,
  s: Scenario,
): { world: RegisterWorld; result: CheckResult } {
  const logic = makeLogic(peerConfigOf(s));
  const sim = createRegisterSimulator(logic, { clients: s.clients.map((c) => (c % s.peers) + 1) });
  const world = sim.initial();
  s.steps.forEach((step, at) => {
    const unknowns = world.history.filter((e) => e.type === 'info').length;
    if (step.kind !== 'invoke' || unknowns < UNKNOWN_CAP) sim.apply(world, concreteStep(s, step, at));
  });
  settle(sim, world, SETTLE_STEPS);
  finalReads(sim, world, s);
  return { world, result: checkWorld(world) };
}

/**
 * Whether the run's history is linearizable. An UNKNOWN verdict throws: a search that ran
 * out of budget proved nothing and must never count as a pass.
 */
export function linearizable(
  makeLogic: (config: RegisterPeerConfig) => RegisterPeerLogic,
  s: Scenario,
): boolean {
  const { world, result } = runScenario(makeLogic, s);
  if (result.verdict === 'UNKNOWN')
    throw new Error(`linearizability check UNKNOWN (${result.unknown}) on ${world.history.length} events`);
  return result.verdict === 'LINEARIZABLE';
}
