/**
 * The one breadth-first search, over any `Model`, as TLC does it: the initial states at
 * level 1; every new state checked as it is found and every step as it is taken, so the
 * first breach found is at the least depth and its trace is a shortest one; bounds on
 * states and depth that make the result incomplete; a progress line.
 *
 * Per distinct state it keeps a 64-bit fingerprint in the visited set and a parent record
 * (the parent's number and one lane of the state's fingerprint), spilled to a file past a
 * few million. A trace is rebuilt by replay: from an initial state, the successor whose
 * fingerprint lane matches the next record, and so on; it is a real run of the model even
 * under symmetry. Exact mode (`exact: true`) stores every key instead of fingerprints.
 */
import { fingerprintInts } from './hash';
import { LivenessGraph, type LivenessQuestion, type StuckStates } from './liveness';
import type { Breach, Model } from './model';
import type { CheckResult, Progress, TraceStep } from './result';
import { ParentLog, StateQueue } from './spill';
import { ADDED, type Added, ExactSet, FingerprintSet, FULL, KNOWN, type VisitedSet } from './visited';

/**
 * A `sometimes` property: a step that must be possible. The search reports the first one it
 * meets, which is breadth-first a shortest witness, or that none was reachable.
 */
export interface Goal {
  name: string;
  /** Whether this step (called from inside `visit`, like a step check) reaches the goal. */
  reached(
    before: Int32Array,
    beforeLength: number,
    step: number,
    after: Int32Array,
    afterLength: number,
  ): boolean;
}

export interface GoalResult {
  name: string;
  reached: boolean;
  /** A shortest run that reaches it. */
  witness?: TraceStep[];
}

export interface SearchOptions {
  /** `sometimes` goals, each reported reached (with a shortest witness) or not. */
  goals?: readonly Goal[];
  maxStates?: number;
  maxDepth?: number;
  onProgress?: (p: Progress) => void;
  /** How often onProgress is called (default 2000 ms). */
  progressIntervalMs?: number;
  /** Store every state's key rather than its fingerprint: no collision possible, more memory. */
  exact?: boolean;
  /** A guess at the number of states, to size the visited set once. */
  expectedStates?: number;
  /** 4 MiB chunks of queue kept in memory before the rest goes to a file (default 32). */
  queueMemoryChunks?: number;
  /** 8 MiB chunks of parent records kept in memory before older ones go to a file (default 8). */
  parentMemoryChunks?: number;
  /**
   * Ask liveness.ts's two questions once the search is complete: the graph is kept (4 bytes
   * a step, 9 a state, more while it is answered), so for the smaller configurations.
   */
  liveness?: LivenessQuestion;
}

/** Stuck states of one question, with a shortest path to one of them. */
export interface StuckReport {
  count: number;
  /** From an initial state to a stuck state at the least depth (absent when none is stuck). */
  trace?: TraceStep[];
}

export interface LivenessReport {
  /** States from which no steps, faults included, reach a goal state. */
  stuck: StuckReport;
  /** States from which no steps without faults reach a goal state. */
  stuckWithoutFaults: StuckReport;
  /** Steps between distinct states in the graph, and the bytes it took. */
  edges: number;
  bytes: number;
}

export interface SearchStats {
  /** Bytes of the visited set, of parent records in memory, and spilled to files. */
  visitedBytes: number;
  parentBytes: number;
  spilledBytes: number;
  /** The chance that two distinct states shared a fingerprint (TLC's optimistic estimate); null in exact mode. */
  collisionProbability: number | null;
}

export interface SearchResult extends CheckResult {
  search: SearchStats;
  /** The visited set (an ExactSet in exact mode, for tests that read every state). */
  visited: VisitedSet;
  goals: GoalResult[];
  /** With the `liveness` option: the verdict, or null when the search was not complete (nothing judged). */
  liveness?: LivenessReport | null;
  /** What the model counted of the steps explored (its `tally`), summed over worker threads. */
  tally?: Float64Array;
}

