/**
 * The search for one interleaving of the per-peer sequences that explains a run.
 *
 * Order is trusted within a peer only. A received line must come after a sent line of the
 * same message; on the lab's lines "same" can only mean same sender, type, value and number,
 * and one sent line may be received by many peers, many times. Matching every receive to the
 * sender's *earliest* such line gives the weakest constraints: any interleaving that works
 * with a later match also has the earliest one before the receive. So whether the receives
 * can be ordered at all is decided exactly by the graph of program order plus earliest-match
 * edges (`schedule`), and its vector clocks tell, for every receive, which other matching
 * sends some interleaving could still put before it (`candidates`).
 *
 * The rules (rules.ts) use those candidates existentially, one check at a time. A check that
 * needs a later match than the earliest one leaves an obligation (a few alternative sets of
 * match edges); `findInterleaving` then searches, depth first and within a budget, for one
 * choice per obligation that keeps the whole graph acyclic: one interleaving for all checks.
 */
import { keyOf, type ObservedRun, type TraceEvent } from './events';

export interface Schedule {
  /** Executed event ids in the order of the canonical (greedy) interleaving. */
  order: number[];
  /** Position of each executed event in `order`; -1 when the greedy pass could not reach it. */
  position: Int32Array;
  /** Receive id -> the earliest matching send id (the base edge). */
  matched: Map<number, number>;
  /** Vector clocks by event id (own component = index + 1); empty for events not executed. */
  clocks: Uint32Array[];
  /** Send ids by match key, in each sender's order. */
  sendsByKey: Map<string, number[]>;
  /** The receives the greedy pass could not place, one per blocked peer. */
  blocked: { event: number; reason: 'no-send' | 'cycle'; sends: number[] }[];
}

/** The key a receive is matched on: the structured message id when there is one, else content. */
const matchKey = (e: TraceEvent): string => (e.msgId !== undefined ? `id:${e.msgId}` : keyOf(e));

/**
 * The canonical interleaving: peers in id order, each run as far as it goes, receives
 * delivered as soon as their earliest matching send has happened, until nobody can move.
 */
export function schedule(run: ObservedRun): Schedule {
  const P = run.peers.length;
  const sendsByKey = new Map<string, number[]>();
  for (const trace of run.peers) {
    for (const id of trace.events) {
      const e = run.events[id] as TraceEvent;
      if (e.action !== 'sent') continue;
      const k = matchKey(e);
      const list = sendsByKey.get(k);
      if (list) list.push(id);
      else sendsByKey.set(k, [id]);
    }
  }
  const position = new Int32Array(run.events.length).fill(-1);
  const clocks: Uint32Array[] = run.events.map(() => new Uint32Array(0));
  const matched = new Map<number, number>();
  const order: number[] = [];
  const pos = new Array<number>(P).fill(0);
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (let p = 0; p < P; p++) {
      const trace = run.peers[p];
      if (!trace) continue;
      while ((pos[p] as number) < trace.events.length) {
        const id = trace.events[pos[p] as number] as number;
        const e = run.events[id] as TraceEvent;
        const vc = new Uint32Array(P);
        if (e.index > 0) vc.set(clocks[trace.events[e.index - 1] as number] as Uint32Array);
        if (e.action === 'received') {
          const first = sendsByKey.get(matchKey(e))?.[0];
          if (first === undefined || (position[first] as number) < 0) break;
          matched.set(id, first);
          const other = clocks[first] as Uint32Array;
          for (let i = 0; i < P; i++) vc[i] = Math.max(vc[i] as number, other[i] as number);
        }
        vc[p] = e.index + 1;
        clocks[id] = vc;
        position[id] = order.length;
        order.push(id);
        pos[p] = (pos[p] as number) + 1;
        progressed = true;
      }
    }
  }
  const blocked: Schedule['blocked'] = [];
  for (let p = 0; p < P; p++) {
    const trace = run.peers[p];
    const next = trace?.events[pos[p] as number];
    if (next === undefined) continue;
    const sends = sendsByKey.get(matchKey(run.events[next] as TraceEvent)) ?? [];
    blocked.push({ event: next, reason: sends.length === 0 ? 'no-send' : 'cycle', sends });
  }
  return { order, position, matched, clocks, sendsByKey, blocked };
}

export const executed = (s: Schedule, id: number): boolean => (s.position[id] as number) >= 0;

