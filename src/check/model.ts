/**
 * What the search explores: a `Model`. The executable spec (specModel.ts) and the worlds of
 * the real machines (worlds/machinesModel.ts) are two; symmetry (symmetry.ts) wraps either. A
 * state is a short array of ints that the model writes and reads; the search stores it
 * only as a fingerprint (or, in exact mode, as the key the model gives) and queues it.
 */
import { fmix, nonZero } from './hash';
import { compareInts } from './ints';
import type { TraceStep } from './result';

export interface Breach {
  /** The invariant or step check that failed, by the name the spec gives it. */
  invariant: string;
  detail: string;
}

/** Called once per successor, written in the model's `out`; true stops the enumeration. */
export type Visit = (step: number, length: number) => boolean;

export interface Model {
  readonly kind: 'spec' | 'machines' | 'registers';
  /** The most ints a state may take (the search sizes its scratch with it). */
  readonly maxLength: number;
  /** Writes each initial state into `out` and calls `emit(length)` after each. */
  initial(out: Int32Array, emit: (length: number) => void): void;
  /**
   * Writes each successor of s[0..length) into `out` and calls `visit` with a label of the
   * step that made it (meaningful to `describe` in this thread only). Returns how many
   * enabled steps left s as it was: transitions that need no lookup.
   */
  successors(s: Int32Array, length: number, out: Int32Array, visit: Visit): number;
  /** The first invariant s breaks, or null. */
  checkState(s: Int32Array, length: number): Breach | null;
  /** What the step breaks, or null; called from inside `visit`, for the successor visited. */
  checkStep(
    before: Int32Array,
    beforeLength: number,
    step: number,
    after: Int32Array,
    afterLength: number,
  ): Breach | null;
  /**
   * A state as a trace prints it (`step` null for an initial state, `breach` on the last
   * one); for a step, called from inside `visit`.
   */
  describe(
    before: Int32Array | null,
    beforeLength: number,
    step: number,
    after: Int32Array,
    afterLength: number,
    breach: Breach | null,
  ): TraceStep;
  /**
   * 64 bits in out[0], out[1], both non-zero, equal for states that are one to the search
   * (under symmetry, a whole orbit), and the same in every worker thread (so not made of
   * thread-local ids).
   */
  fingerprint(s: Int32Array, length: number, out: Int32Array): void;
  /** For exact mode: the key the visited set compares (under symmetry, the orbit's least); returns its length. */
  key(s: Int32Array, length: number, out: Int32Array): number;
  /**
   * The search has explored all it will: the successors asked for from now on replay a
   * trace or a witness (a model that counts what was explored, as coverage does, stops).
   */
  explored?(): void;
  /** What the model counts of the steps explored (coverage), summed over worker threads. */
  readonly tally?: Tally;
}

/**
 * Counts a model keeps while it is explored. A worker that must expand a state again (its
 * table grew meanwhile) rolls back to the checkpoint taken before the first try, and the
 * first levels every worker runs alike are counted by one.
 */
export interface Tally {
  checkpoint(): void;
  rollback(): void;
  clear(): void;
  read(): Float64Array;
  merge(counts: Float64Array): void;
}

/**
 * Renamings that map a state to an equivalent one (same future up to renaming, same
 * verdicts): the model behind `symmetric`.
 */
export interface Renamer {
  /** Renamings other than the identity. */
  readonly count: number;
  /** Writes s renamed by renaming r into out; returns its length. */
  rename(r: number, s: Int32Array, length: number, out: Int32Array): number;
  /** The least fingerprint over s and its renamings, if the model can do better than renaming and hashing each. */
  leastFingerprint?(s: Int32Array, length: number, out: Int32Array): void;
  /** The state whose successors are fingerprinted next (leastFingerprint may start from its work). */
  expanding?(s: Int32Array, length: number): void;
}

/**
 * Symmetry reduction for any model: the fingerprint of a state is the least over its
 * renamings (a property of the orbit, so the same in every thread whatever ids a thread
 * interned), and in exact mode its key is the least renamed key. The states queued and
 * expanded stay the real ones, so a trace is a real run.
 */
export function symmetric(model: Model, renamer: Renamer): Model {
  if (renamer.count === 0) return model;
  const renamed = new Int32Array(model.maxLength);
  const fp = new Int32Array(2);
  const candidate = new Int32Array(model.maxLength);
  return {
    kind: model.kind,
    maxLength: model.maxLength,
    initial: (out, emit) => model.initial(out, emit),
    successors: (s, length, out, visit) => {
      renamer.expanding?.(s, length);
      return model.successors(s, length, out, visit);
    },
    checkState: (s, length) => model.checkState(s, length),
    checkStep: (before, bl, step, after, al) => model.checkStep(before, bl, step, after, al),
    describe: (before, bl, step, after, al, breach) => model.describe(before, bl, step, after, al, breach),
    explored: () => model.explored?.(),
    ...(model.tally ? { tally: model.tally } : {}),
    fingerprint(s, length, out) {
      if (renamer.leastFingerprint) renamer.leastFingerprint(s, length, out);
      else {
        model.fingerprint(s, length, out);
        for (let r = 0; r < renamer.count; r++) {
          model.fingerprint(renamed, renamer.rename(r, s, length, renamed), fp);
          const a = fp[0] as number;
          const b = fp[1] as number;
          if (a >>> 0 < (out[0] as number) >>> 0 || (a === out[0] && b >>> 0 < (out[1] as number) >>> 0)) {
            out[0] = a;
            out[1] = b;
          }
        }
      }
      // The least of several is biased towards small values, and the table places states by
      // the first lane: mixed again (one-to-one), so that they spread over the table.
      const a = fmix(out[0] as number);
      out[1] = nonZero(fmix((out[1] as number) ^ a));
      out[0] = nonZero(a);
    },
    key(s, length, out) {
      let best = model.key(s, length, out);
      for (let r = 0; r < renamer.count; r++) {
        const n = model.key(renamed, renamer.rename(r, s, length, renamed), candidate);
        if (compareInts(candidate, n, out, best) < 0) {
          out.set(candidate.subarray(0, n));
          best = n;
        }
      }
      return best;
    },
  };
}
