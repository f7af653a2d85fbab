/**
 * Breadth-first search over the readable transcription (spec/paxos.ts): slow and plain,
 * the reference the fast checker (src/check/spec.ts) is held to, and the way to run a
 * deliberately broken variant of an action straight from the TypeScript that reads like
 * the module. Same conventions as TLC: one state per distinct tuple of variables, the
 * initial state at level 1, a shortest counterexample when an invariant fails.
 */
import {
  formatAction,
  Init,
  type InvariantName,
  Next,
  type PrintableState,
  printState,
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
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const states = new Map<string, SpecState>();
  const parent = new Map<string, { from: string; action: string } | null>();

  const violated = (s: SpecState) => names.find((n) => !specInvariants[n](p, s));
  const traceTo = (key: string) => {
    const trace: { action: string; state: PrintableState }[] = [];
    for (let k: string | undefined = key; k !== undefined; ) {
      const link = parent.get(k);
      trace.push({ action: link ? link.action : 'Init', state: printState(states.get(k) as SpecState) });
      k = link?.from;
    }
    return trace.reverse();
  };

  const init = Init(p);
  const initKey = stateKey(init);
  states.set(initKey, init);
  parent.set(initKey, null);
  const bad = violated(init);
  if (bad)
    return {
      distinctStates: 1,
      depth: 1,
      complete: false,
      states,
      violation: { invariant: bad, trace: traceTo(initKey) },
    };

  let frontier = [initKey];
  let depth = 1;
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const key of frontier) {
      for (const step of Next(p, states.get(key) as SpecState, actions)) {
        const k = stateKey(step.state);
        if (states.has(k)) continue;
        if (states.size >= maxStates) return { distinctStates: states.size, depth, complete: false, states };
        states.set(k, step.state);
        parent.set(k, { from: key, action: formatAction(step.action) });
        const broken = violated(step.state);
        if (broken) {
          return {
            distinctStates: states.size,
            depth: depth + 1,
            complete: false,
            states,
            violation: { invariant: broken, trace: traceTo(k) },
          };
        }
        next.push(k);
      }
    }
    if (next.length > 0) depth++;
    frontier = next;
  }
  return { distinctStates: states.size, depth, complete: true, states };
}

/** Majority quorums over the acceptors 1..n: every subset larger than half. */
export function majorityQuorums(acceptors: readonly number[]): number[][] {
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
