/**
 * A register run's verdict: every key's history through the linearizability checker
 * (`registers` model, each key on its own: keys are independent, and a key the checker
 * cannot decide must not hide a violation on another), and every counter's final value
 * against what its clients were told: at least the acknowledged increments (fewer is a lost
 * write), at most those plus the ones in doubt.
 */
import { checkHistory, readHistory } from '../../linearizability/index';
import { registers } from '../../linearizability/models/registers';
import { type FileVerdict, formatText } from '../../linearizability/report';
import type { CounterTally, HistoryEvent } from './workload';

export type RegistersVerdict = 'valid' | 'invalid' | 'unknown' | 'error';

export interface KeyVerdict {
  key: string;
  /** The file name the key's history is kept under. */
  file: string;
  text: string;
  check: FileVerdict;
}

export interface CounterVerdict {
  key: string;
  acknowledged: number;
  unknown: number;
  final?: number;
  /** Acknowledged increments the final value does not hold. */
  lost: number;
  problem?: string;
}

const historyFile = (key: string) => `${encodeURIComponent(key)}.jsonl`;

/** The key's own events and every nemesis event, in the order they happened. */
function keyHistoryText(events: readonly HistoryEvent[], key: string): string {
  return events
    .filter((e) => e.process === 'nemesis' || e.key === key)
    .map((e) => `${JSON.stringify(e)}\n`)
    .join('');
}

export function checkKey(events: readonly HistoryEvent[], key: string, timeLimitMs: number): KeyVerdict {
  const file = historyFile(key);
  const text = keyHistoryText(events, key);
  const started = performance.now();
  const result = checkHistory(readHistory(file, text), registers, { timeLimitMs });
  return { key, file, text, check: { file, seconds: (performance.now() - started) / 1000, ...result } };
}

export function checkCounter(key: string, tally: CounterTally, final: { value: string | null } | undefined) {
  const verdict: CounterVerdict = { key, ...tally, lost: 0 };
  if (!final) return { ...verdict, problem: `${key}: no final read succeeded after the heal` };
  const value = final.value === null ? 0 : Number(final.value);
  if (!Number.isSafeInteger(value))
    return { ...verdict, problem: `${key} ends at ${JSON.stringify(final.value)}, not a count` };
  verdict.final = value;
  verdict.lost = Math.max(0, tally.acknowledged - value);
  if (verdict.lost > 0)
    verdict.problem = `${key} ends at ${value}, below its ${tally.acknowledged} acknowledged increments: ${verdict.lost} lost`;
  else if (value > tally.acknowledged + tally.unknown)
    verdict.problem = `${key} ends at ${value}, above its ${tally.acknowledged} acknowledged and ${tally.unknown} unknown increments`;
  return verdict;
}

/** The run's verdict and, when it is not valid, why, naming the key and where its history is. */
export function runVerdict(
  keys: readonly KeyVerdict[],
  counters: readonly CounterVerdict[],
  where: (file: string) => string,
): { verdict: RegistersVerdict; problem?: string } {
  const bad = keys.find((k) => k.check.verdict === 'NOT_LINEARIZABLE');
  if (bad) {
    const op = bad.check.verdict === 'NOT_LINEARIZABLE' ? bad.check.failure?.operation : undefined;
    const what = op ? `line ${op.line}: ${op.text}` : 'an operation';
    return {
      verdict: 'invalid',
      problem: `key ${bad.key}: cannot place ${what} (history ${where(bad.file)})`,
    };
  }
  const counter = counters.find((c) => c.problem && c.final !== undefined);
  if (counter)
    return {
      verdict: 'invalid',
      problem: `counter ${counter.problem} (history ${where(historyFile(counter.key))})`,
    };
  const open = keys.find((k) => k.check.verdict === 'UNKNOWN');
  if (open) return { verdict: 'unknown', problem: `key ${open.key}: ${formatText(open.check)}` };
  const missing = counters.find((c) => c.problem);
  if (missing) return { verdict: 'error', problem: missing.problem as string };
  return { verdict: 'valid' };
}
