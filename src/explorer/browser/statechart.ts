/// <reference lib="dom" />
/**
 * A machine's exported diagram (docs/diagrams, drawn by Graphviz from the machines and held
 * equal to them by the diagrams test) with the states a snapshot is in highlighted. Graphviz
 * titles each node and cluster with the XState state id (`proposer.undecided.preparing`,
 * `cluster_proposer.undecided`), which is what the snapshot's value spells.
 */
import acceptorSvg from '../../../docs/diagrams/acceptor.svg';
import learnerSvg from '../../../docs/diagrams/learner.svg';
import proposerSvg from '../../../docs/diagrams/proposer.svg';

const SVGS: Record<string, string> = { proposer: proposerSvg, acceptor: acceptorSvg, learner: learnerSvg };

type StateValue = string | { [key: string]: StateValue };

/** Every state id a value is in: each compound state on the way, and the leaf. */
function activeIds(machine: string, value: StateValue): string[] {
  if (typeof value === 'string') return [`${machine}.${value}`];
  return Object.entries(value).flatMap(([k, v]) => [`${machine}.${k}`, ...activeIds(`${machine}.${k}`, v)]);
}

/** The value as the diagrams write it: `undecided.preparing`. */
export function valueText(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([k, v]) => `${k}.${valueText(v)}`)
    .join(', ');
}

/** The role's diagram as an element, its active states marked. */
export function statechart(role: string, value: StateValue): HTMLElement {
  const box = document.createElement('div');
  box.className = 'chart';
  box.dataset.role = role;
  const svg = SVGS[role] ?? '';
  box.innerHTML = svg.slice(Math.max(0, svg.indexOf('<svg')));
  const active = new Set(activeIds(role, value));
  for (const g of box.querySelectorAll('g.node, g.cluster')) {
    const title = g.querySelector(':scope > title')?.textContent ?? '';
    if (active.has(title.replace(/^cluster_/, ''))) g.classList.add('active');
  }
  return box;
}
