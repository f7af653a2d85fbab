/**
 * Where things go: one lane per peer, one row per step, and the end points of each arrow.
 * Kept apart from the SVG text so that tests and the HTML script can reason about
 * geometry (which way an arrow points, where a row is) without parsing markup.
 */
import { type AcceptorState, acceptorText, type RunView, type ViewMessage } from './runView';

export const GEOMETRY = {
  left: 48,
  lane: 156,
  header: 76,
  row: 26,
  /** A step that writes no text: its marks and arrows need less room than a line of text. */
  quietRow: 17,
  footer: 60,
  /** The radius of an event mark: arrows stop short of it. */
  mark: 4,
} as const;

export interface Point {
  x: number;
  y: number;
}

export interface Layout {
  width: number;
  /** Height of the diagram without the banner and notes below it. */
  bodyHeight: number;
  laneX(peer: number): number;
  /** The middle of a row. */
  rowY(row: number): number;
  rowHeight(row: number): number;
  /** From where the message leaves to where its arrow ends, already shortened at the receiving mark. */
  arrow(m: ViewMessage): { from: Point; to: Point; self: boolean };
}

const sameState = (a: AcceptorState | undefined, b: AcceptorState | undefined) =>
  a !== undefined && b !== undefined && acceptorText(a) === acceptorText(b);

/** The events after which an acceptor's state is written: where it changes, and first. */
export function writtenStates(view: RunView): Set<number> {
  const shown = new Map<number, AcceptorState>();
  const written = new Set<number>();
  for (const e of [...view.events].sort((a, b) => a.row - b.row || a.id - b.id)) {
    if (!e.acceptor || sameState(shown.get(e.peer), e.acceptor)) continue;
    shown.set(e.peer, e.acceptor);
    written.add(e.id);
  }
  return written;
}

/**
 * How tall each row is: a step that writes text (an event's label or an acceptor's state),
 * is followed by a chosen line or breaks a rule gets a full row; the others, only marks and
 * arrows, get less, so that a screen holds more of the run.
 */
function rowHeights(view: RunView): number[] {
  const written = writtenStates(view);
  const tall = new Set<number>(view.chosen.map((c) => c.row));
  if (view.violation) tall.add(view.violation.row);
  for (const e of view.events) if (e.label !== '' || written.has(e.id)) tall.add(e.row);
  return view.rows.map((_, row) => (tall.has(row) ? GEOMETRY.row : GEOMETRY.quietRow));
}

export function layout(view: RunView): Layout {
  const index = new Map(view.peers.map((p, i) => [p.id, i]));
  const laneX = (peer: number) => GEOMETRY.left + ((index.get(peer) ?? 0) + 0.5) * GEOMETRY.lane;
  const heights = rowHeights(view);
  const tops: number[] = [];
  let total = 0;
  for (const h of heights) {
    tops.push(total);
    total += h;
  }
  const rowHeight = (row: number) => heights[row] ?? GEOMETRY.row;
  // Rows past the last (an in-flight arrow's end) continue at full height.
  const rowY = (row: number) =>
    GEOMETRY.header + (tops[row] ?? total + (row - heights.length) * GEOMETRY.row) + rowHeight(row) / 2;
  const width = GEOMETRY.left + view.peers.length * GEOMETRY.lane + 24;
  const bodyHeight = GEOMETRY.header + Math.max(GEOMETRY.row, total) + GEOMETRY.footer;
  const events = view.events;

  const arrow = (m: ViewMessage) => {
    const send = events[m.send];
    const from = { x: laneX(m.from), y: rowY(send?.row ?? 0) };
    const receive = m.receive === undefined ? undefined : events[m.receive];
    if (receive) {
      const to = { x: laneX(receive.peer), y: rowY(receive.row) };
      if (receive.peer === m.from) return { from, to, self: true };
      const dx = to.x - from.x;
      const dy = to.y - from.y;
      const len = Math.hypot(dx, dy) || 1;
      const cut = GEOMETRY.mark + 1;
      return { from, to: { x: to.x - (dx / len) * cut, y: to.y - (dy / len) * cut }, self: false };
    }
    const endRow = m.endRow ?? send?.row ?? 0;
    if (m.to === null)
      return {
        from,
        to: { x: from.x + GEOMETRY.lane * 0.28, y: rowY(send?.row ?? 0) + GEOMETRY.row * 0.6 },
        self: false,
      };
    const target = laneX(m.to);
    // A lost message stops part of the way, where the network dropped it; one still in
    // flight stops short of its destination below the last row.
    const share = m.fate === 'lost' ? 0.6 : 0.45;
    const y = m.fate === 'lost' ? rowY(endRow) : rowY(endRow) + GEOMETRY.row * 0.8;
    return { from, to: { x: from.x + (target - from.x) * share, y }, self: false };
  };
  return { width, bodyHeight, laneX, rowY, rowHeight, arrow };
}
