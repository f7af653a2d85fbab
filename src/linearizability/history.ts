/**
 * Histories in Jepsen's form: one event per line (JSON objects, or EDN maps as Jepsen writes
 * history.edn), each `invoke` followed on the same process by its completion. Events are read
 * into operations with an interval: the invoke's position and the completion's (or +infinity
 * when the outcome is unknown). Positions in the file are the only clock: the file's order is
 * the real-time order the history claims.
 */
import { parseEDNString } from 'edn-data';

type EventType = 'invoke' | 'ok' | 'fail' | 'info';

interface HistoryEvent {
  process: number;
  type: EventType;
  f: string;
  /** Absent for a single register. */
  key?: unknown;
  value: unknown;
  /** 1-based line in the file. */
  line: number;
}

/** How an operation ended: `pending` had no completion at all (as unknown as `info`). */
export type Status = 'ok' | 'fail' | 'info' | 'pending';

export interface Operation {
  /** Index among the history's operations, in invoke order. */
  id: number;
  process: number;
  f: string;
  key?: unknown;
  /** The invoke's value. */
  value: unknown;
  /** The completion's value; undefined without one. */
  result: unknown;
  status: Status;
  /** Positions of the invoke and the completion among the events; `ret` is Infinity when unknown. */
  call: number;
  ret: number;
  line: number;
  returnLine?: number;
}

/** An event of Jepsen's fault injector: not an operation, but when a fault began or ended. */
export interface NemesisEvent {
  type: string;
  f: string;
  value: unknown;
  line: number;
  /** Between the client events around it: 2.5 lies after the third and before the fourth. */
  position: number;
}

export interface History {
  file: string;
  operations: Operation[];
  /** The nemesis's events, for pictures; the check ignores them. */
  nemesis?: NemesisEvent[];
}

