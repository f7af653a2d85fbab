/**
 * Where everything goes: a lane per process, the x axis the history's own order (one step
 * per client event), and each operation a bar from its invoke to its completion with its
 * label above it. A lane gets as many rows as its operations need so that no bar and no
 * label runs into another: a process may invoke again after an `info`, whose bar never ends,
 * and a label may be wider than its bar. Labels are monospace ASCII, so their widths are known.
 */
import type { History, Operation } from '../../linearizability/history';
import type { CheckResult } from '../../linearizability/index';
import type { Fault } from './faults';
import { labelOf, type Marks, marksOf } from './labels';

export const STEP = 30;
export const LEFT = 100;
export const ROW_H = 34;
export const AXIS_H = 28;
/** Advance of 11 px DejaVu Sans Mono (0.602 em), rounded up. */
const CHAR_W = 6.7;
const GAP = 8;

export interface Bar {
  op: Operation;
  lane: number;
  row: number;
  x1: number;
  x2: number;
  /** No completion that ends it: drawn open to the right. */
  open: boolean;
  label: string;
  key: number;
  order?: number;
  stateAfter?: string;
  culprit: boolean;
}

export interface Band extends Fault {
  x1: number;
  x2: number;
  row: number;
}

export interface Lane {
  process: number;
  y: number;
  rows: number;
}

export interface Layout {
  bars: Bar[];
  lanes: Lane[];
  bands: Band[];
  keys: string[];
  /** Client events: the axis runs from 0 to this. */
  events: number;
  width: number;
  height: number;
  /** Top of the first lane. */
  top: number;
}

export const xAt = (position: number): number => LEFT + STEP * (position + 1);
const textWidth = (text: string): number => text.length * CHAR_W;

/** Rows packed left to right: each item goes on the first row free at its left edge. */
function pack<T>(items: readonly T[], span: (t: T) => [number, number]): number[] {
  const ends: number[] = [];
  return items.map((item) => {
    const [from, to] = span(item);
    let row = ends.findIndex((end) => end + GAP <= from);
    if (row < 0) row = ends.push(to) - 1;
    else ends[row] = to;
    return row;
  });
}

function eventCount(history: History): number {
  let n = 0;
  for (const op of history.operations) n = Math.max(n, op.call + 1, Number.isFinite(op.ret) ? op.ret + 1 : 0);
  return n;
}

function keysOf(history: History): string[] {
  const keys: string[] = [];
  for (const op of history.operations) {
    const k = op.key === undefined ? '' : JSON.stringify(op.key);
    if (!keys.includes(k)) keys.push(k);
  }
  return keys;
}

function makeBar(op: Operation, end: number, keys: string[], marks: Marks): Bar {
  const open = !Number.isFinite(op.ret);
  const mark = marks.prefix.get(op.line);
  const bar: Bar = {
    op,
    lane: 0,
    row: 0,
    x1: xAt(op.call),
    x2: open ? end : xAt(op.ret),
    open,
    label: '',
    key: keys.indexOf(op.key === undefined ? '' : JSON.stringify(op.key)),
    culprit: marks.culprit === op.line,
  };
  if (mark) {
    bar.order = mark.order;
    bar.stateAfter = mark.stateAfter;
  }
  bar.label = labelOf(bar);
  return bar;
}

const barSpan = (b: Bar): [number, number] => [b.x1, Math.max(b.x2, b.x1 + textWidth(b.label))];

function placeLanes(bars: Bar[], top: number): Lane[] {
  const processes = [...new Set(bars.map((b) => b.op.process))].sort((a, b) => a - b);
  let y = top;
  return processes.map((process, lane) => {
    const mine = bars.filter((b) => b.op.process === process);
    const rows = pack(mine, barSpan);
    mine.forEach((b, i) => {
      b.lane = lane;
      b.row = rows[i] ?? 0;
    });
    const l: Lane = { process, y, rows: Math.max(1, ...rows.map((r) => r + 1)) };
    y += l.rows * ROW_H;
    return l;
  });
}

function placeBands(faults: readonly Fault[], end: number): Band[] {
  const bands = faults.map((f) => ({
    ...f,
    x1: xAt(f.start),
    x2: Number.isFinite(f.end) ? xAt(f.end) : end,
    row: 0,
  }));
  const rows = pack(bands, (b) => [b.x1, Math.max(b.x2, b.x1 + textWidth(b.label))]);
  bands.forEach((b, i) => {
    b.row = rows[i] ?? 0;
  });
  return bands;
}

export function layout(history: History, result: CheckResult | undefined, faults: readonly Fault[]): Layout {
  const events = eventCount(history);
  const end = xAt(events) + STEP;
  const keys = keysOf(history);
  const marks = marksOf(result);
  const bars = history.operations.map((op) => makeBar(op, end, keys, marks));
  const bands = placeBands(faults, end);
  const bandRows = bands.length === 0 ? 0 : Math.max(...bands.map((b) => b.row + 1));
  const top = AXIS_H + bandRows * 16 + 6;
  const lanes = placeLanes(bars, top);
  const right = Math.max(
    end,
    ...bars.map((b) => barSpan(b)[1]),
    ...bands.map((b) => b.x1 + textWidth(b.label)),
  );
  const last = lanes[lanes.length - 1];
  const height = (last ? last.y + last.rows * ROW_H : top) + 10;
  return { bars, lanes, bands, keys, events, width: Math.ceil(right + 20), height, top };
}
