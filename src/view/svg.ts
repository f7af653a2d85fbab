/**
 * The picture as SVG text, complete on its own: styles inside, tooltips as <title>, no
 * script, so it renders the same in a README (where GitHub shows it as an image), in a
 * browser with scripting off, and inside the HTML page (whose script only adds to it).
 *
 * Every message is one `<g class="msg">` and every event one `<g class="event">`, with
 * data attributes (`data-msg`, `data-event`, `data-peer`, `data-row`, ...) that the page's
 * script and the browser tests read; the counts of both equal the model's.
 */
import { GEOMETRY, type Layout, layout, type Point, writtenStates } from './layout';
import { acceptorText, type RunView, type ViewEvent, type ViewMessage } from './runView';

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const n1 = (x: number) => (Math.round(x * 10) / 10).toString();

/**
 * Advance widths of DejaVu Sans in em, rounded up, by character class: enough to keep labels
 * apart without measuring them (an SVG file cannot measure its own text). Slightly wide on
 * purpose: a label pushed a little too far reads fine, two labels on top of each other do not.
 */
function textWidth(text: string, size: number, bold = false): number {
  let em = 0;
  for (const c of text) {
    if (c === ' ') em += 0.33;
    else if ("iljI|.,:;'!".includes(c)) em += 0.34;
    else if ('frt()[]-/'.includes(c)) em += 0.43;
    else if ('mwMW#=%@✗→'.includes(c)) em += 1.0;
    else if (/[A-Z]/.test(c)) em += 0.78;
    else if (/[0-9a-z]/.test(c)) em += 0.65;
    else em += 0.9;
  }
  return em * size * (bold ? 1.14 : 1.03);
}

interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** The box of one line of text at (x, y) (the baseline), as the browser's getBBox gives it, plus a hair. */
function textBox(
  text: string,
  x: number,
  y: number,
  size: number,
  anchor: 'start' | 'middle' | 'end' = 'start',
  bold = false,
): Box {
  const w = textWidth(text, size, bold);
  const x1 = anchor === 'start' ? x : anchor === 'middle' ? x - w / 2 : x - w;
  return { x1: x1 - 1, y1: y - size * 0.95 - 1, x2: x1 + w + 1, y2: y + size * 0.26 + 1 };
}

type Segment = readonly [Point, Point];

/** Whether the segment from p to q enters the box (Liang-Barsky clipping). */
function crosses(p: Point, q: Point, b: Box): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const sides: [number, number][] = [
    [-dx, p.x - b.x1],
    [dx, b.x2 - p.x],
    [-dy, p.y - b.y1],
    [dy, b.y2 - p.y],
  ];
  for (const [num, lim] of sides) {
    if (num === 0) {
      if (lim < 0) return false;
      continue;
    }
    const t = lim / num;
    if (num < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return false;
  }
  return true;
}

/**
 * The text already placed and the arrows: later labels move until they touch no text and no
 * arrow but their own (a label must not be crossed by an arrow it does not name).
 */
