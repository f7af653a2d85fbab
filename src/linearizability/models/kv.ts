/**
 * A key-value store, each key a string that starts as "": `get` answers it, `put v` sets it,
 * `append v` adds to its end. A fail did not happen and is left out.
 */
import type { Operation } from '../history';
import {
  byKey,
  describeOperation,
  hashString,
  type Model,
  ModelInputError,
  type Reading,
  refused,
  type StepResult,
  to,
} from '../model';

type State = string;
type Input = { f: 'get' } | { f: 'put' | 'append'; value: string };

function stringOf(op: Operation, v: unknown, what: 'value' | 'answer'): string {
  if (typeof v !== 'string')
    throw new ModelInputError(
      `${op.f}'s ${what} must be a string, got ${JSON.stringify(v)}`,
      what === 'answer',
    );
  return v;
}

function input(op: Operation): Input {
  if (op.f === 'get') return { f: 'get' };
  if (op.f === 'put' || op.f === 'append') return { f: op.f, value: stringOf(op, op.value, 'value') };
  throw new ModelInputError(`kv has get, put and append; not "${op.f}"`);
}

function read(op: Operation): Reading<Input, State> {
  const i = input(op);
  if (op.status === 'fail') return 'omit';
  if (op.status !== 'ok') return i.f === 'get' ? 'omit' : { input: i, output: undefined };
  // A get's answer may be null for a key never written: the same as "".
  return { input: i, output: i.f === 'get' ? stringOf(op, op.result ?? '', 'answer') : undefined };
}

function step(state: State, i: Input, output: State | undefined): StepResult<State> {
  switch (i.f) {
    case 'get':
      return output === undefined || output === state ? to(state) : refused;
    case 'put':
      return to(i.value);
    case 'append':
      return to(state + i.value);
  }
}

export const kv: Model<State, Input, State> = {
  name: 'kv',
  summary: 'per key a string, "" at first: get, put v, append v; fails left out',
  init: () => '',
  read,
  step,
  equal: (a, b) => a === b,
  hash: hashString,
  partition: byKey,
  describeState: (s) => JSON.stringify(s),
  describe: describeOperation,
};
