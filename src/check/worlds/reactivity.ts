/**
 * Which events a machine may still react to, read off its statechart: the event types of
 * every transition of every state node reachable from where it stands (following every
 * transition's targets whatever its guard, so it over-approximates the future). A message
 * that no machine of its receiver can ever react to again is dead: delivering, dropping or
 * duplicating it changes nothing now or later, so the checker forgets it at once (a learner
 * that has learned, a proposer that has decided, ignore their late acks forever).
 *
 * The closure may leave out the transitions of inputs the host will not send from here on
 * (`skip`: a START beyond the round bound). That is no longer a fact of the statechart
 * alone, so the peer table checks, on every step it runs, that the nodes reachable never
 * grow (peerTable.ts, `predicted`): a host that sends the input after all is caught there.
 */
import type { AnyStateMachine, AnyStateNode, StateValue } from 'xstate';

type Node = AnyStateNode;

const ancestorsAndSelf = (n: Node): Node[] => (n.parent ? [n, ...ancestorsAndSelf(n.parent)] : [n]);

const descendants = (n: Node): Node[] =>
  Object.values(n.states).flatMap((c) => [c as Node, ...descendants(c as Node)]);

/** The nodes one may be in after entering `n` (its descendants over-approximate which child). */
const entered = (n: Node): Node[] => [...ancestorsAndSelf(n), ...descendants(n)];

const activeNodes = (node: Node, value: StateValue): Node[] => {
  if (typeof value === 'string') {
    const child = node.states[value] as Node | undefined;
    return child ? [node, ...activeNodes(child, {})] : [node];
  }
  const out: Node[] = [node];
  for (const [k, v] of Object.entries(value)) {
    const child = node.states[k] as Node | undefined;
    if (child) out.push(...activeNodes(child, v as StateValue));
  }
  return out;
};

/** The state nodes a machine may reach from a state, and the event types they react to. */
export interface Closure {
  nodes: ReadonlySet<Node>;
  events: ReadonlySet<string>;
}

export class Reactivity {
  private readonly memo = new WeakMap<AnyStateMachine, Map<string, Closure>>();

  /** What the machine may reach from state `value` on, taking no transition on the event type `skip`. */
  closure(machine: AnyStateMachine, value: StateValue, skip: string | null): Closure {
    let byValue = this.memo.get(machine);
    if (!byValue) {
      byValue = new Map();
      this.memo.set(machine, byValue);
    }
    const key = `${skip}|${JSON.stringify(value)}`;
    let c = byValue.get(key);
    if (!c) {
      c = reachable(activeNodes(machine.root, value), skip);
      byValue.set(key, c);
    }
    return c;
  }
}

function reachable(start: Node[], skip: string | null): Closure {
  const seen = new Set<Node>();
  const events = new Set<string>();
  const queue = [...start];
  for (let n = queue.pop(); n; n = queue.pop()) {
    if (seen.has(n)) continue;
    seen.add(n);
    for (const [e, ts] of n.transitions.entries()) {
      events.add(e);
      if (e === skip) continue;
      for (const t of ts) for (const target of t.target ?? []) queue.push(...entered(target as Node));
    }
    for (const t of n.always ?? [])
      for (const target of t.target ?? []) queue.push(...entered(target as Node));
  }
  return { nodes: seen, events };
}

/** Whether every node of `a` is in `b`. */
export const within = (a: Closure, b: Closure): boolean => {
  if (a === b) return true;
  for (const n of a.nodes) if (!b.nodes.has(n)) return false;
  return true;
};

/** The union of closures (the same object when there is one). */
export const union = (cs: readonly Closure[]): Closure => {
  if (cs.length === 1) return cs[0] as Closure;
  const nodes = new Set<Node>();
  const events = new Set<string>();
  for (const c of cs) {
    for (const n of c.nodes) nodes.add(n);
    for (const e of c.events) events.add(e);
  }
  return { nodes, events };
};
