/**
 * The static structure of a statechart, read from `machine.root`: its state nodes and every
 * transition definition (one per state x event x guard branch, `always` branches and
 * root-level `on` included). The diagrams draw exactly this list and the path-coverage
 * test measures against it, so "every edge of the diagram was taken" is one claim.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface TransitionInfo {
  /** Stable and readable: `source event#branch`, e.g. `proposer.preparing prepare_ack#2`. */
  id: string;
  source: AnyStateNode;
  /** The event type, or `always` for an eventless transition. */
  event: string;
  eventless: boolean;
  /** Position among the branches for this event in this state (document order, from 0). */
  branch: number;
  /** How many branches the state has for this event. */
  branches: number;
  /** The guard's name, `else` for an unguarded branch after a guarded one, null when there is no choice. */
  guard: string | null;
  actions: string[];
  /** Target state nodes; empty for a targetless transition (it stays, without exit or entry). */
  targets: AnyStateNode[];
  definition: AnyTransitionDefinition;
}

const ALWAYS = 'always';

/** A guard or action as written in the machine: named ones give their name. */
const nameOf = (x: unknown): string => {
  if (typeof x === 'string') return x;
  if (typeof x === 'function') return x.name || 'anonymous';
  if (x && typeof x === 'object' && 'type' in x) return String((x as { type: unknown }).type);
  return 'anonymous';
};

/** Every state node below the root, in document order (depth first). */
export const stateNodesOf = (machine: AnyStateMachine): AnyStateNode[] => {
  const out: AnyStateNode[] = [];
  const walk = (node: AnyStateNode) => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      out.push(child);
      walk(child);
    }
  };
  walk(machine.root);
  return out;
};

const branchesOf = (node: AnyStateNode, event: string, defs: readonly AnyTransitionDefinition[]) =>
  defs.map((definition, branch): TransitionInfo => {
    const guarded = defs.some((d) => d.guard !== undefined);
    return {
      id: `${node.id} ${event}#${branch}`,
      source: node,
      event,
      eventless: event === ALWAYS,
      branch,
      branches: defs.length,
      guard: definition.guard !== undefined ? nameOf(definition.guard) : guarded ? 'else' : null,
      actions: (definition.actions as unknown[]).map(nameOf),
      targets: (definition.target ?? []) as AnyStateNode[],
      definition,
    };
  });

/** Every transition definition of the machine: the root first, then states in document order. */
export const transitionsOf = (machine: AnyStateMachine): TransitionInfo[] =>
  [machine.root, ...stateNodesOf(machine)].flatMap((node) => [
    ...[...(node.transitions as Map<string, AnyTransitionDefinition[]>)].flatMap(([event, defs]) =>
      branchesOf(node, event, defs),
    ),
    ...branchesOf(node, ALWAYS, node.always ?? []),
  ]);

/**
 * The atomic states in which a transition of `source` can be taken: the source itself, or,
 * for a transition declared on an ancestor (root-level `on` or `always`), each descendant
 * leaf that does not always handle the event itself: XState looks from the leaf up and
 * takes the first enabled branch, so an unguarded branch below shadows the ancestor's.
 */
export const leafSourcesOf = (t: TransitionInfo): AnyStateNode[] => {
  const own = (node: AnyStateNode): readonly AnyTransitionDefinition[] =>
    (t.eventless ? node.always : (node.transitions as Map<string, AnyTransitionDefinition[]>).get(t.event)) ??
    [];
  const leaves: AnyStateNode[] = [];
  const walk = (node: AnyStateNode, shadowed: boolean) => {
    const shadows = shadowed || (node !== t.source && own(node).some((d) => d.guard === undefined));
    const children = Object.values(node.states) as AnyStateNode[];
    if (children.length === 0) {
      if (!shadows) leaves.push(node);
      return;
    }
    for (const child of children) walk(child, shadows);
  };
  walk(t.source, false);
  return leaves;
};

/**
 * Where a diagram draws a transition from: a compound state's own transition once, from
 * the compound state (it says "from anywhere inside", which is what the hierarchy is
 * for); a root-level one from each leaf it can fire in, since the root is not drawn.
 */
export const drawnSourcesOf = (t: TransitionInfo): AnyStateNode[] =>
  t.source.parent !== undefined && Object.keys(t.source.states).length > 0 ? [t.source] : leafSourcesOf(t);

/** The first leaf inside `node` (itself if it is one): where Graphviz anchors an edge of a cluster. */
export const firstLeafOf = (node: AnyStateNode): AnyStateNode => {
  const children = Object.values(node.states) as AnyStateNode[];
  return children[0] ? firstLeafOf(children[0]) : node;
};

/** A one-line description, the same the diagrams print on the edge. */
export const edgeLabel = (t: TransitionInfo): string => {
  const guard = t.guard ? ` [${t.guard}]` : '';
  const actions = t.actions.length ? ` / ${t.actions.join(', ')}` : '';
  return `${t.event}${guard}${actions}`;
};