class Placed {
  private readonly boxes: Box[] = [];
  private readonly arrows: { owner: number; segments: Segment[]; box: Box }[] = [];
  fits(b: Box, owner?: number): boolean {
    return this.clearOfText(b) && this.crossings(b, owner) === 0;
  }
  clearOfText(b: Box): boolean {
    return this.boxes.every((o) => b.x2 <= o.x1 || o.x2 <= b.x1 || b.y2 <= o.y1 || o.y2 <= b.y1);
  }
  /** How many arrows other than `owner`'s run through the box. */
  crossings(b: Box, owner?: number): number {
    let n = 0;
    for (const a of this.arrows) {
      if (a.owner === owner || b.x2 < a.box.x1 || a.box.x2 < b.x1 || b.y2 < a.box.y1 || a.box.y2 < b.y1)
        continue;
      if (a.segments.some(([p, q]) => crosses(p, q, b))) n++;
    }
    return n;
  }
  add(b: Box): void {
    this.boxes.push(b);
  }
  addArrow(owner: number, points: Point[]): void {
    const segments: Segment[] = points.slice(1).map((q, i) => [points[i] as Point, q] as const);
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const box = { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
    this.arrows.push({ owner, segments, box });
  }
}

const STYLE = `
.paxos-run{font-family:'DejaVu Sans',Verdana,sans-serif;font-size:11px}
.paxos-run .bg{fill:#fff}
.paxos-run .title{font-size:14px;font-weight:bold;fill:#222}
.paxos-run .subtitle{font-size:11px;fill:#555}
.paxos-run .host{font-size:13px;font-weight:bold;fill:#222;text-anchor:middle}
.paxos-run .roles{font-size:10px;fill:#555;text-anchor:middle}
.paxos-run .lifeline{stroke:#999;stroke-width:1.5}
.paxos-run .rownum{font-size:9px;fill:#aaa;text-anchor:end}
.paxos-run .row-band{fill:transparent}
.paxos-run .row.breaking .row-band{fill:#fde8e8}
.paxos-run .msg line,.paxos-run .msg path{fill:none;stroke-width:1.4}
.paxos-run .tone-request line,.paxos-run .tone-request path{stroke:#2b5fad}
.paxos-run .tone-yes line,.paxos-run .tone-yes path{stroke:#2e8b3e}
.paxos-run .tone-no line,.paxos-run .tone-no path{stroke:#c0392b;stroke-dasharray:5 3}
.paxos-run .tone-decision line,.paxos-run .tone-decision path{stroke:#8e44ad}
.paxos-run .fate-in-flight line,.paxos-run .fate-unmatched line{stroke-dasharray:2 3}
.paxos-run .msg text{font-size:9.5px;paint-order:stroke;stroke:#fff;stroke-width:3px;text-anchor:middle}
.paxos-run .tone-request text{fill:#2b5fad}
.paxos-run .tone-yes text{fill:#2e8b3e}
.paxos-run .tone-no text{fill:#c0392b}
.paxos-run .tone-decision text{fill:#8e44ad}
.paxos-run .cross{stroke:#c0392b;stroke-width:2.2}
.paxos-run .dup-badge{fill:#fff;stroke:#e67e22;stroke-width:1.2}
.paxos-run .dup-mark text{font-size:9.5px;text-anchor:middle;fill:#e67e22;font-weight:bold}
.paxos-run .event .mark{fill:#333}
.paxos-run .kind-send .mark{fill:#fff;stroke:#333;stroke-width:1.2}
.paxos-run .kind-start .mark{fill:#2b5fad}
.paxos-run .kind-timeout .mark{fill:#fff;stroke:#e67e22;stroke-width:2}
.paxos-run .kind-restart .mark{fill:none;stroke:#c0392b;stroke-width:2.5}
.paxos-run .kind-chose .mark{fill:#f1c40f;stroke:#8a6d00;stroke-width:1}
.paxos-run .kind-boot .mark{fill:#555}
.paxos-run .kind-crash .mark{fill:none;stroke:#c0392b;stroke-width:3}
.paxos-run .kind-crash text{fill:#c0392b;font-weight:bold}
.paxos-run .event.never-durable{opacity:.45}
.paxos-run .event.never-durable .mark{stroke-dasharray:2 2}
.paxos-run .down{stroke:#fff;stroke-width:4}
.paxos-run .down-dash{stroke:#c0392b;stroke-width:1.2;stroke-dasharray:2 4}
.paxos-run .event text{font-size:10px;fill:#333;paint-order:stroke;stroke:#fff;stroke-width:3px}
.paxos-run .plate{fill:#fff}
.paxos-run .event text.state{fill:#6b4f00;font-size:9.5px}
.paxos-run .kind-chose text{font-weight:bold;fill:#8a6d00}
.paxos-run .kind-restart text{fill:#c0392b;font-weight:bold}
.paxos-run .chosen line{stroke:#2e8b3e;stroke-width:1.2;stroke-dasharray:8 4}
.paxos-run .chosen text{fill:#2e8b3e;font-size:10px;font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}
.paxos-run .chosen.breaking line{stroke:#c0392b;stroke-width:2}
.paxos-run .chosen.breaking text{fill:#c0392b}
.paxos-run .violation .halo{fill:none;stroke:#c0392b;stroke-width:2.5}
.paxos-run .violation text{fill:#c0392b;font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}
.paxos-run .banner rect{fill:#fde8e8;stroke:#c0392b}
.paxos-run .banner text{fill:#8b1a1a;font-size:11px}
.paxos-run .notes text{fill:#666;font-size:10px}
`;

const MARKERS = ['request', 'yes', 'no', 'decision']
  .map((tone) => {
    const colour = { request: '#2b5fad', yes: '#2e8b3e', no: '#c0392b', decision: '#8e44ad' }[tone];
    return `<marker id="head-${tone}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,1 L10,5 L0,9 z" fill="${colour}"/></marker>`;
  })
  .join('');

const peerName = (view: RunView, id: number | null) =>
  id === null ? 'unknown' : (view.peers.find((p) => p.id === id)?.host ?? `peer${id}`);

function messageTitle(view: RunView, m: ViewMessage): string {
  const fields = Object.entries(m.fields)
    .map(([k, v]) => `${k}: ${v === null ? '-' : String(v)}`)
    .join('\n');
  const fate = {
    delivered: 'delivered',
    lost:
      view.kind === 'real run'
        ? 'no record received it: lost, or in flight when the run stopped'
        : 'lost by the network',
    'in-flight': 'still in flight when the run ended',
    unmatched: 'no received line matches it',
  }[m.fate];
  return `${m.label}: ${peerName(view, m.from)} → ${peerName(view, m.to)} (${fate}${m.duplicate ? ', a duplicate' : ''})\n${fields}`;
}

/** Where a duplicate's badge sits: where the copy was made (simulator) or received again (real runs). */
function dupBadge(view: RunView, L: Layout, m: ViewMessage): { x: number; y: number } | undefined {
  if (!m.duplicate) return undefined;
  const { from, to } = L.arrow(m);
  const send = view.events[m.send];
  const receive = m.receive === undefined ? undefined : view.events[m.receive];
  const endRow = receive?.row ?? m.endRow ?? send?.row ?? 0;
  const t = Math.min(
    0.8,
    Math.max(0.2, (m.duplicate.row - (send?.row ?? 0) + 0.5) / Math.max(1, endRow - (send?.row ?? 0) + 1)),
  );
  return { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t };
}

/** A message to oneself is a loop out to the right: its path's four points (a cubic Bézier). */
function loop(from: Point, to: Point): [Point, Point, Point, Point] {
  const bulge = GEOMETRY.lane * 0.3;
  return [
    from,
    { x: from.x + bulge, y: from.y },
    { x: to.x + bulge, y: to.y },
    { x: to.x + GEOMETRY.mark + 1, y: to.y },
  ];
}

/** The arrow as a polyline, for keeping labels off it. */
function arrowPoints(L: Layout, m: ViewMessage): Point[] {
  const { from, to, self } = L.arrow(m);
  if (!self) return [from, to];
  const [p0, p1, p2, p3] = loop(from, to);
  const points: Point[] = [];
  for (let i = 0; i <= 12; i++) {
    const t = i / 12;
    const u = 1 - t;
    const at = (k: 'x' | 'y') =>
      u * u * u * p0[k] + 3 * u * u * t * p1[k] + 3 * u * t * t * p2[k] + t * t * t * p3[k];
    points.push({ x: at('x'), y: at('y') });
  }
  return points;
}

/**
 * A duplicate's badge, drawn after every arrow so that none runs over it; it fades and hides
 * with its message (same row and peers).
 */
function dupBadgeSvg(view: RunView, L: Layout, m: ViewMessage): string {
  const b = dupBadge(view, L, m);
  if (!b || !m.duplicate) return '';
  return `<g class="dup-mark" data-msg="${m.id}" data-row="${m.duplicate.row}" data-peers="${m.from} ${m.to ?? ''}"><title>${esc(messageTitle(view, m))}</title><rect class="plate dup-badge" x="${n1(b.x - 12)}" y="${n1(b.y - 6)}" width="24" height="12" rx="3"/><text class="dup-text" x="${n1(b.x)}" y="${n1(b.y + 3.5)}">dup</text></g>`;
}

const LABEL_SIZE = 9.5;
/** Where along its arrow a label may sit, best first. */
const ALONG = [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.12, 0.88];
/** And how far above (negative) or below its line. */
const ACROSS = [-3, 11, -14];

function messageSvg(view: RunView, L: Layout, m: ViewMessage, placed: Placed): string {
  const { from, to, self } = L.arrow(m);
  const send = view.events[m.send];
  const receive = m.receive === undefined ? undefined : view.events[m.receive];
  const endRow = receive?.row ?? m.endRow ?? send?.row ?? 0;
  const cls = `msg tone-${m.tone} fate-${m.fate}${m.duplicate ? ' dup' : ''}`;
  const attrs = `class="${cls}" data-msg="${m.id}" data-from="${m.from}" data-to="${m.to ?? ''}" data-row="${send?.row ?? 0}" data-end-row="${endRow}" data-peers="${m.from} ${m.to ?? ''}"`;
  const head = m.fate === 'delivered' ? ` marker-end="url(#head-${m.tone})"` : '';
  const parts: string[] = [];
  // The label's track: the arrow itself, or for a message to oneself the outside of its loop.
  let track = { from, to };
  if (self) {
    const bulge = GEOMETRY.lane * 0.3;
    const [, c1, c2, end] = loop(from, to);
    parts.push(
      `<path d="M${n1(from.x)},${n1(from.y)} C${n1(c1.x)},${n1(c1.y)} ${n1(c2.x)},${n1(c2.y)} ${n1(end.x)},${n1(end.y)}"${head}/>`,
    );
    track = {
      from: { x: from.x + bulge * 0.75, y: from.y },
      to: { x: to.x + bulge * 0.75, y: to.y },
    };
  } else parts.push(`<line x1="${n1(from.x)}" y1="${n1(from.y)}" x2="${n1(to.x)}" y2="${n1(to.y)}"${head}/>`);
  if (m.fate === 'lost') {
    const r = 4.5;
    parts.push(
      `<path class="cross" d="M${n1(to.x - r)},${n1(to.y - r)} L${n1(to.x + r)},${n1(to.y + r)} M${n1(to.x - r)},${n1(to.y + r)} L${n1(to.x + r)},${n1(to.y - r)}"/>`,
    );
  }
  if (m.fate === 'in-flight' || m.fate === 'unmatched')
    parts.push(`<circle cx="${n1(to.x)}" cy="${n1(to.y)}" r="2.5" fill="#fff" stroke="#888"/>`);
  const label = `${m.label}${m.fate === 'lost' ? ' ✗ lost' : ''}`;
  // The first spot along the arrow where the label touches no text placed before it; a label
  // with no such spot is left out (its arrow's tooltip and the page's panel still name it).
  let spot: { x: number; y: number } | undefined;
  for (const dy of ACROSS) {
    for (const t of ALONG) {
      const x = track.from.x + (track.to.x - track.from.x) * t;
      const y = track.from.y + (track.to.y - track.from.y) * t + dy;
      const box = textBox(label, x, y, LABEL_SIZE, 'middle');
      if (placed.fits(box, m.id)) {
        placed.add(box);
        spot = { x, y };
        break;
      }
    }
    if (spot) break;
  }
  if (spot) parts.push(`<text x="${n1(spot.x)}" y="${n1(spot.y)}">${esc(label)}</text>`);
  return `<g ${attrs}><title>${esc(messageTitle(view, m))}</title>${parts.join('')}</g>`;
}

function markSvg(e: ViewEvent, x: number, y: number): string {
  switch (e.kind) {
    case 'receive':
      return `<circle class="mark" cx="${n1(x)}" cy="${n1(y)}" r="${GEOMETRY.mark}"/>`;
    case 'send':
      return `<circle class="mark" cx="${n1(x)}" cy="${n1(y)}" r="3"/>`;
    case 'start':
      return `<path class="mark" d="M${n1(x - 6)},${n1(y - 5)} L${n1(x + 6)},${n1(y - 5)} L${n1(x)},${n1(y + 5)} z"/>`;
    case 'timeout':
      return `<circle class="mark" cx="${n1(x)}" cy="${n1(y)}" r="5.5"/><path class="mark" d="M${n1(x)},${n1(y - 3.5)} L${n1(x)},${n1(y)} L${n1(x + 3)},${n1(y)}"/>`;
    case 'restart':
      return `<path class="mark" d="M${n1(x - 9)},${n1(y - 5)} L${n1(x - 3)},${n1(y + 3)} L${n1(x + 3)},${n1(y - 3)} L${n1(x + 9)},${n1(y + 5)}"/>`;
    case 'boot':
      return `<rect class="mark" x="${n1(x - 7)}" y="${n1(y - 2)}" width="14" height="4"/>`;
    case 'crash':
      return `<path class="mark" d="M${n1(x - 7)},${n1(y - 7)} L${n1(x + 7)},${n1(y + 7)} M${n1(x - 7)},${n1(y + 7)} L${n1(x + 7)},${n1(y - 7)}"/>`;
    case 'chose': {
      const pts: string[] = [];
      for (let i = 0; i < 10; i++) {
        const r = i % 2 === 0 ? 7 : 3;
        const a = (Math.PI / 5) * i - Math.PI / 2;
        pts.push(`${n1(x + r * Math.cos(a))},${n1(y + r * Math.sin(a))}`);
      }
      return `<polygon class="mark" points="${pts.join(' ')}"/>`;
    }
  }
}

interface Piece {
  text: string;
  cls: string;
  size: number;
  bold: boolean;
}

/**
 * Where an event's text may sit around its mark, best first: beside it on the right or the
 * left, then above or below, as the baseline's offset from the mark's centre. Arrows leave
 * and reach marks at every angle, so one side is usually clear when the other is not.
 */
const AROUND: { side: 1 | -1; dy: number }[] = [
  { side: 1, dy: 3.5 },
  { side: -1, dy: 3.5 },
  { side: 1, dy: -6 },
  { side: -1, dy: -6 },
  { side: 1, dy: 13 },
  { side: -1, dy: 13 },
];

/**
 * An event's text (its label, then the acceptor's state) at the first spot around its mark
 * that no text and no arrow touches. Where every spot is crossed, the least crossed one gets
 * a white plate that the arrows pass under (events are drawn after messages).
 * `right` is where a second mark of the same step may go.
 */
function eventText(pieces: Piece[], x: number, y: number, placed: Placed): { svg: string; right: number } {
  if (pieces.length === 0) return { svg: '', right: x };
  const widths = pieces.map((p) => textWidth(p.text, p.size, p.bold));
  const total = widths.reduce((a, b) => a + b, 0) + 5 * (pieces.length - 1);
  const options = AROUND.map((c) => {
    const x1 = c.side > 0 ? x + 10 : x - 10 - total;
    const box = { x1: x1 - 1, y1: y + c.dy - 10.5, x2: x1 + total + 1, y2: y + c.dy + 3.6 };
    return { c, x1, box, crossed: placed.crossings(box) };
  });
  const free = options.filter((o) => placed.clearOfText(o.box));
  const pick =
    free.find((o) => o.crossed === 0) ??
    [...free].sort((a, b) => a.crossed - b.crossed)[0] ??
    (options[0] as (typeof options)[number]);
  placed.add(pick.box);
  const { box } = pick;
  const plate =
    pick.crossed > 0
      ? `<rect class="plate" x="${n1(box.x1)}" y="${n1(box.y1)}" width="${n1(box.x2 - box.x1)}" height="${n1(box.y2 - box.y1)}"/>`
      : '';
  let tx = pick.x1;
  const texts = pieces.map((p, i) => {
    const t = `<text${p.cls ? ` class="${p.cls}"` : ''} x="${n1(tx)}" y="${n1(y + pick.c.dy)}">${esc(p.text)}</text>`;
    tx += (widths[i] ?? 0) + 5;
    return t;
  });
  return { svg: plate + texts.join(''), right: pick.c.side > 0 ? box.x2 + 4 : x + 5 };
}

/** The events' marks, and where each mark was drawn (a chose beside a receive is off the lifeline). */
function eventsSvg(
  view: RunView,
  L: Layout,
  placed: Placed,
): { svg: string; at: Map<number, { x: number; y: number }> } {
  const out: string[] = [];
  const at = new Map<number, { x: number; y: number }>();
  const written = writtenStates(view);
  const byRow = [...view.events].sort((a, b) => a.row - b.row || a.id - b.id);
  /** Where the text of the last event drawn at (row, peer) ends. */
  const textEnd = new Map<string, number>();
  for (const e of byRow) {
    // A chose printed in the same step as a receive sits beside it and its text, not on top.
    const spot = `${e.row} ${e.peer}`;
    const before = textEnd.get(spot);
    const x = before === undefined ? L.laneX(e.peer) : before + 10;
    const y = L.rowY(e.row);
    at.set(e.id, { x, y });
    const pieces: Piece[] = [];
    if (e.label !== '') {
      const bold = e.kind === 'chose' || e.kind === 'restart' || e.kind === 'crash';
      pieces.push({ text: e.label, cls: '', size: 10, bold });
    }
    // The acceptor's state is written where it changes (and first): the tooltip has it always.
    if (e.acceptor && written.has(e.id))
      pieces.push({ text: acceptorText(e.acceptor), cls: 'state', size: 9.5, bold: false });
    const text = eventText(pieces, x, y, placed);
    const parts = [markSvg(e, x, y), text.svg];
    const tx = text.right;
    textEnd.set(spot, tx);
    const title = [
      `${peerName(view, e.peer)}, step ${e.row + 1}: ${e.kind}${e.label ? ` (${e.label})` : ''}`,
      ...e.detail,
      ...(e.acceptor
        ? [`acceptor (minProposal, acceptedProposal, acceptedValue) = ${acceptorText(e.acceptor)}`]
        : []),
    ].join('\n');
    out.push(
      `<g class="event kind-${e.kind}${e.neverDurable ? ' never-durable' : ''}" data-event="${e.id}" data-peer="${e.peer}" data-row="${e.row}" data-peers="${e.peer}"><title>${esc(title)}</title>${parts.join('')}</g>`,
    );
  }
  return { svg: out.join('\n'), at };
}

/** Wraps text to lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

const plateSvg = (b: Box) =>
  `<rect class="plate" x="${n1(b.x1)}" y="${n1(b.y1)}" width="${n1(b.x2 - b.x1)}" height="${n1(b.y2 - b.y1)}"/>`;

/**
 * The dashed line after each step that made a value chosen, with its text below the line
 * (or above) at the first spot along it that no text or arrow touches; a text that crosses
 * many lanes often has none, and then sits on a plate at the least crossed spot.
 */
function chosenSvg(view: RunView, L: Layout, placed: Placed): string {
  const W = L.width;
  const marks = view.chosen.map((c, i) => {
    const y = L.rowY(c.row) + L.rowHeight(c.row) / 2;
    const breaking = view.violation && view.violation.row === c.row ? ' breaking' : '';
    const spots: { x: number; y: number; box: Box; crossed: number }[] = [];
    for (const ty of [y + 11, y - 4])
      for (let x = GEOMETRY.left; x + textWidth(c.text, 10, true) < W - 8; x += 12) {
        const box = textBox(c.text, x, ty, 10, 'start', true);
        if (placed.clearOfText(box)) spots.push({ x, y: ty, box, crossed: placed.crossings(box) });
      }
    const spot = spots.find((s) => s.crossed === 0) ?? [...spots].sort((a, b) => a.crossed - b.crossed)[0];
    // With no spot clear of text the first one is taken, and later labels keep off it.
    const fallback = textBox(c.text, GEOMETRY.left, y + 11, 10, 'start', true);
    const at = spot ?? { x: GEOMETRY.left, y: y + 11, box: fallback, crossed: placed.crossings(fallback) };
    placed.add(at.box);
    const plate = at.crossed > 0 ? plateSvg(at.box) : '';
    return `<g class="chosen${breaking}" data-row="${c.row}" data-chosen="${i}"><title>${esc(c.text)}</title><line x1="${GEOMETRY.left - 4}" y1="${n1(y)}" x2="${W - 8}" y2="${n1(y)}"/>${plate}<text x="${n1(at.x)}" y="${n1(at.y)}">${esc(c.text)}</text></g>`;
  });
  return `<g class="chosen-marks">${marks.join('')}</g>`;
}

/** A lifeline per peer under its name and roles, broken where its process was down. */
function lifelinesSvg(view: RunView, L: Layout): string {
  const out: string[] = [];
  const lastY = L.rowY(view.rows.length - 1) + GEOMETRY.row;
  out.push('<g class="lifelines">');
  for (const p of view.peers) {
    const x = L.laneX(p.id);
    out.push(
      `<g class="peer" data-peer="${p.id}" data-peers="${p.id}"><text class="host" x="${n1(x)}" y="54">${esc(p.host)}</text><text class="roles" x="${n1(x)}" y="67">${esc(`id ${p.id} · ${p.roles.join(', ') || 'no role'}`)}</text><line class="lifeline" x1="${n1(x)}" y1="${GEOMETRY.header - 4}" x2="${n1(x)}" y2="${n1(lastY)}"/></g>`,
    );
  }
  // Where a process was down its lifeline is broken: a red dotted gap from the crash to the restart.
  for (const d of view.down ?? []) {
    const x = n1(L.laneX(d.peer));
    const y1 = n1(L.rowY(d.fromRow) + 8);
    const y2 = n1(L.rowY(d.toRow) - 6);
    out.push(
      `<g class="downtime" data-peers="${d.peer}"><line class="down" x1="${x}" y1="${y1}" x2="${x}" y2="${y2}"/><line class="down-dash" x1="${x}" y1="${y1}" x2="${x}" y2="${y2}"/></g>`,
    );
  }
  out.push('</g>');
  return out.join('\n');
}

export function renderSvg(view: RunView): string {
  const L = layout(view);
  const W = L.width;
  const charsPerLine = Math.max(40, Math.floor((W - 40) / 6.2));
  const banner = view.violation
    ? wrap(
        `Violation of ${view.violation.rule}: ${view.violation.ruleText}. ${view.violation.message}`,
        charsPerLine,
      )
    : [];
  const notes = view.notes.flatMap((n) => wrap(n, charsPerLine));
  const bannerH = banner.length > 0 ? banner.length * 15 + 12 : 0;
  const H = L.bodyHeight + bannerH + notes.length * 14 + 16;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="paxos-run" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(view.title)}">`,
  );
  out.push(`<title>${esc(view.title)}</title>`);
  out.push(`<style>${STYLE}</style>`);
  out.push(`<defs>${MARKERS}</defs>`);
  out.push(`<rect class="bg" x="0" y="0" width="${W}" height="${H}"/>`);
  out.push(`<text class="title" x="12" y="20">${esc(view.title)}</text>`);
  out.push(
    `<text class="subtitle" x="12" y="35">${esc(`${view.kind}: ${view.rows.length} steps, ${view.events.length} events, ${view.messages.length} messages; acceptors show (minProposal, acceptedProposal, acceptedValue)`)}</text>`,
  );

  out.push('<g class="rows">');
  view.rows.forEach((text, row) => {
    const y = L.rowY(row);
    const breaking = view.violation?.row === row ? ' breaking' : '';
    out.push(
      `<g class="row${breaking}" data-row="${row}"><title>${esc(`step ${row + 1}: ${text}`)}</title><rect class="row-band" x="0" y="${n1(y - L.rowHeight(row) / 2)}" width="${W}" height="${L.rowHeight(row)}"/><text class="rownum" x="${GEOMETRY.left - 8}" y="${n1(y + 3)}">${row + 1}</text></g>`,
    );
  });
  out.push('</g>');

  out.push(lifelinesSvg(view, L));

  // Text is placed in order of how firmly it is tied to its spot: event labels and the
  // violation's name first, then the chosen markers' text, then message labels along their arrows.
  const placed = new Placed();
  for (const m of view.messages) placed.addArrow(m.id, arrowPoints(L, m));
  const v = view.violation;
  const broken = v?.event === undefined ? undefined : view.events[v.event];
  // Left of the lifeline, not of the ring: a ringed chose sits right of its step's own text.
  const ruleY = L.rowY(broken?.row ?? v?.row ?? 0) + 4;
  const ruleAt = { x: (broken ? L.laneX(broken.peer) : GEOMETRY.left + 10) - 16, y: ruleY };
  const ruleBox = v ? textBox(`✗ ${v.rule}`, ruleAt.x, ruleAt.y, 11, 'end', true) : undefined;
  if (ruleBox) placed.add(ruleBox);
  for (const m of view.messages) {
    const b = dupBadge(view, L, m);
    if (b) placed.add({ x1: b.x - 13, y1: b.y - 7, x2: b.x + 13, y2: b.y + 7 });
  }
  const marks = eventsSvg(view, L, placed);
  const ring = broken ? marks.at.get(broken.id) : undefined;
  const ringAt = { x: ring?.x ?? GEOMETRY.left + 10, y: ring?.y ?? L.rowY(v?.row ?? 0) };
  const chosen = chosenSvg(view, L, placed);

  out.push('<g class="messages">');
  for (const m of view.messages) out.push(messageSvg(view, L, m, placed));
  out.push('</g>');
  out.push(`<g class="dup-badges">${view.messages.map((m) => dupBadgeSvg(view, L, m)).join('')}</g>`);
  // Above the arrows: where no spot was clear of them, a plate hides the arrows under the text.
  out.push(chosen);
  out.push('<g class="events">');
  out.push(marks.svg);
  out.push('</g>');

  if (v) {
    out.push(
      `<g class="violation" data-row="${v.row}"${broken ? ` data-event="${broken.id}"` : ''}><title>${esc(`${v.rule}: ${v.ruleText}. ${v.message}`)}</title><circle class="halo" cx="${n1(ringAt.x)}" cy="${n1(ringAt.y)}" r="13"/>${ruleBox && placed.crossings(ruleBox) > 0 ? plateSvg(ruleBox) : ''}<text x="${n1(ruleAt.x)}" y="${n1(ruleAt.y)}" text-anchor="end">✗ ${esc(v.rule)}</text></g>`,
    );
    const top = L.bodyHeight - GEOMETRY.footer + 34;
    out.push(
      `<g class="banner"><rect x="8" y="${top}" width="${W - 16}" height="${bannerH - 4}" rx="4"/>${banner
        .map((line, i) => `<text x="16" y="${top + 16 + i * 15}">${esc(line)}</text>`)
        .join('')}</g>`,
    );
  }
  const notesTop = L.bodyHeight - GEOMETRY.footer + 34 + bannerH + 10;
  out.push(
    `<g class="notes">${notes.map((line, i) => `<text x="12" y="${notesTop + i * 14}">${esc(line)}</text>`).join('')}</g>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
