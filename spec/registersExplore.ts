/**
 * Every reachable state of spec/registers.ts for small constants, breadth first, with
 * TLC's conventions (one state per distinct tuple of variables, the initial state at
 * level 1) and the invariants checked in every state; on a violation, a shortest trace.
 * Plain and slow, like spec/explore.ts: the constants it is run with are small.
 */
import {
  formatRegistersAction,
  Init,
  Next,
  type RegistersActions,
  type RegistersInvariantName,
  type RegistersParams,
  type RegistersState,
  registersActions,
  registersInvariants,
  stateKey,
} from './registers';

export interface RegistersExploration {
  distinctStates: number;
  depth: number;
  complete: boolean;
  /** The states where some proposer answered, and where some change is chosen: coverage of the model. */
  answered: number;
  violation?: { invariant: RegistersInvariantName; trace: { action: string; state: RegistersState }[] };
}

interface Visited {
  state: RegistersState;
  parent: string | null;
  action: string;
}

export function exploreRegisters(
  p: RegistersParams,
  options: { actions?: RegistersActions; maxStates?: number } = {},
): RegistersExploration {
  const actions = options.actions ?? registersActions;
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const seen = new Map<string, Visited>();
  const init = Init(p);
  seen.set(stateKey(init), { state: init, parent: null, action: 'Init' });
  let level = [stateKey(init)];
  let depth = 1;
  let answered = 0;
  const traceTo = (key: string) => {
    const trace: { action: string; state: RegistersState }[] = [];
    for (let k: string | null = key; k !== null; ) {
      const v = seen.get(k) as Visited;
      trace.unshift({ action: v.action, state: v.state });
      k = v.parent;
    }
    return trace;
  };
  while (level.length > 0) {
    const next: string[] = [];
    for (const key of level) {
      const { state } = seen.get(key) as Visited;
      const broken = (Object.keys(registersInvariants) as RegistersInvariantName[]).find(
        (name) => !registersInvariants[name](p, state),
      );
      if (broken)
        return {
          distinctStates: seen.size,
          depth,
          complete: false,
          answered,
          violation: { invariant: broken, trace: traceTo(key) },
        };
      if (state.done.length > 0) answered++;
      for (const step of Next(p, state, actions)) {
        const k = stateKey(step.state);
        if (seen.has(k)) continue;
        if (seen.size >= maxStates) return { distinctStates: seen.size, depth, complete: false, answered };
        seen.set(k, { state: step.state, parent: key, action: formatRegistersAction(step.action) });
        next.push(k);
      }
    }
    if (next.length > 0) depth++;
    level = next;
  }
  return { distinctStates: seen.size, depth, complete: true, answered };
}

/** Acceptors 1..A with majority quorums, and the operations of each proposer. */
export function registersParams(
  acceptors: number,
  ops: RegistersParams['ops'],
  maxBallot: number,
): RegistersParams {
  const as = Array.from({ length: acceptors }, (_, i) => i + 1);
  const quorums: number[][] = [];
  for (let mask = 1; mask < 1 << acceptors; mask++) {
    const q = as.filter((_, i) => mask & (1 << i));
    if (2 * q.length > acceptors) quorums.push(q);
  }
  return { acceptors: as, quorums, ops, maxBallot };
}
