/** Verdicts for people (PASS/FAIL/UNKNOWN lines, as `paxos trace` prints) and for programs (one JSON object). */
import type { CheckResult, ReportedOp } from './index';

export type FileVerdict =
  | ({ file: string; seconds: number } & CheckResult)
  | { file: string; verdict: 'ERROR'; error: string };

export type Overall = 'LINEARIZABLE' | 'NOT_LINEARIZABLE' | 'UNKNOWN' | 'ERROR';

/** Bad input first (nothing was checked there), then a violation, then an open question. */
export function overall(files: readonly FileVerdict[]): Overall {
  for (const v of ['ERROR', 'NOT_LINEARIZABLE', 'UNKNOWN'] as const)
    if (files.some((f) => f.verdict === v)) return v;
  return 'LINEARIZABLE';
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
/** A long prefix is summed up by its end, where the trouble is. */
const PREFIX_SHOWN = 20;

const counts = (r: CheckResult & { seconds: number }) =>
  `${plural(r.operations, 'operation')} over ${plural(r.keys, 'key')}, ${plural(r.steps, 'search step')}, ${r.seconds.toFixed(3)} s`;

const at = (op: ReportedOp) => `line ${op.line}: ${op.text}`;

function failureLines(r: CheckResult): string[] {
  const f = r.failure;
  if (!f) return [];
  const shown = f.prefix.slice(-PREFIX_SHOWN);
  const lines = [
    `  cannot be placed: ${at(f.operation)}`,
    `  longest linearizable prefix found: ${plural(f.prefix.length, 'operation')} from state ${f.initialState}${f.prefix.length > shown.length ? `, the last ${shown.length}:` : ':'}`,
  ];
  for (const p of shown) lines.push(`    ${at(p)}  => ${p.stateAfter}`);
  return lines;
}

export function formatText(v: FileVerdict): string {
  if (v.verdict === 'ERROR') return `ERROR ${v.error}`;
  if (v.verdict === 'LINEARIZABLE') return `PASS ${v.file}: linearizable; ${counts(v)}`;
  if (v.verdict === 'UNKNOWN') return `UNKNOWN ${v.file}: ${v.unknown}; ${counts(v)}`;
  return [`FAIL ${v.file}: not linearizable; ${counts(v)}`, ...failureLines(v)].join('\n');
}

export const formatJson = (model: string, files: readonly FileVerdict[]): string =>
  JSON.stringify({ model, verdict: overall(files), files });
