/**
 * Which events a machine may still react to, read off its statechart: the event types of
 * every transition of every state node reachable from where it stands (following every
 * transition's targets whatever its guard, so it over-approximates the future). A message
 * that no machine of its receiver can ever react to again is dead: delivering, dropping or
 * duplicating it changes nothing now or later, so the checker forgets it at once (a learner
 * that has learned, a proposer that has decided, ignore their late acks forever).
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

export class Reactivity {
  private readonly memo = new WeakMap<AnyStateMachine, Map<string, ReadonlySet<string>>>();

  /** Event types the machine may react to from state `value` on (or from a restart, if `restart`). */
  reacts(machine: AnyStateMachine, value: StateValue, restart: boolean): ReadonlySet<string> {
    let byValue = this.memo.get(machine);
    if (!byValue) {
      byValue = new Map();
      this.memo.set(machine, byValue);
    }
    const key = `${restart}|${JSON.stringify(value)}`;
    let events = byValue.get(key);
    if (!events) {
      const start = activeNodes(machine.root, value);
      // A restart re-enters the machine at its initial state: anything reachable from there.
      if (restart) for (const t of machine.root.initial?.target ?? []) start.push(...entered(t as Node));
      events = reachableEvents(start);
      byValue.set(key, events);
    }
    return events;
  }
}

function reachableEvents(start: Node[]): Set<string> {
  const seen = new Set<Node>();
  const events = new Set<string>();
  const queue = [...start];
  for (let n = queue.pop(); n; n = queue.pop()) {
    if (seen.has(n)) continue;
    seen.add(n);
    const transitions = [...[...n.transitions.entries()].flatMap(([e, ts]) => ts.map((t) => ({ e, t })))];
    for (const { e, t } of transitions) {
      events.add(e);
      for (const target of t.target ?? []) queue.push(...entered(target as Node));
    }
    for (const t of n.always ?? [])
      for (const target of t.target ?? []) queue.push(...entered(target as Node));
  }
  return events;
}
