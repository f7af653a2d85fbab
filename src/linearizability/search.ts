/**
 * Wing & Gong's search for one partition, with Lowe's memoisation (as in Porcupine).
 *
 * The operations' calls and returns make one list in time order. The search walks it from
 * the front: a call is a candidate to linearize next (step the model; if it fits and the
 * pair (set linearized, state) is new, take the operation out of the list and start again
 * from the front); reaching a return means the operation it ends had to be linearized by
 * now and no candidate made that possible, so undo the last choice and try the candidate
 * after it. Operations whose outcome is unknown have no return (it is at +infinity) and are
 * optional: the history is linearizable once every required operation is placed.
 */
import { Bitset } from './bitset';
import type { Operation } from './history';
import type { Model } from './model';

export interface Candidate {
  op: Operation;
  input: unknown;
  output: unknown;
  /** Known to have taken effect (or, for a kept fail, to have observed): must be placed. */
  required: boolean;
}

/** Shared by every partition of a history: the search stops when either runs out. */
export interface Budget {
  maxSteps: number;
  /** Date.now() past which the search gives up; Infinity for none. */
  deadline: number;
  steps: number;
}

export type SearchOutcome =
  | { verdict: 'LINEARIZABLE' }
  | { verdict: 'UNKNOWN' }
  | {
      verdict: 'NOT_LINEARIZABLE';
      /** The operation that could not be placed before its return, after the longest prefix. */
      culprit: Candidate;
      prefix: { candidate: Candidate; state: unknown }[];
    };

interface Entry {
  index: number;
  call: boolean;
  time: number;
  prev: Entry | null;
  next: Entry | null;
  /** A call's return, when it has one. */
  match: Entry | null;
}

/** The calls and returns in time order, behind a sentinel head. */
function buildList(candidates: readonly Candidate[]): Entry {
  const entries: Entry[] = [];
  candidates.forEach(({ op }, index) => {
    const call: Entry = { index, call: true, time: op.call, prev: null, next: null, match: null };
    entries.push(call);
    if (Number.isFinite(op.ret)) {
      call.match = { index, call: false, time: op.ret, prev: null, next: null, match: null };
      entries.push(call.match);
    }
  });
  entries.sort((a, b) => a.time - b.time);
  const head: Entry = { index: -1, call: false, time: -1, prev: null, next: null, match: null };
  let last = head;
  for (const e of entries) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

function unlink(e: Entry): void {
  if (e.prev) e.prev.next = e.next;
  if (e.next) e.next.prev = e.prev;
}

function relink(e: Entry): void {
  if (e.prev) e.prev.next = e;
  if (e.next) e.next.prev = e;
}

/** Takes a linearized call and its return out of the list. */
function lift(call: Entry): void {
  unlink(call);
  if (call.match) unlink(call.match);
}

/** Puts them back, in the reverse order. */
function unlift(call: Entry): void {
  if (call.match) relink(call.match);
  relink(call);
}

/** Pairs (linearized set, state) already explored: reaching one again can only fail again. */
class Memo {
  private readonly buckets = new Map<number, { words: Uint32Array; state: unknown }[]>();

  constructor(private readonly model: Model) {}

  /** Adds the pair; false when it was there already. */
  add(bits: Bitset, state: unknown): boolean {
    const key = (bits.hash ^ Math.imul(this.model.hash(state), 0x2c1b3c6d)) | 0;
    const bucket = this.buckets.get(key);
    if (!bucket) {
      this.buckets.set(key, [{ words: bits.snapshot(), state }]);
      return true;
    }
    for (const seen of bucket)
      if (bits.equals(seen.words) && this.model.equal(seen.state, state)) return false;
    bucket.push({ words: bits.snapshot(), state });
    return true;
  }
}

const CLOCK_EVERY = 4096;

interface StackEntry {
  call: Entry;
  /** The state before the call's operation. */
  before: unknown;
}

class Search {
  private readonly head: Entry;
  private readonly bits: Bitset;
  private readonly memo: Memo;
  private readonly stack: StackEntry[] = [];
  private state: unknown;
  private required: number;
  /** The deepest dead end: its prefix (operations, state after each) and the operation that found no place. */
  private readonly best = { culprit: -1, indices: [] as number[], states: [] as unknown[] };
  /** How many of the stack's first entries are the best prefix's too: only the rest is copied when it grows. */
  private agree = 0;

  constructor(
    private readonly model: Model,
    private readonly candidates: readonly Candidate[],
    private readonly budget: Budget,
  ) {
    this.head = buildList(candidates);
    this.bits = new Bitset(candidates.length);
    this.memo = new Memo(model);
    this.state = model.init();
    this.required = candidates.filter((c) => c.required).length;
  }

  run(): SearchOutcome {
    let entry = this.head.next;
    while (this.required > 0) {
      if (this.outOfBudget()) return { verdict: 'UNKNOWN' };
      if (entry?.call) {
        entry = this.tryLinearize(entry) ? this.head.next : entry.next;
        continue;
      }
      // A return (or, never in a well-formed list, the end): undo the last choice.
      if (entry) this.remember(entry.index);
      const undone = this.stack.pop();
      if (!undone) return this.refuted();
      this.agree = Math.min(this.agree, this.stack.length);
      this.undo(undone.call, undone.before);
      entry = undone.call.next;
    }
    return { verdict: 'LINEARIZABLE' };
  }

  private outOfBudget(): boolean {
    const b = this.budget;
    b.steps++;
    return b.steps > b.maxSteps || (b.steps % CLOCK_EVERY === 0 && Date.now() > b.deadline);
  }

  private tryLinearize(call: Entry): boolean {
    const c = this.candidates[call.index] as Candidate;
    const result = this.model.step(this.state, c.input, c.output);
    if (!result.ok) return false;
    this.bits.set(call.index);
    if (!this.memo.add(this.bits, result.next)) {
      this.bits.clear(call.index);
      return false;
    }
    if (this.agree === this.stack.length && this.best.indices[this.agree] === call.index) this.agree++;
    this.stack.push({ call, before: this.state });
    this.state = result.next;
    lift(call);
    if (c.required) this.required--;
    return true;
  }

  private undo(call: Entry, before: unknown): void {
    unlift(call);
    this.bits.clear(call.index);
    this.state = before;
    if ((this.candidates[call.index] as Candidate).required) this.required++;
  }

  /** A dead end: remembered when deeper than any before. */
  private remember(culprit: number): void {
    const depth = this.stack.length;
    if (this.best.culprit >= 0 && this.best.indices.length >= depth) return;
    const { indices, states } = this.best;
    indices.length = this.agree;
    states.length = this.agree;
    for (let i = this.agree; i < depth; i++) {
      indices.push((this.stack[i] as StackEntry).call.index);
      states.push(i + 1 < depth ? (this.stack[i + 1] as StackEntry).before : this.state);
    }
    this.best.culprit = culprit;
    this.agree = depth;
  }

  private refuted(): SearchOutcome {
    const at = (i: number) => this.candidates[i] as Candidate;
    const { culprit, indices, states } = this.best;
    return {
      verdict: 'NOT_LINEARIZABLE',
      culprit: at(Math.max(culprit, 0)),
      prefix: indices.map((i, n) => ({ candidate: at(i), state: states[n] })),
    };
  }
}

export function searchPartition(
  model: Model,
  candidates: readonly Candidate[],
  budget: Budget,
): SearchOutcome {
  return new Search(model, candidates, budget).run();
}