export type BreachAt =
  | { kind: 'state'; index: number; breach: Breach }
  | { kind: 'step'; parent: number; breach: Breach };

/** TLC's optimistic estimate: each of the (transitions - distinct) lookups of a known state may have hit a wrong one. */
export const collisionProbability = (distinct: number, transitions: number): number =>
  (distinct * Math.max(0, transitions - distinct)) / 2 ** 64;

export function search(model: Model, options: SearchOptions = {}): SearchResult {
  const started = performance.now();
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const exact = options.exact === true;
  const interval = options.progressIntervalMs ?? 2000;
  const graph = options.liveness ? new LivenessGraph(options.liveness) : null;
  const visited: VisitedSet = exact
    ? new ExactSet()
    : new FingerprintSet(options.expectedStates, graph !== null);
  const goals = options.goals ?? [];
  let lastProgress = started;
  let deepest = 1;
  let level = 1;
  let levelStart = 0;
  const explorer = new Explorer(model, visited, {
    maxStates: options.maxStates ?? Number.POSITIVE_INFINITY,
    exact,
    goals,
    graph,
    queueMemoryChunks: options.queueMemoryChunks ?? 32,
    parentMemoryChunks: options.parentMemoryChunks ?? 8,
    ...(options.onProgress
      ? {
          tick: () => {
            const now = performance.now();
            if (now - lastProgress < interval) return;
            lastProgress = now;
            options.onProgress?.({
              distinctStates: visited.size,
              depth: explorer.added > levelStart ? level + 1 : deepest,
              queued: explorer.queued,
              seconds: (now - started) / 1000,
            });
          },
        }
      : {}),
  });
  explorer.seed();
  while (!explorer.breach && explorer.queued > 0) {
    explorer.beginLevel();
    explorer.probing = level >= maxDepth;
    levelStart = explorer.added;
    explorer.expandLevel();
    if (explorer.added > levelStart) deepest = level + 1;
    if (explorer.truncated && !explorer.probing) break;
    level++;
  }
  const { parents, queue, truncated } = explorer;
  const found = explorer.breach;

  model.explored?.();
  const check = checkWord(model, exact);
  const violations = found
    ? [{ invariant: found.breach.invariant, trace: rebuild(model, parents, found, check) }]
    : [];
  const goalResults = goalWitnesses(model, goals, explorer.goalAt, parents, check);
  const liveness = graph && !truncated && !found ? livenessReport(model, graph, parents, check) : null;
  const seconds = (performance.now() - started) / 1000;
  options.onProgress?.({ distinctStates: visited.size, depth: deepest, queued: 0, seconds });
  const result: SearchResult = {
    model: model.kind,
    distinctStates: visited.size,
    depth: deepest,
    transitions: explorer.transitions,
    seconds,
    complete: !truncated && !found,
    violations,
    search: {
      visitedBytes: visited.bytes,
      parentBytes: parents.bytes,
      spilledBytes: parents.bytesOnDisk + queue.bytesOnDisk,
      collisionProbability: exact ? null : collisionProbability(visited.size, explorer.transitions),
    },
    visited,
    goals: goalResults,
    ...(graph ? { liveness } : {}),
  };
  queue.close();
  parents.close();
  return result;
}

/** Each goal's outcome, with the path to the first state that reached it. */
function goalWitnesses(
  model: Model,
  goals: readonly Goal[],
  goalAt: readonly number[],
  parents: ChainSource,
  check: (s: Int32Array, n: number) => number,
): GoalResult[] {
  return goals.map((goal, g) => {
    const at = goalAt[g] as number;
    if (at < 0) return { name: goal.name, reached: false };
    const checks: number[] = [];
    for (let i = at; i >= 0; i = parents.get(i)[0]) checks.push(parents.get(i)[1]);
    checks.reverse();
    return { name: goal.name, reached: true, witness: replayTo(model, checks, check, goal) };
  });
}

