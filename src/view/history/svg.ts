/**
 * The timeline as SVG: the axis, the fault bands across every lane, the lanes, and a bar per
 * operation. Status shows by colour and by shape (solid, hatched, dashed and open to the
 * right) and in the label's words; the key by the bar's fill.
 */
import { esc } from '../svg';
import { titleOf } from './labels';
import { AXIS_H, type Band, type Bar, type Lane, type Layout, LEFT, ROW_H, STEP, xAt } from './layout';

const KEY_COLOURS = ['#cfe3f7', '#fde2c4', '#d9f0d3', '#eadcf3', '#fbd5dc', '#fff2b3', '#d5f0ef', '#e6e1d6'];
export const keyColour = (k: number): string => KEY_COLOURS[k % KEY_COLOURS.length] as string;
const STATUS_STROKE = { ok: '#2e7d32', fail: '#c62828', info: '#757575', pending: '#757575' } as const;

const n1 = (x: number) => (Math.round(x * 10) / 10).toString();

const DEFS = `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2" height="6" fill="#c62828" fill-opacity="0.45"/></pattern><linearGradient id="fade"><stop offset="0" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#fff" stop-opacity="0.9"/></linearGradient></defs>`;

/** A tick every few events, far enough apart for their numbers. */
function axis(l: Layout): string {
  const every = Math.max(1, Math.ceil(40 / STEP / 5) * 5);
  const ticks: string[] = [];
  for (let i = 0; i <= l.events; i += every)
    ticks.push(
      `<line x1="${xAt(i)}" y1="${AXIS_H - 8}" x2="${xAt(i)}" y2="${l.height}" class="grid"/><text class="tick" x="${xAt(i)}" y="${AXIS_H - 12}" text-anchor="middle">${i}</text>`,
    );
  return `<g class="axis"><text class="tick axis-name" x="6" y="${AXIS_H - 12}">event</text>${ticks.join('')}</g>`;
}

function band(b: Band, l: Layout): string {
  const y = AXIS_H + b.row * 16;
  const w = Math.max(2, b.x2 - b.x1);
  return `<g class="fault" data-start="${b.start}" data-end="${Number.isFinite(b.end) ? b.end : 'open'}"><title>${esc(b.detail ?? b.label)}</title><rect class="fault-band" x="${n1(b.x1)}" y="${l.top}" width="${n1(w)}" height="${l.height - l.top - 10}"/><text class="fault-label" x="${n1(b.x1 + 2)}" y="${y + 12}">${esc(b.label)}</text></g>`;
}

function lane(ln: Lane, i: number, width: number): string {
  const h = ln.rows * ROW_H;
  return `<g class="lane" data-process="${ln.process}"><rect class="lane-band${i % 2 ? ' odd' : ''}" x="0" y="${ln.y}" width="${width}" height="${h}"/><text class="lane-name" x="6" y="${ln.y + 20}">process ${ln.process}</text></g>`;
}

/** The bar's outline: solid for ok and fail, dashed and without a right side when unknown. */
function outline(b: Bar, y: number): string {
  const stroke = STATUS_STROKE[b.op.status];
  const w = n1(b.x2 - b.x1);
  if (!b.open)
    return `<rect class="bar" x="${n1(b.x1)}" y="${y}" width="${w}" height="12" fill="none" stroke="${stroke}" stroke-width="1.5"/>`;
  const [x1, x2] = [n1(b.x1), n1(b.x2)];
  return `<rect class="bar" x="${x1}" y="${y}" width="${w}" height="12" fill="url(#fade)"/><path d="M${x2},${y} H${x1} V${y + 12} H${x2}" fill="none" stroke="${stroke}" stroke-width="1.5" stroke-dasharray="4 3"/><path d="M${n1(b.x2 - 6)},${y - 2} l6,8 l-6,8" fill="none" stroke="${stroke}"/>`;
}

function marks(b: Bar, y: number): string {
  const box = (cls: string, pad: number) =>
    `<rect class="${cls}" x="${n1(b.x1 - pad)}" y="${y - pad}" width="${n1(b.x2 - b.x1 + 2 * pad)}" height="${12 + 2 * pad}"/>`;
  return (b.order === undefined ? '' : box('prefix-mark', 3)) + (b.culprit ? box('culprit-mark', 4) : '');
}

function bar(b: Bar, l: Layout): string {
  const ln = l.lanes[b.lane] as Lane;
  const y = ln.y + b.row * ROW_H + 17;
  const cls = ['op', b.op.status, b.order === undefined ? '' : 'prefix', b.culprit ? 'culprit' : ''].filter(
    Boolean,
  );
  const attrs = `class="${cls.join(' ')}" data-line="${b.op.line}" data-process="${b.op.process}" data-call="${b.op.call}" data-ret="${b.open ? 'open' : b.op.ret}"${b.order === undefined ? '' : ` data-order="${b.order}"`}`;
  const fill = `<rect class="bar-fill" x="${n1(b.x1)}" y="${y}" width="${n1(b.x2 - b.x1)}" height="12" fill="${keyColour(b.key)}"/>`;
  const hatch =
    b.op.status === 'fail'
      ? `<rect x="${n1(b.x1)}" y="${y}" width="${n1(b.x2 - b.x1)}" height="12" fill="url(#hatch)"/>`
      : '';
  const text = `<text class="label" x="${n1(b.x1 + 1)}" y="${y - 7}">${esc(b.label)}</text>`;
  return `<g ${attrs}><title>${esc(titleOf(b))}</title>${marks(b, y)}${fill}${hatch}${outline(b, y)}${text}</g>`;
}

export function timelineSvg(l: Layout): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="history" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}">`,
    DEFS,
    `<g class="lanes">${l.lanes.map((ln, i) => lane(ln, i, l.width)).join('')}</g>`,
    axis(l),
    `<g class="faults">${l.bands.map((b) => band(b, l)).join('')}</g>`,
    `<line class="lane-edge" x1="${LEFT - 4}" y1="${l.top}" x2="${LEFT - 4}" y2="${l.height - 10}"/>`,
    `<g class="ops">${l.bars.map((b) => bar(b, l)).join('')}</g>`,
    '</svg>',
  ].join('\n');
}
