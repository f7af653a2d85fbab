/// <reference lib="dom" />
/**
 * The space-time diagram of the path, drawn by the viewer (src/view) from the same steps;
 * the first broken property is marked on its step as the viewer marks a counterexample's.
 * Drawn after the panels, on the next frame and only for the latest path, so that steps
 * stay quick when the path is long.
 */
import { viewOfSimulation } from '../../view/fromSim';
import { INVARIANT_TEXT, type RunView, type ViewEvent, type ViewMessage } from '../../view/runView';
import { renderSvg } from '../../view/svg';
import { PROPERTIES, type Session } from '../session';

/** The steps drawn: a long path's picture costs more than a step is worth (its layout grows faster than its rows). */
const ROWS = 80;

let pending = 0;

/**
 * The view's last rows from `from` on, renumbered from 0: the events there, and the
 * messages sent there (one sent earlier has no arrow; its receipt is still marked).
 */
function lastRows(view: RunView, from: number): RunView {
  if (from <= 0) return view;
  const ids = new Map<number, number>();
  const events: ViewEvent[] = [];
  for (const e of view.events)
    if (e.row >= from) {
      ids.set(e.id, events.length);
      events.push({ ...e, id: events.length, row: e.row - from });
    }
  const messages: ViewMessage[] = [];
  for (const m of view.messages) {
    const send = ids.get(m.send);
    if (send === undefined) continue;
    const receive = m.receive === undefined ? undefined : ids.get(m.receive);
    messages.push({
      ...m,
      id: messages.length,
      send,
      ...(receive === undefined ? {} : { receive }),
      ...(m.endRow === undefined ? {} : { endRow: m.endRow - from }),
      ...(m.duplicate ? { duplicate: { row: Math.max(0, m.duplicate.row - from) } } : {}),
    });
  }
  const v = view.violation;
  return {
    ...view,
    rows: view.rows.slice(from),
    events,
    messages,
    chosen: view.chosen.filter((c) => c.row >= from).map((c) => ({ ...c, row: c.row - from })),
    violation: v && v.row >= from ? { ...v, row: v.row - from, event: ids.get(v.event ?? -1) } : undefined,
    notes: [`steps ${from + 1} to ${view.rows.length} of ${view.rows.length}: earlier steps are in the path`],
  };
}

/** The step numbers of a picture of the last rows, as the path counts them. */
const renumber = (svg: string, from: number) =>
  from <= 0
    ? svg
    : svg
        .replace(
          /(<text class="rownum"[^>]*>)(\d+)</g,
          (_, head: string, n: string) => `${head}${Number(n) + from}<`,
        )
        .replace(/<title>step (\d+):/g, (_, n: string) => `<title>step ${Number(n) + from}:`);
let lastSvg = '';

export function drawDiagram(box: HTMLElement, s: Session, title: string): void {
  const ticket = ++pending;
  const node = s.current;
  const actions = s.worldActionsOf();
  requestAnimationFrame(() => {
    if (ticket !== pending) return;
    const view = viewOfSimulation(s.cluster, actions, { title: `${title}: step ${node.depth}` });
    const first = PROPERTIES.map((rule) => ({ rule, b: node.broken[rule] }))
      .filter((x) => x.b)
      .sort((x, y) => (x.b?.step ?? 0) - (y.b?.step ?? 0))[0];
    const row = (first?.b?.step ?? 0) - 1;
    // The breaking step's own mark, as a counterexample's picture rings it: a chose, else what the peer did.
    const onRow = view.events.filter((e) => e.row === row);
    const mark = onRow.find((e) => e.kind === 'chose') ?? onRow[0];
    if (first?.b)
      view.violation = {
        ...(mark ? { event: mark.id } : {}),
        row,
        rule: first.rule,
        ruleText: INVARIANT_TEXT[first.rule] ?? first.rule,
        message: first.b.message,
      };
    const from = Math.max(0, view.rows.length - ROWS);
    lastSvg = renumber(renderSvg(lastRows(view, from)), from);
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
