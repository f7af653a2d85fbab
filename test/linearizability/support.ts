/** Histories written by hand or by a generator, as the lines a file would hold. */
import {
  type CheckOptions,
  type CheckResult,
  checkHistory,
  MODELS,
  type Model,
  readHistory,
} from '../../src/linearizability';

export interface Event {
  process: number;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: string;
  key?: unknown;
  value: unknown;
}

type Maker = (process: number, f: string, value?: unknown, key?: unknown) => Event;
const maker =
  (type: Event['type']): Maker =>
  (process, f, value = null, key = undefined) =>
    key === undefined ? { process, type, f, value } : { process, type, f, key, value };

export const invoke = maker('invoke');
export const ok = maker('ok');
export const fail = maker('fail');
export const info = maker('info');

export const lines = (events: readonly Event[]): string => events.map((e) => JSON.stringify(e)).join('\n');

export function check(
  model: Model | string,
  events: readonly Event[],
  options: CheckOptions = {},
): CheckResult {
  const m = typeof model === 'string' ? (MODELS[model] as Model) : model;
  return checkHistory(readHistory('history.jsonl', lines(events)), m, options);
}