/** a happens before b in the base graph (program order and earliest matches). */
function happensBefore(run: ObservedRun, s: Schedule, a: number, b: number): boolean {
  const ea = run.events[a] as TraceEvent;
  const vb = s.clocks[b] as Uint32Array;
  return vb.length > 0 && (vb[ea.peer - 1] as number) >= ea.index + 1;
}

/** The sends some interleaving could have delivered as this receive: same message, not caused by it. */
export function candidates(run: ObservedRun, s: Schedule, receive: number): number[] {
  const r = run.events[receive] as TraceEvent;
  if (!executed(s, receive)) return [];
  return (s.sendsByKey.get(matchKey(r)) ?? []).filter(
    (c) => executed(s, c) && !happensBefore(run, s, receive, c),
  );
}

/** A match a check relied on: send `send` is what receive `receive` delivered. */
export type Edge = readonly [send: number, receive: number];
/** One way to satisfy a check: the matches it needs. */
export type Alternative = readonly Edge[];

export interface Obligation {
  /** The event whose check needs the matches. */
  event: number;
  rule: string;
  alternatives: Alternative[];
  /** More alternatives existed than were kept: an exhausted search is then not a proof. */
  truncated: boolean;
}

/** The matches of an alternative that the base graph does not already imply. */
export const extraEdges = (run: ObservedRun, s: Schedule, alt: Alternative): Edge[] =>
  alt.filter(([send, receive]) => s.matched.get(receive) !== send && !happensBefore(run, s, send, receive));

export type SearchOutcome =
  | { kind: 'found'; explored: number }
  | { kind: 'none'; explored: number; obligation: Obligation; proof: boolean }
  | { kind: 'budget'; explored: number; obligation: Obligation };

/**
 * One alternative per obligation such that program order, the base matches and every chosen
 * match fit in one interleaving (the graph stays acyclic). Each acyclicity test of a partial
 * choice counts as one interleaving explored.
 */
export function findInterleaving(
  run: ObservedRun,
  s: Schedule,
  obligations: readonly Obligation[],
  budget: number,
): SearchOutcome {
  const pending = obligations
    .map((o) => ({ o, alts: o.alternatives.map((a) => extraEdges(run, s, a)) }))
    .filter(({ alts }) => !alts.some((a) => a.length === 0))
    .sort((x, y) => (s.position[x.o.event] as number) - (s.position[y.o.event] as number));
  if (pending.length === 0) return { kind: 'found', explored: 1 };

  const nodes = s.order;
  const succ = new Map<number, number[]>();
  const addEdge = (a: number, b: number) => {
    const list = succ.get(a);
    if (list) list.push(b);
    else succ.set(a, [b]);
  };
  for (const trace of run.peers) {
    for (let i = 1; i < trace.events.length; i++)
      addEdge(trace.events[i - 1] as number, trace.events[i] as number);
  }
  for (const [receive, send] of s.matched) addEdge(send, receive);

  const extra: Edge[] = [];
  const acyclic = (): boolean => {
    const indegree = new Map<number, number>();
    const out = (n: number): number[] => [
      ...(succ.get(n) ?? []),
      ...extra.filter(([a]) => a === n).map(([, b]) => b),
    ];
    for (const n of nodes) for (const m of out(n)) indegree.set(m, (indegree.get(m) ?? 0) + 1);
    const ready = nodes.filter((n) => !indegree.get(n));
    let seen = 0;
    while (ready.length > 0) {
      const n = ready.pop() as number;
      seen += 1;
      for (const m of out(n)) {
        const d = (indegree.get(m) as number) - 1;
        indegree.set(m, d);
        if (d === 0) ready.push(m);
      }
    }
    return seen === nodes.length;
  };

  let explored = 0;
  let deepest = 0;
  let outOfBudget = false;
  const go = (i: number): boolean => {
    if (i === pending.length) return true;
    deepest = Math.max(deepest, i);
    for (const alt of (pending[i] as (typeof pending)[number]).alts) {
      if (explored >= budget) {
        outOfBudget = true;
        return false;
      }
      explored += 1;
      extra.push(...alt);
      if (acyclic() && go(i + 1)) return true;
      extra.length -= alt.length;
      if (outOfBudget) return false;
    }
    return false;
  };
  if (go(0)) return { kind: 'found', explored };
  const stuck = (pending[deepest] as (typeof pending)[number]).o;
  if (outOfBudget) return { kind: 'budget', explored, obligation: stuck };
  return { kind: 'none', explored, obligation: stuck, proof: !pending.some(({ o }) => o.truncated) };
}
