/**
 * Search from here: a bounded breadth-first search over worlds of the reference world from
 * the current one, for the shortest path to a goal. Successors are `enabledActions`, as the
 * buttons; a world is told apart from another by what its peers hold, the network, the
 * lines printed and the acceptances ever sent (what makes a value chosen), so two paths to
 * the same situation are explored once. A bound stops it first; then nothing was proved.
 */
import { type GroupId, isAcceptance, type Send, type Value } from '../../machines/messages';
import { groundTruth } from '../sim/groundTruth';
import type { Action } from '../world/action';
import { enabledActions, type Faults } from '../world/enabled';
import { historyOf, type Simulator, type World } from '../world/world';

export const SEARCH_GOALS = {
  chosen: 'a value chosen',
  'two-chosen': 'two values chosen (Agreement broken)',
  'two-accepted': 'two acceptors holding different values',
} as const;

export type SearchGoal = keyof typeof SEARCH_GOALS;

export interface SearchRequest {
  goal: SearchGoal;
  maxDepth: number;
  maxStates: number;
  faults: Faults;
}

export interface SearchOutcome {
  /** The actions from the start to the goal, shortest first found; null when not reached. */
  path: Action[] | null;
  states: number;
  depth: number;
  /** True when every world within the depth was visited (so "not reached" is a proof, within it). */
  complete: boolean;
}

/** A world as the search tells it apart: what each machine holds, its timers, the network, the lines printed. */
function keyOf(w: World, acceptances: readonly string[]): string {
  const parts: string[] = [];
  for (const p of w.peers) {
    if (!p) continue;
    for (const snap of Object.values(p.proposers)) parts.push(JSON.stringify([snap.value, snap.context]));
    if (p.acceptor) parts.push(JSON.stringify(p.acceptor.context));
    if (p.learner) parts.push(JSON.stringify([p.learner.value, p.learner.context]));
    parts.push(JSON.stringify(p.timers));
  }
  const flight = w.inFlight.map((s) => `${s.to}${JSON.stringify(s.message)}`).sort();
  return `${parts.join('|')}#${flight.join('|')}#${JSON.stringify(w.printed)}#${acceptances.join('|')}`;
}

interface Entry {
  world: World;
  path: Action[];
  /** The distinct acceptances ever sent, sorted: what makes a value chosen. */
  acceptances: string[];
}

function reached(sim: Simulator, e: Entry, goal: SearchGoal): boolean {
  if (goal === 'two-accepted') {
    const held = new Set<Value>();
    for (const p of e.world.peers) {
      const v = p?.acceptor?.context.acceptedValue;
      if (v !== undefined && v !== null) held.add(v);
    }
    return held.size >= 2;
  }
  const truth = groundTruth(sim.cluster);
  truth.observe(e.acceptances.map((a) => JSON.parse(a) as Send));
  const chosen = new Set(truth.chosen.map((c) => c.value)).size;
  return goal === 'chosen' ? chosen >= 1 : chosen >= 2;
}

/** The acceptances after a step: those before and any the step sent. */
function withAcceptances(before: string[], sends: readonly Send[]): string[] {
  let out = before;
  for (const s of sends)
    if (s.message.type === 'accept_ack' && isAcceptance(s.message)) {
      const text = JSON.stringify({ type: 'send', to: s.to, message: s.message });
      if (!out.includes(text)) out = [...out, text].sort();
    }
  return out;
}

export function searchFrom(
  sim: Simulator,
  start: World,
  values: Record<GroupId, Value>,
  request: SearchRequest,
): SearchOutcome {
  const valueFor = (g: GroupId) => values[g] ?? `V${g}`;
  const first: Entry = { world: start, path: [], acceptances: withAcceptances([], historyOf(start)) };
  if (reached(sim, first, request.goal)) return { path: [], states: 1, depth: 0, complete: false };
  const seen = new Set([keyOf(start, first.acceptances)]);
  let frontier = [first];
  for (let depth = 1; depth <= request.maxDepth && frontier.length > 0; depth++) {
    const next: Entry[] = [];
    for (const { world, path, acceptances } of frontier)
      for (const a of enabledActions(sim, world, valueFor, request.faults)) {
        const w = sim.clone(world);
        const applied = sim.apply(w, a);
        const e = { world: w, path: [...path, a], acceptances: withAcceptances(acceptances, applied.sends) };
        const key = keyOf(w, e.acceptances);
        if (seen.has(key)) continue;
        seen.add(key);
        if (reached(sim, e, request.goal)) return { path: e.path, states: seen.size, depth, complete: false };
        if (seen.size >= request.maxStates) return { path: null, states: seen.size, depth, complete: false };
        next.push(e);
      }
    frontier = next;
  }
  return { path: null, states: seen.size, depth: request.maxDepth, complete: frontier.length === 0 };
}
