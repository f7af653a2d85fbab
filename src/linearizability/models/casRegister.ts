/**
 * Jepsen's cas-register: `read` (null when never written), `write v`, `cas [from, to]`.
 * A fail is a cas that found another value than `from`: as Jepsen does, it did not happen
 * and is left out (it observed "not from" at some instant, which constrains too little to
 * be worth a place in the search).
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

/** Values are compared as their JSON text, so the state is that text. */
type State = string;
type Input = { f: 'read' } | { f: 'write'; value: string } | { f: 'cas'; from: string; to: string };

const text = (v: unknown): string => JSON.stringify(v ?? null);

function input(op: Operation): Input {
  if (op.f === 'read') return { f: 'read' };
  if (op.f === 'write') return { f: 'write', value: text(op.value) };
  if (op.f === 'cas') {
    if (!Array.isArray(op.value) || op.value.length !== 2)
      throw new ModelInputError(`cas needs [from, to], got ${JSON.stringify(op.value)}`);
    return { f: 'cas', from: text(op.value[0]), to: text(op.value[1]) };
  }
  throw new ModelInputError(`cas-register has read, write and cas; not "${op.f}"`);
}

function read(op: Operation): Reading<Input, State> {
  const i = input(op);
  if (op.status === 'fail') return 'omit';
  if (op.status !== 'ok') return i.f === 'read' ? 'omit' : { input: i, output: undefined };
  return { input: i, output: i.f === 'read' ? text(op.result) : undefined };
}

function step(state: State, i: Input, output: State | undefined): StepResult<State> {
  switch (i.f) {
    case 'read':
      return output === undefined || output === state ? to(state) : refused;
    case 'write':
      return to(i.value);
    case 'cas':
      return state === i.from ? to(i.to) : refused;
  }
}

export const casRegister: Model<State, Input, State> = {
  name: 'cas-register',
  summary: "Jepsen's: read (null when unset), write v, cas [from, to]; fails left out",
  init: () => 'null',
  read,
  step,
  equal: (a, b) => a === b,
  hash: hashString,
  partition: byKey,
  describeState: (s) => s,
  describe: describeOperation,
};
