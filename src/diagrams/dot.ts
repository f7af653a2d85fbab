/**
 * The same walk as mermaid.ts, as Graphviz DOT: leaf states are boxes, a compound state a
 * cluster, a point marks the initial state, a final state has a double border. Transitions
 * that leave and enter a state are edges labelled `event [guard]` over `/ actions`; the
 * targetless ones of a state (it stays, without exit or entry) share one dashed loop with
 * a line each, since Graphviz stacks separate loops on top of one another. A compound
 * state's transition leaves the cluster's border once; a root-level transition is drawn
 * from each state it can fire in; an `always` branch is labelled `always`. Pure and deterministic, like the Mermaid text.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { drawnSourcesOf, firstLeafOf, type TransitionInfo, transitionsOf } from '../statechart/structure';

const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const idOf = (node: AnyStateNode) => quote(node.id);
const initialId = (node: AnyStateNode) => quote(`${node.id}.__initial`);

const trigger = (t: TransitionInfo) => `${t.event}${t.guard ? ` [${t.guard}]` : ''}`;
const effect = (t: TransitionInfo) => (t.actions.length ? `/ ${t.actions.join(', ')}` : '');

/** Escapes for a DOT string, then joins lines with `sep` (`\n` centred, `\l` left-justified). */
const lines = (parts: string[], sep: '\\n' | '\\l') =>
  parts.map((p) => p.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join(sep);

export function toDot(machine: AnyStateMachine): string {
  const out = [
    `digraph ${quote(machine.id)} {`,
    `  label=${quote(machine.id)}; labelloc=t; fontname="Helvetica"; fontsize=18;`,
    '  nodesep=0.6; ranksep=0.7; pad=0.4; compound=true;',
    '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=12, margin="0.2,0.08"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  const declare = (parent: AnyStateNode, indent: string) => {
    const initial = (parent.initial?.target ?? []) as AnyStateNode[];
    if (initial.length > 0) {
      out.push(`${indent}${initialId(parent)} [shape=point, width=0.15, label=""];`);
      for (const target of initial) out.push(`${indent}${initialId(parent)} -> ${idOf(target)};`);
    }
    for (const child of Object.values(parent.states) as AnyStateNode[]) {
      if (Object.keys(child.states).length > 0) {
        out.push(
          `${indent}subgraph ${quote(`cluster_${child.id}`)} {`,
          `${indent}  label=${quote(child.key)};`,
        );
        declare(child, `${indent}  `);
        out.push(`${indent}}`);
      } else {
        const final = child.type === 'final' ? ', peripheries=2' : '';
        out.push(`${indent}${idOf(child)} [label=${quote(child.key)}${final}];`);
      }
    }
  };
  declare(machine.root, '  ');

  const stays = new Map<AnyStateNode, TransitionInfo[]>();
  for (const t of transitionsOf(machine)) {
    for (const from of drawnSourcesOf(t)) {
      if (t.targets.length === 0) {
        stays.set(from, [...(stays.get(from) ?? []), t]);
        continue;
      }
      const label = lines([trigger(t), effect(t)].filter(Boolean), '\\n');
      // An edge of a cluster leaves its border (ltail), anchored on a state inside it.
      const anchor = firstLeafOf(from);
      const tail = anchor === from ? '' : `, ltail=${quote(`cluster_${from.id}`)}`;
      for (const to of t.targets) out.push(`  ${idOf(anchor)} -> ${idOf(to)} [label="${label}"${tail}];`);
    }
  }
  for (const [state, ts] of stays) {
    const label = `${lines(
      ts.map((t) => `${trigger(t)} ${effect(t)}`.trim()),
      '\\l',
    )}\\l`;
    out.push(`  ${idOf(state)} -> ${idOf(state)} [label="${label}", style=dashed];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