/** The liveness graph's verdict, with a path to the first stuck state of each kind. */
function livenessReport(
  model: Model,
  graph: LivenessGraph,
  parents: ChainSource,
  check: (s: Int32Array, n: number) => number,
): LivenessReport {
  const verdict = graph.answer();
  const report = (stuck: StuckStates): StuckReport =>
    stuck.first < 0
      ? { count: 0 }
      : {
          count: stuck.count,
          trace: rebuild(
            model,
            parents,
            { kind: 'state', index: stuck.first, breach: { invariant: 'Stuck', detail: '' } },
            check,
          ),
        };
  return {
    stuck: report(verdict.stuck),
    stuckWithoutFaults: report(verdict.stuckWithoutFaults),
    edges: verdict.edges,
    bytes: verdict.bytes,
  };
}

export interface ExplorerOptions {
  /** No state is admitted once the store holds this many (the store's count: all threads'). */
  maxStates: number;
  exact: boolean;
  /** The name of the local-th state this explorer admits (workers interleave theirs); default: local. */
  refOf?: (local: number) => number;
  goals?: readonly Goal[];
  graph?: LivenessGraph | null;
  queueMemoryChunks: number;
  parentMemoryChunks: number;
  /** Asked before each state: whether another thread has stopped the search. */
  stopped?: () => boolean;
  /** Called every 1024 states expanded (progress lines). */
  tick?: () => void;
}

/**
 * The search's one loop, level by level: it admits states into a store (the visited set,
 * or the table worker threads share), keeps their parent records and queues them, and
 * expands a level when told. `search()` drives it to the end in this thread; a worker
 * (worker.ts) drives one level per message from its coordinator. A state is named by a ref
 * (its local number, or interleaved with other workers'), queued after its ints.
 */
export class Explorer {
  readonly parents: ParentLog;
  readonly queue: StateQueue;
  /** Transitions taken and states admitted (callers reset them when they report per level). */
  transitions = 0;
  added = 0;
  truncated = false;
  probing = false;
  breach: BreachAt | null = null;
  /** Per goal: the ref of the state it was first reached from, or -2. */
  readonly goalAt: number[];
  /** States admitted since the level being expanded began; the states of that level left. */
  private nextLevel = 0;
  private levelLeft = 0;
  /** The store was full in the middle of `cur`'s successors: expand it again after the growth. */
  private pending = false;
  private full = false;
  private goalsLeft: number;
  private expandedCount = 0;
  private readonly refOf: (local: number) => number;
  private readonly cur: Int32Array;
  private curLength = 0;
  private curRef = -1;
  private readonly out: Int32Array;
  private readonly key: Int32Array;
  private keyLength = 0;
  private readonly fp = new Int32Array(2);
  private readonly goals: readonly Goal[];
  private readonly graph: LivenessGraph | null;

  constructor(
    private readonly model: Model,
    public store: VisitedSet,
    private readonly options: ExplorerOptions,
  ) {
    this.parents = new ParentLog(options.parentMemoryChunks);
    this.queue = new StateQueue(options.queueMemoryChunks);
    this.refOf = options.refOf ?? ((local) => local);
    // One more int than a state: its ref rides in the queue after it.
    this.cur = new Int32Array(model.maxLength + 1);
    this.out = new Int32Array(model.maxLength + 1);
    this.key = new Int32Array(model.maxLength);
    this.goals = options.goals ?? [];
    this.goalAt = this.goals.map(() => -2);
    this.goalsLeft = this.goals.length;
    this.graph = options.graph ?? null;
  }

  /** States queued (of the level being expanded and the next). */
  get queued(): number {
    return this.queue.length;
  }

  /** Admits the initial states: the first level. */
  seed(): void {
    this.model.initial(this.out, (n) => {
      if (this.breach) return;
      this.identify(this.out, n);
      this.admit(-1, this.out, n);
    });
  }

  /** The states admitted since the last call become the level to expand. */
  beginLevel(): void {
    this.levelLeft = this.nextLevel;
    this.nextLevel = 0;
  }

