/**
 * The readable transcription (spec/paxos.ts) explored by the checker's one search
 * (src/check/search.ts) as a model of object states: slow and plain, the reference the
 * packed spec (src/check/packedSpec.ts) is held to, and the way to run a deliberately
 * broken variant of an action straight from the TypeScript that reads like the module.
 * Same conventions as TLC: one state per distinct tuple of variables, the initial state at
 * level 1, a shortest counterexample when an invariant fails.
 */
import { fingerprintInts } from '../src/check/hash';
import type { Model } from '../src/check/model';
import { search } from '../src/check/search';
import {
  formatAction,
  Init,
  type InvariantName,
  Next,
  type PrintableState,
  printState,
  type SpecAction,
  type SpecActions,
  type SpecParams,
  type SpecState,
  specActions,
  specInvariants,
  stateKey,
} from './paxos';

export interface TranscriptionOptions {
  actions?: SpecActions;
  /** The invariants to check, by name; all of the module's by default. */
  invariants?: readonly InvariantName[];
  maxStates?: number;
}

export interface TranscriptionResult {
  distinctStates: number;
  depth: number;
  complete: boolean;
  /** Every state reached, by key, in the order it was found. */
  states: Map<string, SpecState>;
  violation?: { invariant: InvariantName; trace: { action: string; state: PrintableState }[] };
}

export function exploreTranscription(p: SpecParams, options: TranscriptionOptions = {}): TranscriptionResult {
  const actions = options.actions ?? specActions;
  const names = options.invariants ?? (Object.keys(specInvariants) as InvariantName[]);
  // States are objects here: a model state is one int, the state's number in `interned`.
  const interned = new Map<string, number>();
  const values: SpecState[] = [];
  const states = new Map<string, SpecState>();
  const intern = (s: SpecState) => {
    const k = stateKey(s);
    let id = interned.get(k);
    if (id === undefined) {
      id = values.length;
      interned.set(k, id);
      values.push(s);
    }
    return id;
  };
  let steps: { action: SpecAction }[] = [];
  const model: Model = {
    kind: 'spec',
    maxLength: 1,
    initial(out, emit) {
      out[0] = intern(Init(p));
      emit(1);
    },
    successors(s, _length, out, visit) {
      const here = values[s[0] as number] as SpecState;
      const next = Next(p, here, actions);
      steps = next;
      for (let i = 0; i < next.length; i++) {
        out[0] = intern((next[i] as { state: SpecState }).state);
        if (visit(i, 1)) break;
      }
      return 0;
    },
    checkState(s) {
      const state = values[s[0] as number] as SpecState;
      states.set(stateKey(state), state);
      const broken = names.find((n) => !specInvariants[n](p, state));
      return broken ? { invariant: broken, detail: broken } : null;
    },
    checkStep: () => null,
    describe: (before, _bl, step, after) => ({
      action: before ? formatAction((steps[step] as { action: SpecAction }).action) : 'Init',
      state: printState(values[after[0] as number] as SpecState),
    }),
    fingerprint: (s, length, out) => fingerprintInts(s, length, out),
    key(s, _length, out) {
      out[0] = s[0] as number;
      return 1;
    },
  };
  const r = search(model, options.maxStates !== undefined ? { maxStates: options.maxStates } : {});
  const [v] = r.violations;
  return {
    distinctStates: r.distinctStates,
    depth: r.depth,
    complete: r.complete,
    states,
    ...(v
      ? {
          violation: {
            invariant: v.invariant as InvariantName,
            trace: v.trace as { action: string; state: PrintableState }[],
          },
        }
      : {}),
  };
}

/** Majority quorums over the acceptors 1..n: every subset larger than half. */
function majorityQuorums(acceptors: readonly number[]): number[][] {
  const out: number[][] = [];
  const n = acceptors.length;
  for (let mask = 1; mask < 1 << n; mask++) {
    const q = acceptors.filter((_, i) => mask & (1 << i));
    if (2 * q.length > n) out.push(q);
  }
  return out;
}

/** The constants exploreSpec uses: acceptors 1..A, values v1..vV, majority quorums. */
export function standardParams(acceptors: number, values: number, maxBallot: number): SpecParams {
  const as = Array.from({ length: acceptors }, (_, i) => i + 1);
  return {
    acceptors: as,
    values: Array.from({ length: values }, (_, i) => `v${i + 1}`),
    quorums: majorityQuorums(as),
    maxBallot,
  };
}
