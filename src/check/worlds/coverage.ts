/**
 * Transition coverage of a search: how many times the explored steps took each transition
 * definition of the role machines (state x event x guard branch, `always` branches
 * included), identified as src/statechart/structure.ts and properties/paths identify them,
 * so the checker's list and the diagrams' agree. A transition no step took in a complete
 * search of a configuration is dead there: a finding.
 *
 * Counted per explored step, not per XState run: the peer table memoises each local step
 * with the transitions it took (peerTable.ts), and the world adds them every time a step
 * is taken from a world being expanded (a self-loop on the set network included).
 */
import type { AnyStateMachine, AnyTransitionDefinition } from 'xstate';
import type { RoleMachines } from '../../peer/node';
import { type TransitionInfo, transitionsOf } from '../../statechart/structure';
import type { Tally } from '../model';

export interface CoverageRow {
  machine: string;
  /** The source state's path below the machine (`undecided.preparing`), `(root)` for the root. */
  state: string;
  /** The event type, `always` for an eventless branch. */
  event: string;
  /** The guard's name, `else` for the unguarded last branch, null when there is no choice. */
  guard: string | null;
  /** Position among the branches for this state and event (structure.ts's `#branch`). */
  branch: number;
  /** structure.ts's id, e.g. `proposer.undecided.preparing prepare_ack#2`. */
  id: string;
  count: number;
}

const EMPTY = new Int32Array(0);

export class TransitionCoverage implements Tally {
  readonly transitions: { machine: AnyStateMachine; info: TransitionInfo }[] = [];
  readonly counts: Float64Array;
  private readonly saved: Float64Array;
  private readonly index = new Map<AnyTransitionDefinition, number>();

  constructor(machines: RoleMachines) {
    for (const machine of [machines.proposer, machines.acceptor, machines.learner] as AnyStateMachine[])
      for (const info of transitionsOf(machine)) {
        this.index.set(info.definition, this.transitions.length);
        this.transitions.push({ machine, info });
      }
    this.counts = new Float64Array(this.transitions.length);
    this.saved = new Float64Array(this.transitions.length);
  }

  checkpoint(): void {
    this.saved.set(this.counts);
  }

  rollback(): void {
    this.counts.set(this.saved);
  }

  clear(): void {
    this.counts.fill(0);
  }

  read(): Float64Array {
    return this.counts.slice();
  }

  /** Adds another thread's counts. */
  merge(other: Float64Array): void {
    for (let i = 0; i < other.length; i++) this.counts[i] = (this.counts[i] as number) + (other[i] as number);
  }

  add(taken: Int32Array): void {
    const counts = this.counts;
    for (let i = 0; i < taken.length; i++) {
      const t = taken[i] as number;
      counts[t] = (counts[t] as number) + 1;
    }
  }

  /** The indices of transition definitions a machine took, in order. */
  indicesOf(taken: readonly AnyTransitionDefinition[]): Int32Array {
    if (taken.length === 0) return EMPTY;
    return Int32Array.from(taken, (d) => {
      const i = this.index.get(d);
      if (i === undefined)
        throw new Error(`a transition of ${d.source.id} is not in its machine's definition`);
      return i;
    });
  }

  rows(): CoverageRow[] {
    return this.transitions.map(({ machine, info }, i) => ({
      machine: machine.id,
      state: info.source.path.length > 0 ? info.source.path.join('.') : '(root)',
      event: info.event,
      guard: info.guard,
      branch: info.branch,
      id: info.id,
      count: this.counts[i] as number,
    }));
  }
}

/** The table `paxos check --coverage` prints: taken/total, then each transition never taken. */
export function coverageLines(rows: readonly CoverageRow[]): string[] {
  const never = rows.filter((r) => r.count === 0);
  const lines = [`coverage: ${rows.length - never.length}/${rows.length} transitions taken`];
  for (const r of rows) lines.push(`  ${String(r.count).padStart(10)}  ${describeRow(r)}`);
  lines.push(never.length === 0 ? 'never taken: none' : `never taken (${never.length}):`);
  for (const r of never) lines.push(`  ${describeRow(r)}`);
  return lines;
}

const describeRow = (r: CoverageRow) => `${r.id}${r.guard ? ` [${r.guard}]` : ''}`;