  /**
   * Expands what is left of the level: `done`; `full` when the store must grow first (the
   * state it was in is expanded again on the next call); `stopped` by a breach, the states
   * bound, or another thread.
   */
  expandLevel(): 'done' | 'full' | 'stopped' {
    const { model, cur, out } = this;
    this.full = false;
    while (this.pending || this.levelLeft > 0) {
      if (this.options.stopped?.()) return 'stopped';
      if (!this.pending) {
        const n = this.queue.shift(cur);
        this.curLength = n - 1;
        this.curRef = cur[n - 1] as number;
        this.levelLeft--;
        this.graph?.expand(this.curRef);
      }
      this.pending = false;
      const before = this.transitions;
      model.tally?.checkpoint();
      // Not `+=`: visit counts into `transitions` meanwhile.
      const stutters = model.successors(cur, this.curLength, out, this.visit);
      this.transitions += stutters;
      if (this.full) {
        // Its successors admitted so far are then known; what they counted is counted again.
        this.transitions = before;
        model.tally?.rollback();
        this.pending = true;
        return 'full';
      }
      if (this.breach || (this.truncated && !this.probing)) return 'stopped';
      if ((++this.expandedCount & 1023) === 0) this.options.tick?.();
    }
    return 'done';
  }

  /** Keeps every `workers`-th queued state, from the `index`-th: a worker's share of the first levels. */
  keepShare(workers: number, index: number): void {
    const n = this.queue.length;
    for (let i = 0; i < n; i++) {
      const length = this.queue.shift(this.cur);
      if (i % workers === index) this.queue.push(this.cur, length);
    }
    this.nextLevel = this.queue.length;
  }

  private identify(s: Int32Array, n: number): void {
    if (this.options.exact) {
      this.keyLength = this.model.key(s, n, this.key);
      fingerprintInts(this.key, this.keyLength, this.fp);
    } else this.model.fingerprint(s, n, this.fp);
  }

  private admit(parent: number, s: Int32Array, n: number): Added {
    const fp = this.fp;
    const r = this.store.add(fp, this.key, this.keyLength);
    if (r !== ADDED) return r;
    const local = this.parents.size;
    const ref = this.refOf(local);
    this.parents.add(parent, fp[1] as number);
    this.queue.push(s, n, ref);
    this.graph?.addState(local, s, n);
    this.added++;
    this.nextLevel++;
    const bad = this.model.checkState(s, n);
    if (bad) this.breach = { kind: 'state', index: ref, breach: bad };
    return ADDED;
  }

  private readonly visit = (step: number, n: number): boolean => {
    const { model, cur, out, fp, key } = this;
    this.transitions++;
    if (this.goalsLeft > 0)
      for (let g = 0; g < this.goals.length; g++)
        if (this.goalAt[g] === -2 && (this.goals[g] as Goal).reached(cur, this.curLength, step, out, n)) {
          this.goalAt[g] = this.curRef;
          this.goalsLeft--;
        }
    const stepBreach = model.checkStep(cur, this.curLength, step, out, n);
    if (stepBreach) {
      this.breach = { kind: 'step', parent: this.curRef, breach: stepBreach };
      return true;
    }
    this.identify(out, n);
    const graph = this.graph;
    if (graph) {
      const known = this.store.find(fp, key, this.keyLength);
      if (known >= 0) {
        graph.addStep(step, known);
        return false;
      }
    }
    if (this.probing || this.store.size >= this.options.maxStates) {
      if (this.store.has(fp, key, this.keyLength)) return false;
      // Something lies beyond the bound: nothing is proved. At the depth bound the level
      // is still expanded, for the step checks.
      this.truncated = true;
      return !this.probing;
    }
    const r = this.admit(this.curRef, out, n);
    if (r === FULL) {
      this.full = true;
      return true;
    }
    if (r === KNOWN) return false;
    graph?.addStep(step, this.parents.size - 1);
    return this.breach !== null;
  };
}

/** A parent chain, as its records: [check word of each state], from an initial state. */
interface ChainSource {
  /** [parent number, check word] of state `index`. */
  get(index: number): [number, number];
}

/**
 * Replays the chain of records ending at the breach: each state is the successor (of the
 * state rebuilt so far) whose fingerprint lane matches its record; the last step is the
 * breaching successor, or the state itself, with the breach's detail re-derived on the
 * real run.
 */
