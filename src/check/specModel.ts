/**
 * The executable spec as a `Model`: packed states (packedSpec.ts) as they are, their
 * fingerprint a hash of the words, their key the words themselves.
 */
import { fingerprintInts } from './hash';
import type { Model } from './model';
import type { PackedSpec } from './packedSpec';

export function specModel(packed: PackedSpec): Model {
  const w = packed.words;
  let visitor: ((step: number, length: number) => boolean) | null = null;
  const onAction = (action: number) => (visitor as (step: number, length: number) => boolean)(action, w);
  return {
    kind: 'spec',
    maxLength: w,
    initial: (out, emit) => packed.initial(out, () => emit(w)),
    successors(s, _length, out, visit) {
      visitor = visit;
      return packed.successors(s, out, onAction);
    },
    checkState(s) {
      const invariant = packed.violation(s);
      return invariant ? { invariant, detail: invariant } : null;
    },
    checkStep: () => null,
    describe: (before, _bl, step, after) => ({
      action: before ? packed.actionName(step) : 'Init',
      state: packed.printable(after),
    }),
    fingerprint: (s, _length, out) => fingerprintInts(s, w, out),
    key(s, _length, out) {
      for (let i = 0; i < w; i++) out[i] = s[i] as number;
      return w;
    },
  };
}
