/// <reference lib="dom" />
/**
 * The space-time diagram of the path, drawn by the viewer (src/view) from the same steps;
 * the first broken property is marked on its step as the viewer marks a counterexample's.
 * Drawn after the panels, on the next frame and only for the latest path, so that steps
 * stay quick when the path is long.
 */
import { viewOfSimulation } from '../../view/fromSim';
import { INVARIANT_TEXT } from '../../view/model';
import { renderSvg } from '../../view/svg';
import { PROPERTIES, type Session } from '../session';

let pending = 0;
let lastSvg = '';

export function drawDiagram(box: HTMLElement, s: Session, title: string): void {
  const ticket = ++pending;
  const node = s.current;
  const actions = s.actionsOf();
  requestAnimationFrame(() => {
    if (ticket !== pending) return;
    const view = viewOfSimulation(s.cluster, actions, { title: `${title}: step ${node.depth}` });
    const first = PROPERTIES.map((rule) => ({ rule, b: node.broken[rule] }))
      .filter((x) => x.b)
      .sort((x, y) => (x.b?.step ?? 0) - (y.b?.step ?? 0))[0];
    if (first?.b)
      view.violation = {
        row: first.b.step - 1,
        rule: first.rule,
        ruleText: INVARIANT_TEXT[first.rule] ?? first.rule,
        message: first.b.message,
      };
    lastSvg = renderSvg(view);
    box.innerHTML = lastSvg;
    box.dataset.step = String(node.depth);
    box.scrollTop = box.scrollHeight;
  });
}

/** Saves the diagram as drawn now, as an SVG file (a blob of this page: nothing is fetched). */
export function exportSvg(): void {
  const url = URL.createObjectURL(new Blob([lastSvg], { type: 'image/svg+xml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'paxos-explorer.svg';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