function rebuild(
  model: Model,
  records: ChainSource,
  at: BreachAt,
  check: (s: Int32Array, n: number) => number,
): TraceStep[] {
  const checks: number[] = [];
  for (let i = at.kind === 'state' ? at.index : at.parent; i >= 0; i = records.get(i)[0])
    checks.push(records.get(i)[1]);
  checks.reverse();
  return traceByReplay(model, checks, at.kind === 'step' ? at.breach.invariant : null, check);
}

/** The word a parent record keeps of a state: the second fingerprint lane (of the key, in exact mode). */
export function checkWord(model: Model, exact: boolean): (s: Int32Array, n: number) => number {
  const fp = new Int32Array(2);
  const key = new Int32Array(model.maxLength);
  return (s, n) => {
    if (exact) fingerprintInts(key, model.key(s, n, key), fp);
    else model.fingerprint(s, n, fp);
    return fp[1] as number;
  };
}

/** The trace through states whose fingerprint lanes are `checks`; `stepInvariant`: then one breaching step. */
export function traceByReplay(
  model: Model,
  checks: readonly number[],
  stepInvariant: string | null,
  check: (s: Int32Array, n: number) => number,
): TraceStep[] {
  return replayWith(model, checks, check, stepInvariant === null ? null : { invariant: stepInvariant });
}

/** The witness of a goal: the path to the state it was reached from, then a step that reaches it. */
function replayTo(
  model: Model,
  checks: readonly number[],
  check: (s: Int32Array, n: number) => number,
  goal: Goal,
): TraceStep[] {
  return replayWith(model, checks, check, { goal });
}

function replayWith(
  model: Model,
  checks: readonly number[],
  check: (s: Int32Array, n: number) => number,
  last: { invariant: string } | { goal: Goal } | null,
): TraceStep[] {
  const stepInvariant = last && 'invariant' in last ? last.invariant : null;
  const goal = last && 'goal' in last ? last.goal : null;
  const L = model.maxLength;
  let real = new Int32Array(L);
  let realLength = -1;
  const scratch = new Int32Array(L);
  const trace: TraceStep[] = [];
  const lastIsState = last === null;

  model.initial(scratch, (n) => {
    if (realLength >= 0) return;
    if (check(scratch, n) !== checks[0]) return;
    real = scratch.slice(0, L);
    realLength = n;
  });
  if (realLength < 0) throw new Error('internal error: no initial state matches the trace');
  const finalBreach = (s: Int32Array, n: number) => (lastIsState ? model.checkState(s, n) : null);
  trace.push(
    model.describe(null, 0, -1, real, realLength, checks.length === 1 ? finalBreach(real, realLength) : null),
  );

  for (let k = 1; k < checks.length; k++) {
    const last = k === checks.length - 1;
    let next: Int32Array | null = null;
    let nextLength = 0;
    model.successors(real, realLength, scratch, (step, n) => {
      if (check(scratch, n) !== checks[k]) return false;
      next = scratch.slice(0, L);
      nextLength = n;
      const b = last ? finalBreach(scratch, n) : null;
      trace.push(model.describe(real, realLength, step, scratch, n, b));
      return true;
    });
    if (!next) throw new Error('internal error: a stored path cannot be replayed');
    real = next;
    realLength = nextLength;
  }
  if (last !== null) {
    let done = false;
    model.successors(real, realLength, scratch, (step, n) => {
      if (goal) {
        if (!goal.reached(real, realLength, step, scratch, n)) return false;
        trace.push(model.describe(real, realLength, step, scratch, n, null));
        done = true;
        return true;
      }
      const b = model.checkStep(real, realLength, step, scratch, n);
      if (b?.invariant !== stepInvariant) return false;
      trace.push(model.describe(real, realLength, step, scratch, n, b));
      done = true;
      return true;
    });
    if (!done) throw new Error('internal error: the breaching step cannot be replayed');
  }
  return trace;
}
