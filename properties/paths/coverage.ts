/**
 * Coverage of a statechart by replayed paths, measured against the machine's own
 * definition (src/statechart/structure.ts), never against what the generator meant to do:
 *  - states: every state node was active at some point (a recovering state counts when a
 *    transition left it);
 *  - transitions: every transition definition (state x event x guard branch, `always`
 *    branches and root-level `on` included) was taken;
 *  - edges: every transition was taken from every atomic state it can fire in, so a
 *    root-level handler counts once per state it is drawn from in the diagrams.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import {
  leafSourcesOf,
  stateNodesOf,
  type TransitionInfo,
  transitionsOf,
} from '../../src/statechart/structure';
import type { Replayed, Taken } from './replay';

interface Measure {
  total: number;
  covered: number;
  /** What was never covered, by id. */
  missing: string[];
}

export interface CoverageReport {
  machine: string;
  states: Measure;
  transitions: Measure;
  edges: Measure;
}

const edgeId = (t: TransitionInfo, leaf: AnyStateNode) =>
  t.source.type === 'atomic' ? t.id : `${t.id} from ${leaf.key}`;

const measure = (all: readonly string[], seen: ReadonlySet<string>): Measure => {
  const missing = all.filter((id) => !seen.has(id));
  return { total: all.length, covered: all.length - missing.length, missing };
};

export class Coverage {
  private readonly transitions: TransitionInfo[];
  private readonly byDefinition: Map<AnyTransitionDefinition, TransitionInfo>;
  private readonly states = new Set<string>();
  private readonly taken = new Set<string>();
  private readonly edges = new Set<string>();

  constructor(private readonly machine: AnyStateMachine) {
    this.transitions = transitionsOf(machine);
    this.byDefinition = new Map(this.transitions.map((t) => [t.definition, t]));
  }

  add(replayed: Replayed<AnyStateMachine>): void {
    this.visit(replayed.initial._nodes as AnyStateNode[]);
    this.take(replayed.initialTaken);
    for (const step of replayed.steps) {
      this.take(step.taken);
      this.visit(step.after._nodes as AnyStateNode[]);
    }
  }

  report(): CoverageReport {
    return {
      machine: this.machine.id,
      states: measure(
        stateNodesOf(this.machine).map((n) => n.id),
        this.states,
      ),
      transitions: measure(
        this.transitions.map((t) => t.id),
        this.taken,
      ),
      edges: measure(
        this.transitions.flatMap((t) => leafSourcesOf(t).map((leaf) => edgeId(t, leaf))),
        this.edges,
      ),
    };
  }

  private visit(nodes: readonly AnyStateNode[]) {
    for (const n of nodes) this.states.add(n.id);
  }

  private take(taken: readonly Taken[]) {
    for (const { definition, from } of taken) {
      const t = this.byDefinition.get(definition);
      if (!t)
        throw new Error(`a transition of ${definition.source.id} is not in ${this.machine.id}'s definition`);
      this.taken.add(t.id);
      this.edges.add(edgeId(t, from));
      this.visit([from, ...t.targets]);
    }
  }
}

export const formatCoverage = (r: CoverageReport): string =>
  `${r.machine}: states ${r.states.covered}/${r.states.total}, transitions ${r.transitions.covered}/${r.transitions.total}, ` +
  `edges ${r.edges.covered}/${r.edges.total}`;
