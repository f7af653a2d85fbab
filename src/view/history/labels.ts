/**
 * Each operation's text, as the history has it (f, key, value, result), and what the verdict
 * says of it: its place in the longest linearizable prefix with the model's state after it,
 * or that it is the operation that cannot be placed. ASCII only, so that widths are known.
 */
import type { CheckResult } from '../../linearizability/index';
import type { Bar } from './layout';

export interface Marks {
  /** By the operation's line: its 1-based place in the prefix and the state after it. */
  prefix: Map<number, { order: number; stateAfter: string }>;
  culprit?: number;
}

const LONGEST = 48;

const cut = (text: string) => (text.length > LONGEST ? `${text.slice(0, LONGEST - 3)}...` : text);
const show = (v: unknown): string => cut(JSON.stringify(v) ?? 'nothing');

export function marksOf(result: CheckResult | undefined): Marks {
  const marks: Marks = { prefix: new Map() };
  const f = result?.failure;
  if (!f) return marks;
  f.prefix.forEach((p, i) => {
    marks.prefix.set(p.line, { order: i + 1, stateAfter: p.stateAfter });
  });
  marks.culprit = f.operation.line;
  return marks;
}

function outcome(bar: Bar): string {
  const { status, result } = bar.op;
  if (status === 'ok') return `-> ${show(result)}`;
  if (status === 'fail') return `x fail${result === null || result === undefined ? '' : ` ${show(result)}`}`;
  return status === 'info' ? '? info' : '? no reply';
}

export function labelOf(bar: Bar): string {
  const { op } = bar;
  const key = op.key === undefined ? '' : `${show(op.key)}: `;
  const value = op.value === null ? '' : ` ${show(op.value)}`;
  const before = bar.culprit ? '!! cannot place: ' : bar.order === undefined ? '' : `#${bar.order} `;
  const after = bar.stateAfter === undefined ? '' : ` => ${cut(bar.stateAfter)}`;
  return `${before}${key}${op.f}${value} ${outcome(bar)}${after}`;
}

/** The tooltip: everything, unshortened, with the lines. */
export function titleOf(bar: Bar): string {
  const { op } = bar;
  const lines = [
    `process ${op.process}${op.key === undefined ? '' : `, key ${JSON.stringify(op.key)}`}: ${op.f} ${JSON.stringify(op.value)}`,
    `status ${op.status}${op.result === undefined ? '' : `, result ${JSON.stringify(op.result)}`}`,
    `invoke at line ${op.line} (event ${op.call})` +
      (op.returnLine === undefined ? '' : `, completion at line ${op.returnLine}`) +
      (Number.isFinite(op.ret) ? ` (event ${op.ret})` : ', outcome unknown'),
  ];
  if (bar.order !== undefined)
    lines.push(`#${bar.order} of the longest linearizable prefix; state after: ${bar.stateAfter}`);
  if (bar.culprit) lines.push('cannot be placed after the longest linearizable prefix');
  return lines.join('\n');
}
