/**
 * Reading `paxos serve --trace` files: one record per line, each checked for the fields the
 * replay relies on, so that a bad file is refused naming its line instead of failing later
 * as a protocol error. A last line cut short (the process was killed mid-write) is skipped.
 */
import { TraceInputError } from '../events';
import { firstRecord, isObject } from '../jsonLines';
import type { ServeTraceRecord } from '../serveRecord';

export interface ServeInput {
  file: string;
  text: string;
}

/** A record and where it was read. */
export interface Located {
  record: ServeTraceRecord;
  file: string;
  line: number;
}

/** Whether a file's first record is a register peer's (`paxos serve --trace`). */
export const looksServe = (text: string): boolean => firstRecord(text)?.serve === 1;

const KIND_FIELDS: Record<ServeTraceRecord['kind'], [string, (v: unknown) => boolean][]> = {
  boot: [],
  load: [
    ['key', (v) => typeof v === 'string'],
    ['durable', (v) => v === null || isObject(v)],
  ],
  drop: [['key', (v) => typeof v === 'string']],
  step: [
    ['key', (v) => typeof v === 'string'],
    ['input', (v) => isObject(v) && typeof v.type === 'string'],
    ['sent', Array.isArray],
    ['timers', Array.isArray],
    ['completed', Array.isArray],
  ],
  saved: [['keys', isObject]],
};

function problemOf(v: unknown): string | undefined {
  if (!isObject(v)) return 'not a JSON object';
  if (v.serve !== 1) return 'not a register peer\'s record (no "serve":1)';
  if (typeof v.peer !== 'string') return "field 'peer' must be a string";
  for (const f of ['id', 'boot', 'seq', 'batch'])
    if (!Number.isSafeInteger(v[f]) || (v[f] as number) < 0) return `field '${f}' must be an integer >= 0`;
  const fields = KIND_FIELDS[v.kind as ServeTraceRecord['kind']];
  if (typeof v.kind !== 'string' || !fields)
    return `field 'kind' must be one of ${Object.keys(KIND_FIELDS).join(', ')}`;
  const bad = fields.find(([f, ok]) => !ok(v[f]));
  return bad ? `a ${v.kind} record needs a valid '${bad[0]}'` : undefined;
}

export function readServeFile(input: ServeInput): Located[] {
  const lines = input.text.split('\n');
  const out: Located[] = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      // Only the last line may be cut short: the process was killed as it wrote it.
      if (lines.slice(i + 1).every((l) => l.trim() === '')) return;
      throw new TraceInputError(input.file, i + 1, 'not JSON');
    }
    const problem = problemOf(v);
    if (problem) throw new TraceInputError(input.file, i + 1, problem);
    out.push({ record: v as ServeTraceRecord, file: input.file, line: i + 1 });
  });
  if (out.length === 0)
    throw new TraceInputError(input.file, undefined, 'no record of a register peer in it');
  return out;
}
