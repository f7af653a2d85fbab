/**
 * Where things go: one lane per peer, one row per step, and the end points of each arrow.
 * Kept apart from the SVG text so that tests and the HTML script can reason about
 * geometry (which way an arrow points, where a row is) without parsing markup.
 */
import type { RunView, ViewMessage } from './model';

export const GEOMETRY = {
  left: 48,
  lane: 156,
  header: 76,
  row: 26,
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
  rowY(row: number): number;
  /** From where the message leaves to where its arrow ends, already shortened at the receiving mark. */
  arrow(m: ViewMessage): { from: Point; to: Point; self: boolean };
}

export function layout(view: RunView): Layout {
  const index = new Map(view.peers.map((p, i) => [p.id, i]));
  const laneX = (peer: number) => GEOMETRY.left + ((index.get(peer) ?? 0) + 0.5) * GEOMETRY.lane;
  const rowY = (row: number) => GEOMETRY.header + (row + 0.5) * GEOMETRY.row;
  const rows = Math.max(1, view.rows.length);
  const width = GEOMETRY.left + view.peers.length * GEOMETRY.lane + 24;
  const bodyHeight = GEOMETRY.header + rows * GEOMETRY.row + GEOMETRY.footer;
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
  return { width, bodyHeight, laneX, rowY, arrow };
}