/** Bad input: names the file and the line. */
export class HistoryError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${problem}`);
    this.name = 'HistoryError';
  }
}

const TYPES = new Set<string>(['invoke', 'ok', 'fail', 'info']);
/** Jepsen's fault injector writes its own invoke/info pairs; they are not client operations. */
const NEMESIS = 'nemesis';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

type Parsed = HistoryEvent | string | Omit<NemesisEvent, 'position'>;

const nemesisEvent = (type: unknown, f: unknown, value: unknown, line: number) => ({
  type: String(type),
  f: String(f),
  value: value ?? null,
  line,
});

/** One parsed line as an event, the nemesis's event, or what is wrong with the line. */
function toEvent(record: unknown, line: number): Parsed {
  if (!isRecord(record)) return 'expected one object';
  const { process, type, f, key, value } = record;
  if (process === NEMESIS) return nemesisEvent(type, f, value, line);
  if (typeof process !== 'number' || !Number.isSafeInteger(process))
    return `"process" must be an integer, got ${JSON.stringify(process) ?? 'nothing'}`;
  if (typeof type !== 'string' || !TYPES.has(type))
    return `"type" must be invoke, ok, fail or info, got ${JSON.stringify(type) ?? 'nothing'}`;
  if (typeof f !== 'string' || f === '')
    return `"f" must be a non-empty string, got ${JSON.stringify(f) ?? 'nothing'}`;
  const event: HistoryEvent = { process, type: type as EventType, f, value: value ?? null, line };
  if (key !== undefined) event.key = key;
  return event;
}

function jsonRecord(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
}

/** Jepsen writes big integers as 1N; JSON-like numbers are what the models compare. */
const unBig = (v: unknown): unknown => {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(unBig);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unBig(x)]));
  return v;
};

const EDN_OPTIONS = {
  mapAs: 'object',
  keywordAs: 'string',
  listAs: 'array',
  setAs: 'array',
  // Older Jepsen tags independent keys' pairs; the pair is all that matters.
  tagHandlers: { 'jepsen.independent/tuple': (v: unknown) => v },
} as const;

function ednRecord(text: string): unknown {
  // Wrapped in a vector so that an unfinished map or a second form on the line shows.
  let parsed: unknown;
  try {
    parsed = parseEDNString(`[${text}\n]`, EDN_OPTIONS);
  } catch {
    throw new Error('not EDN');
  }
  if (!Array.isArray(parsed) || parsed.length !== 1) throw new Error('expected one EDN map on the line');
  return unBig(parsed[0]);
}

export type Format = 'json' | 'edn';

/** EDN maps start with a keyword (`{:type ...}`), JSON objects with a string. */
function detectFormat(text: string): Format {
  const start = /^\s*\[?\s*\{\s*(.)/.exec(text);
  return start?.[1] === ':' ? 'edn' : 'json';
}

/** One content line without a whole-file vector's brackets (`[{...}` first, `{...}]` last). */
function unwrapEdnLine(text: string, first: boolean, last: boolean): string {
  let t = text.trim();
  if (first && t.startsWith('[')) t = t.slice(1);
  if (last && /\}\s*\]$/.test(t)) t = t.slice(0, -1);
  return t;
}

interface Events {
  events: HistoryEvent[];
  nemesis: NemesisEvent[];
}

function readEvents(file: string, text: string, format = detectFormat(text)): Events {
  const lines = text.split(/\r?\n/);
  const content = lines.flatMap((l, i) => (l.trim() === '' ? [] : [i]));
  const events: HistoryEvent[] = [];
  const nemesis: NemesisEvent[] = [];
  content.forEach((index, n) => {
    const raw = lines[index] ?? '';
    const line = index + 1;
    let event: Parsed;
    try {
      event =
        format === 'json'
          ? toEvent(jsonRecord(raw), line)
          : toEvent(ednRecord(unwrapEdnLine(raw, n === 0, n === content.length - 1)), line);
    } catch (err) {
      throw new HistoryError(file, line, (err as Error).message);
    }
    if (typeof event === 'string') throw new HistoryError(file, line, event);
    if ('process' in event) events.push(event);
    else nemesis.push({ ...event, position: events.length - 0.5 });
  });
  if (format === 'edn') splitIndependentKeys(events);
  return { events, nemesis };
}

/**
 * Jepsen's independent histories carry `[key value]` pairs as values. Told apart by every
 * event's value being a pair (a single register's reads invoke with nil); a history of
 * nothing but cas operations on one register would be taken for one with keys.
 */
function splitIndependentKeys(events: HistoryEvent[]): void {
  const pairs = events.length > 0 && events.every((e) => Array.isArray(e.value) && e.value.length === 2);
  if (!pairs || events.some((e) => e.key !== undefined)) return;
  for (const e of events) {
    const [key, value] = e.value as [unknown, unknown];
    e.key = key;
    e.value = value;
  }
}

const sameKey = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function open(e: HistoryEvent, id: number, call: number): Operation {
  const op: Operation = {
    id,
    process: e.process,
    f: e.f,
    value: e.value,
    result: undefined,
    status: 'pending',
    call,
    ret: Number.POSITIVE_INFINITY,
    line: e.line,
  };
  if (e.key !== undefined) op.key = e.key;
  return op;
}

/** Closes `op` with its completion, or says what does not match. */
function close(op: Operation, e: HistoryEvent, ret: number): string | undefined {
  if (e.f !== op.f) return `completion "${e.f}" does not match its invoke "${op.f}" (line ${op.line})`;
  if (e.key !== undefined && !sameKey(e.key, op.key))
    return `completion's key ${JSON.stringify(e.key)} differs from its invoke's (line ${op.line})`;
  op.status = e.type as Status;
  op.result = e.value;
  op.returnLine = e.line;
  // After an info the outcome stays unknown: it may take effect any time later.
  if (e.type !== 'info') op.ret = ret;
  return undefined;
}

/** Pairs each invoke with its process's next event, which must complete it. */
function pairOperations(file: string, events: readonly HistoryEvent[]): Operation[] {
  const operations: Operation[] = [];
  const pending = new Map<number, Operation>();
  events.forEach((e, position) => {
    const current = pending.get(e.process);
    if (e.type === 'invoke') {
      if (current)
        throw new HistoryError(
          file,
          e.line,
          `process ${e.process} invokes again before its invoke at line ${current.line} completed`,
        );
      const op = open(e, operations.length, position);
      operations.push(op);
      pending.set(e.process, op);
      return;
    }
    if (!current) throw new HistoryError(file, e.line, `process ${e.process} completes nothing: no invoke`);
    const problem = close(current, e, position);
    if (problem) throw new HistoryError(file, e.line, problem);
    pending.delete(e.process);
  });
  return operations;
}

export function readHistory(file: string, text: string, format?: Format): History {
  const { events, nemesis } = readEvents(file, text, format);
  const history: History = { file, operations: pairOperations(file, events) };
  if (nemesis.length > 0) history.nemesis = nemesis;
  return history;
}
