/**
 * The generated paths take every state and every transition of the three role statecharts
 * and of the register round (measured against the machines' definitions,
 * src/statechart/structure.ts), and the measure is not a formality: a transition nothing can take is reported, and only it.
 */
import { describe, expect, test } from 'vitest';
import { type AnyStateMachine, createMachine } from 'xstate';
import { acceptorMachine } from '../../machines/acceptor';
import { learnerMachine } from '../../machines/learner';
import { proposerMachine } from '../../machines/proposer';
import { registerRoundMachine } from '../../machines/registerRound';
import { acceptorModel } from './acceptor.model';
import { Coverage, type CoverageReport, formatCoverage } from './coverage';
import { generatePaths, type PathModel } from './generate';
import { learnerModel } from './learner.model';
import { proposerModel } from './proposer.model';
import { registerRoundModel } from './registerRound.model';
import { replay } from './replay';

function coverageOf<M extends AnyStateMachine>(machine: M, model: PathModel<M>): CoverageReport {
  const coverage = new Coverage(machine);
  for (const p of generatePaths(machine, model).paths) coverage.add(replay(machine, p.input, p.events));
  return coverage.report();
}

interface DeadBranch {
  /** The state node that gets the branch (empty for the root). */
  at: string[];
  /** The event it answers, or `always` for an eventless branch. */
  event: string;
  target: string;
  /** A new top-level state to add, so the branch can lead where nothing else does. */
  newState?: string;
}

/**
 * The machine with one more transition in front of the others, built from its own config
 * and implementations, guarded by a guard that never holds.
 */
function withDeadBranch<M extends AnyStateMachine>(machine: M, dead: DeadBranch): M {
  type Node = { states?: Record<string, Node>; on?: Record<string, unknown>; always?: unknown };
  const toArray = (x: unknown) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  const branch = { guard: 'never', target: dead.target };
  const edit = (node: Node, rest: string[]): Node => {
    const [head, ...tail] = rest;
    if (head === undefined) {
      if (dead.event === 'always') return { ...node, always: [branch, ...toArray(node.always)] };
      return { ...node, on: { ...node.on, [dead.event]: [branch, ...toArray(node.on?.[dead.event])] } };
    }
    const states = node.states ?? {};
    return { ...node, states: { ...states, [head]: edit(states[head] as Node, tail) } };
  };
  const root = edit(machine.config as Node, dead.at);
  if (dead.newState) root.states = { ...root.states, [dead.newState]: {} };
  const implementations = machine.implementations;
  return createMachine(
    root as never,
    {
      ...implementations,
      guards: { ...implementations.guards, never: () => false },
    } as never,
  ) as unknown as M;
}

describe('path coverage of the statecharts', () => {
  const reports = [
    coverageOf(proposerMachine, proposerModel),
    coverageOf(acceptorMachine, acceptorModel),
    coverageOf(learnerMachine, learnerModel),
    coverageOf(registerRoundMachine, registerRoundModel),
  ];

  test.each(reports.map((r) => [formatCoverage(r), r] as const))('%s', (line, report) => {
    process.stderr.write(`coverage ${line}\n`);
    expect(report.states.missing).toEqual([]);
    expect(report.transitions.missing).toEqual([]);
    expect(report.edges.missing).toEqual([]);
    // The figures docs/architecture.md quotes (atomic states; transition definitions; edges per leaf).
    const totals = {
      states: report.states.total,
      transitions: report.transitions.total,
      edges: report.edges.total,
    };
    expect(totals).toEqual(
      {
        proposer: { states: 6, transitions: 19, edges: 22 },
        acceptor: { states: 4, transitions: 13, edges: 13 },
        learner: { states: 3, transitions: 7, edges: 7 },
        registerRound: { states: 6, transitions: 19, edges: 19 },
      }[report.machine],
    );
  });
});

describe('coverage reports a transition no path can take, and only it', () => {
  test('an acceptor branch whose guard never holds', () => {
    const variant = withDeadBranch(acceptorMachine, { at: ['idle'], event: 'prepare', target: 'accepted' });
    const report = coverageOf(variant, acceptorModel);
    expect(report.transitions.missing).toEqual(['acceptor.idle prepare#0']);
    expect(report.transitions.total).toBe(coverageOf(acceptorMachine, acceptorModel).transitions.total + 1);
    expect(report.states.missing).toEqual([]);
  });

  test('a root-level eventless branch of the proposer whose guard never holds', () => {
    const variant = withDeadBranch(proposerMachine, { at: [], event: 'always', target: '.undecided' });
    const report = coverageOf(variant, proposerModel);
    expect(report.transitions.missing).toEqual(['proposer always#0']);
    expect(report.edges.missing).toEqual(
      ['idle', 'preparing', 'accepting', 'backingOff', 'chosen'].map((s) => `proposer always#0 from ${s}`),
    );
    expect(report.states.missing).toEqual([]);
  });

  test('a learner state only a dead branch leads to', () => {
    const variant = withDeadBranch(learnerMachine, {
      at: ['listening'],
      event: 'chose',
      target: 'limbo',
      newState: 'limbo',
    });
    const report = coverageOf(variant, learnerModel);
    expect(report.transitions.missing).toEqual(['learner.listening chose#0']);
    expect(report.states.missing).toEqual(['learner.limbo']);
  });
});
