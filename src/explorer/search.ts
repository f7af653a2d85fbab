/**
 * Search from here: `paxos check`'s own breadth-first search (src/check/search.ts) over
 * its own worlds of the real machines (MachinesModel: its invariants, its step checks, the
 * refinement to the spec), started from the explorer's current world instead of the
 * initial one. The checker's world is reached by taking the explorer's path in it, step
 * for step; its bounds (rounds, copies, crashes) are those the path used, plus one round,
 * one copy and one crash for the search.
 *
 * A goal is searched for as TLC users do: as an invariant that says it is never reached,
 * so that the search stops at the first state (or step) that reaches it, at the least
 * depth, with the checker's shortest trace. A real violation met first is reported as one.
 * Peers that are down stay down: nothing is delivered to them and their timers do not fire.
 */
import type { GroupId, PeerId, Value } from '../../machines/messages';
import type { Breach, Model } from '../check/model';
import type { TraceStep } from '../check/result';
import { search } from '../check/search';
import { actionOfStep } from '../check/worlds/counterexample';
import { acceptsAnotherValue } from '../check/worlds/goals';
import { MachinesModel } from '../check/worlds/machinesModel';
import { resolveOptions } from '../check/worlds/options';
import { CRASH, DROP, DUP, stepKind } from '../check/worlds/packedWorld';
import { specRefinement } from '../check/worlds/specRefinement';
import type { ClusterConfig } from '../config/cluster';
import { type Action, actorOf, isMessageAction, sameAction, sameSend } from '../world/action';
import type { Step } from './session';

export const SEARCH_GOALS = {
  violation: 'a safety property broken',
  chosen: 'a value chosen',
  'two-accepted': 'two values accepted by different acceptors',
  adopted: "a proposer adopting another's value",
} as const;

export type SearchGoal = keyof typeof SEARCH_GOALS;

export interface SearchRequest {
  goal: SearchGoal;
  maxDepth: number;
  maxStates: number;
  /** Whether the search may drop and copy messages and crash peers. */
  faults: boolean;
  /** The peers down here: they stay down. */
  down: readonly PeerId[];
}

export interface SearchOutcome {
  /** The steps from here to the goal (or the violation), shortest; null when not reached. */
  path: Action[] | null;
  /** What was found: the goal, or the invariant broken and how. */
  found?: string;
  states: number;
  depth: number;
  /** True when every world within the bounds was visited (so "not found" is a proof, within them). */
  complete: boolean;
  /** Why no search ran: the checker's world does not reach this one. */
  problem?: string;
}

const GOAL = 'Goal';

/** The goal as a breach of "never reached": of a world, or of a step. */
interface GoalCheck {
  state?(s: Int32Array): boolean;
  step?(before: Int32Array, bl: number, step: number, after: Int32Array, al: number): boolean;
}

function goalCheck(model: MachinesModel, goal: SearchGoal): GoalCheck {
  const { world, peers, invariants } = model;
  switch (goal) {
    case 'violation':
      return {};
    case 'chosen':
      return { state: (s) => invariants.chosen(s[world.history] as number).length > 0 };
    case 'two-accepted':
      return {
        state: (s) => {
          const held = new Set<Value>();
          for (let i = 0; i < world.slots.length; i++) {
            const v = peers.fact(s[i] as number).acceptor?.acceptedValue;
            if (v !== undefined && v !== null) held.add(v);
          }
          return held.size >= 2;
        },
      };
    case 'adopted':
      return { step: acceptsAnotherValue().build(model) };
  }
}

/** The checker's bounds for this path: what it used, and one round, one copy and one crash more. */
function boundsOf(cluster: ClusterConfig, path: readonly Step[]) {
  const rounds = new Map<GroupId, number>();
  const values: Record<GroupId, Value> = {};
  let dups = 0;
  let crashes = 0;
  for (const a of path) {
    if (a.kind === 'start' || a.kind === 'timeout') rounds.set(a.group, (rounds.get(a.group) ?? 0) + 1);
    if (a.kind === 'start') values[a.group] ??= a.value;
    if (a.kind === 'duplicate') dups++;
    if (a.kind === 'restart') crashes++;
  }
  const maxRound = Math.max(0, ...cluster.groups.map((g) => rounds.get(g.id) ?? 0)) + 1;
  return { values, maxRound, maxDups: dups + 1, maxCrashes: crashes + 1 };
}

