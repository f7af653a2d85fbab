/**
 * Breadth-first search over a model whose states are fixed-width words (a `PackedModel`),
 * as TLC does it: a visited set of distinct states, the initial states at level 1, every
 * new state checked against the invariants as it is found, so the first violation found
 * is at the least depth and its trace, rebuilt from parent links, is a shortest one.
 *
 * The hot loop allocates nothing: one scratch state for the state being expanded, one for
 * the successor being built, and the model calls back once per successor.
 */
import type { CheckResult, Progress, TraceStep, Violation } from './result';
import { StateStore } from './stateStore';

export interface PackedModel {
  /** 32-bit words per state. */
  readonly words: number;
  /** Writes each initial state into `out` and calls `emit` after each. */
  initial(out: Uint32Array, emit: () => void): void;
  /**
   * Writes each successor of `cur` that differs from it into `next` and calls `visit` with
   * a code for the action instance; returns how many enabled instances left `cur` as it
   * was (stutters), which count as transitions but need no lookup.
   */
  successors(cur: Uint32Array, next: Uint32Array, visit: (action: number) => void): number;
  /** The name of the first invariant s breaks, or null. */
  violation(s: Uint32Array): string | null;
  /** The action instance a code stands for, printable. */
  actionName(action: number): string;
  printable(s: Uint32Array): unknown;
}

export interface SearchOptions {
  model: 'spec' | 'machines';
  maxStates?: number;
  maxDepth?: number;
  onProgress?: (p: Progress) => void;
  /** A guess at the number of states, to size the table once. */
  expectedStates?: number;
}

const PROGRESS_EVERY_MS = 1000;

export function searchPacked(m: PackedModel, options: SearchOptions): CheckResult {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const store = new StateStore(m.words, options.expectedStates);
  const cur = new Uint32Array(m.words);
  const next = new Uint32Array(m.words);

  let transitions = 0;
  let complete = true;
  let stopped = false;
  let violation = null as Violation | null;
  let depth = 0;
  let deepest = 0;
  let expanding = -1;
  /** At the depth bound, successors are only looked up: a new one means the search is incomplete. */
  let probing = false;

  const record = (index: number, invariant: string) => {
    violation = { invariant, trace: traceTo(m, store, index) };
    stopped = true;
  };

  m.initial(next, () => {
    if (stopped) return;
    const found = store.insert(next, -1);
    if (found >= 0) return;
    deepest = 1;
    const bad = m.violation(next);
    if (bad) record(-1 - found, bad);
  });

  const visit = (_action: number) => {
    transitions++;
    if (stopped) return;
    if (probing || store.size >= maxStates) {
      if (store.find(next) < 0) {
        complete = false;
        stopped = true;
      }
      return;
    }
    const found = store.insert(next, expanding);
    if (found >= 0) return;
    if (depth + 1 > deepest) deepest = depth + 1;
    const bad = m.violation(next);
    if (bad) record(-1 - found, bad);
  };

  let levelEnd = store.size;
  depth = 1;
  let lastReport = performance.now();
  for (let i = 0; i < store.size && !stopped; i++) {
    if (i === levelEnd) {
      depth++;
      levelEnd = store.size;
    }
    probing = depth >= maxDepth;
    expanding = i;
    store.read(i, cur);
    transitions += m.successors(cur, next, visit);
    if ((i & 0x3fff) === 0 && options.onProgress) {
      const now = performance.now();
      if (now - lastReport >= PROGRESS_EVERY_MS) {
        lastReport = now;
        options.onProgress({
          distinctStates: store.size,
          depth: deepest,
          queued: store.size - i - 1,
          seconds: seconds(),
        });
      }
    }
  }
  if (violation) complete = false;
  const result: CheckResult = {
    model: options.model,
    distinctStates: store.size,
    depth: deepest,
    transitions,
    seconds: seconds(),
    complete,
    violations: violation ? [violation] : [],
  };
  options.onProgress?.({ distinctStates: store.size, depth: deepest, queued: 0, seconds: result.seconds });
  return result;
}

/** Init, then for each state on the parent path the action that first reached it. */
function traceTo(m: PackedModel, store: StateStore, index: number): TraceStep[] {
  const path: number[] = [];
  for (let i = index; i >= 0; i = store.parent(i)) path.push(i);
  path.reverse();
  const cur = new Uint32Array(m.words);
  const next = new Uint32Array(m.words);
  const steps: TraceStep[] = [];
  for (let k = 0; k < path.length; k++) {
    const child = path[k] as number;
    let action = 'Init';
    if (k > 0) {
      store.read(path[k - 1] as number, cur);
      let code = -1;
      m.successors(cur, next, (a) => {
        if (code < 0 && store.equals(child, next)) code = a;
      });
      action = m.actionName(code);
    }
    store.read(child, cur);
    steps.push({ action, state: m.printable(cur) });
  }
  return steps;
}
