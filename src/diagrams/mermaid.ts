/**
 * A statechart as a Mermaid stateDiagram-v2, walked from `machine.root`: one edge per
 * transition definition, labelled `event [guard] / actions`. A transition declared on a
 * compound state (the proposer's LEARNED on `undecided`) is drawn once, from that state;
 * one declared on the root from every state it can fire in; an `always` branch as an edge
 * labelled `always`. The text is a pure function of the machine, so the
 * same machines always give the same bytes.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { drawnSourcesOf, edgeLabel, transitionsOf } from '../statechart/structure';

/** Mermaid ids: the state's path below the root (`preparing`, or `parent_child` when nested). */
const idOf = (node: AnyStateNode): string => node.path.join('_').replace(/[^A-Za-z0-9_]/g, '_');

/** Mermaid reads `:` as the start of a label and `;` as a statement end; write them as entities. */
const escapeLabel = (text: string) => text.replace(/:/g, '#58;').replace(/;/g, '#59;');

export function toMermaid(machine: AnyStateMachine): string {
  const lines = ['---', `title: ${machine.id}`, '---', 'stateDiagram-v2'];
  const declare = (parent: AnyStateNode, indent: string) => {
    for (const child of Object.values(parent.states) as AnyStateNode[]) {
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state "${child.key}" as ${idOf(child)} {`);
        declare(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else if (idOf(child) !== child.key) {
        lines.push(`${indent}state "${child.key}" as ${idOf(child)}`);
      } else {
        // Declared even when an edge would do it, so every state shows, in document order.
        lines.push(`${indent}${idOf(child)}`);
      }
    }
    const initial = parent.initial?.target ?? [];
    for (const target of initial as AnyStateNode[]) lines.push(`${indent}[*] --> ${idOf(target)}`);
    for (const child of Object.values(parent.states) as AnyStateNode[])
      if (child.type === 'final') lines.push(`${indent}${idOf(child)} --> [*]`);
  };
  declare(machine.root, '  ');
  for (const t of transitionsOf(machine)) {
    const label = escapeLabel(edgeLabel(t));
    for (const from of drawnSourcesOf(t)) {
      const targets = t.targets.length > 0 ? t.targets : [from];
      for (const to of targets) lines.push(`  ${idOf(from)} --> ${idOf(to)} : ${label}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