/**
 * The checker's world after the path: each step taken as the successor that is the same
 * action. A step the checker has no successor for is one it leaves out because it changes
 * nothing that matters (a message it already pruned, its addressee deaf to it; a timer's
 * repeat of a decision); any other is a problem.
 */
function replay(model: MachinesModel, path: readonly Step[]): { key: Int32Array } | { problem: string } {
  const { world } = model;
  const out = new Int32Array(model.maxLength);
  let key = out.slice(0, world.initial(out));
  for (const [i, a] of path.entries()) {
    if (a.kind === 'crash') continue;
    let next: Int32Array | null = null;
    model.successors(key, key.length, out, (code, n) => {
      if (!sameAction(actionOfStep(world, code), a)) return false;
      next = out.slice(0, n);
      return true;
    });
    if (next) key = next;
    else if (!leftOut(model, key, a))
      return { problem: `the checker's world does not take step ${i + 1} (${a.kind})` };
  }
  return { key };
}

function leftOut(model: MachinesModel, key: Int32Array, a: Action): boolean {
  if (a.kind === 'timeout' || a.kind === 'restart') return true;
  if (!isMessageAction(a)) return false;
  const inFlight = model.world.messages(key, key.length).map((m) => model.peers.send(m));
  return !inFlight.some((s) => sameSend(s, a.send));
}

/** The checker's model from `start`, with the goal as an invariant, the down peers' steps and (without faults) the faults left out. */
function fromHere(model: MachinesModel, start: Int32Array, request: SearchRequest): Model {
  const goal = goalCheck(model, request.goal);
  const cluster = model.options.cluster;
  const excluded = (code: number): boolean => {
    const kind = stepKind(code);
    if (!request.faults && (kind === DROP || kind === DUP || kind === CRASH)) return true;
    const a = actionOfStep(model.world, code);
    if (a.kind === 'drop' || a.kind === 'duplicate') return false;
    return request.down.includes(actorOf(cluster, a));
  };
  const reached = { invariant: GOAL, detail: SEARCH_GOALS[request.goal] };
  return {
    kind: model.kind,
    maxLength: model.maxLength,
    initial: (out, emit) => {
      out.set(start);
      emit(start.length);
    },
    successors: (s, length, out, visit) =>
      model.successors(s, length, out, (code, n) => !excluded(code) && visit(code, n)),
    checkState: (s): Breach | null => model.checkState(s) ?? (goal.state?.(s) ? reached : null),
    checkStep: (before, bl, step, after, al) =>
      model.checkStep(before, bl, step, after) ?? (goal.step?.(before, bl, step, after, al) ? reached : null),
    describe: (before, bl, step, after, al, breach) => model.describe(before, bl, step, after, al, breach),
    fingerprint: (s, length, out) => model.fingerprint(s, length, out),
    key: (s, length, out) => model.key(s, length, out),
  };
}

const stepsOf = (trace: readonly TraceStep[]): Action[] => trace.slice(1).map((t) => t.step as Action);

/** The search from the world at the end of `path` (the explorer's steps from the initial world, as a link holds them). */
export function searchFrom(
  cluster: ClusterConfig,
  values: Record<GroupId, Value>,
  path: readonly Step[],
  request: SearchRequest,
): SearchOutcome {
  const bounds = boundsOf(cluster, path);
  const options = resolveOptions({
    cluster,
    values: { ...values, ...bounds.values },
    maxRound: bounds.maxRound,
    faults: ['drop', 'dup', 'crash'],
    maxDups: bounds.maxDups,
    maxCrashes: bounds.maxCrashes,
  });
  const model = new MachinesModel(options, undefined, specRefinement);
  const start = replay(model, path);
  if ('problem' in start) return { path: null, states: 0, depth: 0, complete: false, problem: start.problem };
  const r = search(fromHere(model, start.key, request), {
    maxStates: request.maxStates,
    maxDepth: request.maxDepth + 1,
  });
  const [v] = r.violations;
  const found = v && (v.invariant === GOAL ? SEARCH_GOALS[request.goal] : `${v.invariant} broken`);
  return {
    path: v ? stepsOf(v.trace) : null,
    ...(found ? { found } : {}),
    states: r.distinctStates,
    depth: r.depth - 1,
    complete: r.complete,
  };
}
