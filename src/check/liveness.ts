/**
 * Liveness within the bounds: from every reachable state, can the run still get where it
 * should (every participating peer chose)? Safety is judged state by state as the search
 * goes; this question is about the whole graph, so the search records it (each state's
 * marks, each step's target) and it is answered once the search is complete, backwards:
 * the states that can reach a goal state are found from the goal states along reversed
 * steps, and every state left over is stuck. States are numbered in breadth-first order,
 * so the least stuck number is a stuck state at the least depth, and its parent chain is a
 * shortest path to it.
 *
 * Two questions, one graph:
 * - `stuck`: no sequence of steps at all (faults included) reaches a goal.
 * - `stuckWithoutFaults`: no sequence of steps without faults reaches a goal, i.e. once
 *   the faults stop, no schedule of the remaining steps decides. Every state stuck in the
 *   first sense is stuck in the second.
 *
 * A state where a bound of the check (rounds, a fault budget is not one) stopped a step
 * that the machines asked for counts as alive: what lies beyond the bound is unknown,
 * as TLC treats states beyond its depth bound. So a proposer that keeps retrying is never
 * stuck within the bounds, while one that gives up is.
 */

/** What the model tells the liveness question about its states and steps. */
export interface LivenessQuestion {
  /** What must stay reachable: a state where the run reached its aim (every participating peer chose). */
  done(s: Int32Array, length: number): boolean;
  /** A bound of the check stopped a step here that the system asked for: judged alive. */
  bounded(s: Int32Array, length: number): boolean;
  /** Whether a step (the label `successors` gives it) is a fault, stopped in the second question. */
  fault(step: number): boolean;
}

export interface StuckStates {
  /** How many reachable states are stuck. */
  count: number;
  /** The number (breadth-first order) of a stuck state at the least depth, or -1. */
  first: number;
}

export interface LivenessVerdict {
  stuck: StuckStates;
  stuckWithoutFaults: StuckStates;
  /** Steps recorded (between distinct states; self-loops are left out). */
  edges: number;
  /** Bytes the graph took (recorded and reversed). */
  bytes: number;
}

import { growArray } from './visited';

const DONE = 1;
const BOUNDED = 2;
/** The top bit of a recorded target: the step was a fault. */
const FAULT = 0x80000000 | 0;

/** The graph as the search finds it: states in order, each state's steps recorded when it is expanded. */
export class LivenessGraph {
  private marks = new Uint8Array(1 << 16);
  /** Per state: the index in `targets` of its first step. */
  private starts = new Int32Array(1 << 16);
  private targets = new Int32Array(1 << 18);
  private states = 0;
  private edges = 0;
  private expanding = -1;

  constructor(private readonly question: LivenessQuestion) {}

  /** A new state, numbered `index` (they come in order). */
  addState(index: number, s: Int32Array, length: number): void {
    if (index !== this.states) throw new Error('internal error: states must be added in order');
    if (index === this.marks.length) {
      this.marks = growArray(this.marks, 2 * index);
      this.starts = growArray(this.starts, 2 * index);
    }
    this.marks[index] =
      (this.question.done(s, length) ? DONE : 0) | (this.question.bounded(s, length) ? BOUNDED : 0);
    this.states++;
  }

  /** The search starts the successors of state `index` (in order). */
  expand(index: number): void {
    this.expanding = index;
    this.starts[index] = this.edges;
  }

  /** A step of the state being expanded to state `target`. */
  addStep(step: number, target: number): void {
    if (target === this.expanding) return;
    if (this.edges === this.targets.length) this.targets = growArray(this.targets, 2 * this.edges);
    this.targets[this.edges++] = this.question.fault(step) ? target | FAULT : target;
  }

  /** Both questions, over a graph whose every state was expanded. */
  answer(): LivenessVerdict {
    const n = this.states;
    const m = this.edges;
    const starts = this.starts;
    const targets = this.targets;
    const end = (i: number) => (i + 1 < n ? (starts[i + 1] as number) : m);
    // Reversed steps, grouped by target (counting sort): sources[firstIn[t]..firstIn[t+1]).
    const firstIn = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) {
      const t = ((targets[e] as number) & ~FAULT) + 1;
      firstIn[t] = (firstIn[t] as number) + 1;
    }
    for (let t = 0; t < n; t++) firstIn[t + 1] = (firstIn[t + 1] as number) + (firstIn[t] as number);
    const fill = firstIn.slice(0, n);
    const sources = new Int32Array(m);
    for (let s = 0; s < n; s++)
      for (let e = starts[s] as number; e < end(s); e++) {
        const t = targets[e] as number;
        const at = fill[t & ~FAULT] as number;
        fill[t & ~FAULT] = at + 1;
        sources[at] = t & FAULT ? s | FAULT : s;
      }
    const stuck = this.unreached(firstIn, sources, true);
    const stuckWithoutFaults = this.unreached(firstIn, sources, false);
    return {
      stuck,
      stuckWithoutFaults,
      edges: m,
      bytes:
        this.marks.byteLength +
        this.starts.byteLength +
        targets.byteLength +
        firstIn.byteLength * 2 +
        sources.byteLength,
    };
  }

  /** The states from which no goal is reachable backwards along `sources` (faults followed or not). */
  private unreached(firstIn: Int32Array, sources: Int32Array, faults: boolean): StuckStates {
    const n = this.states;
    const alive = new Uint8Array(n);
    const queue = new Int32Array(n);
    let tail = 0;
    for (let i = 0; i < n; i++)
      if ((this.marks[i] as number) !== 0) {
        alive[i] = 1;
        queue[tail++] = i;
      }
    for (let head = 0; head < tail; head++) {
      const t = queue[head] as number;
      for (let k = firstIn[t] as number; k < (firstIn[t + 1] as number); k++) {
        const s = sources[k] as number;
        if (!faults && s & FAULT) continue;
        const from = s & ~FAULT;
        if (alive[from]) continue;
        alive[from] = 1;
        queue[tail++] = from;
      }
    }
    let first = -1;
    for (let i = n - 1; i >= 0; i--) if (!alive[i]) first = i;
    return { count: n - tail, first };
  }
}
