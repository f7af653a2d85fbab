/**
 * The register service's API (interface.md): per key a state {value, version}, version 0
 * and value null when never written. `get` answers the state; `put {value, ifVersion?}` and
 * `delete {ifVersion?}` add one to the version when it matches (or when there is no
 * ifVersion) and answer the new state.
 *
 * A 409 (a `fail` carrying the current state) is kept, not left out: the service compared
 * the versions at one instant between request and answer and reported the state it saw, so
 * it is a read of the state that changes nothing, and it must fit where a read would. A
 * `fail` without a state (a 503 that certainly did not take effect) is left out.
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

export interface State {
  value: string | null;
  version: number;
}
export type Input =
  | { f: 'get' }
  | { f: 'put'; value: string; ifVersion?: number }
  | { f: 'delete'; ifVersion?: number };
/** What the service answered: the new state (200) or the state it saw when it refused (409). */
export interface Output {
  conflict: boolean;
  state: State;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isVersion = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function stateOf(op: Operation, v: unknown): State {
  if (!isRecord(v) || !(typeof v.value === 'string' || v.value === null) || !isVersion(v.version))
    throw new ModelInputError(
      `${op.f}'s answer must be {"value": string or null, "version": integer >= 0}, got ${JSON.stringify(v)}`,
      true,
    );
  return { value: v.value, version: v.version };
}

function ifVersionOf(op: Operation, body: Record<string, unknown>): { ifVersion?: number } {
  if (body.ifVersion === undefined) return {};
  if (!isVersion(body.ifVersion))
    throw new ModelInputError(
      `${op.f}'s ifVersion must be an integer >= 0, got ${JSON.stringify(body.ifVersion)}`,
    );
  return { ifVersion: body.ifVersion };
}

function input(op: Operation): Input {
  const body = op.value;
  if (op.f === 'get') return { f: 'get' };
  if (op.f === 'put') {
    if (!isRecord(body) || typeof body.value !== 'string')
      throw new ModelInputError(
        `put's value must be {"value": string, "ifVersion"?: N}, got ${JSON.stringify(body)}`,
      );
    return { f: 'put', value: body.value, ...ifVersionOf(op, body) };
  }
  if (op.f === 'delete') {
    if (body !== null && !isRecord(body))
      throw new ModelInputError(
        `delete's value must be null or {"ifVersion": N}, got ${JSON.stringify(body)}`,
      );
    return { f: 'delete', ...(body === null ? {} : ifVersionOf(op, body)) };
  }
  throw new ModelInputError(`registers has get, put and delete; not "${op.f}"`);
}

function read(op: Operation): Reading<Input, Output> {
  const i = input(op);
  if (op.status === 'info' || op.status === 'pending')
    return i.f === 'get' ? 'omit' : { input: i, output: undefined };
  if (op.status === 'ok') return { input: i, output: { conflict: false, state: stateOf(op, op.result) } };
  if (op.result === null || op.result === undefined || i.f === 'get') return 'omit';
  if (i.ifVersion === undefined)
    throw new ModelInputError(`a ${op.f} without ifVersion cannot be refused with a state (a 409)`);
  return { input: i, output: { conflict: true, state: stateOf(op, op.result) } };
}

const same = (a: State, b: State) => a.version === b.version && a.value === b.value;

function step(state: State, i: Input, output: Output | undefined): StepResult<State> {
  if (i.f === 'get') return output === undefined || same(output.state, state) ? to(state) : refused;
  const matches = i.ifVersion === undefined || i.ifVersion === state.version;
  if (output?.conflict) return !matches && same(output.state, state) ? to(state) : refused;
  if (!matches) return refused;
  const next = { value: i.f === 'put' ? i.value : null, version: state.version + 1 };
  return output === undefined || same(output.state, next) ? to(next) : refused;
}

export const registers: Model<State, Input, Output> = {
  name: 'registers',
  summary:
    "this service's: per key {value, version}; get, put and delete with optional ifVersion; a 409 observes",
  init: () => ({ value: null, version: 0 }),
  read,
  step,
  equal: same,
  hash: (s) => Math.imul(s.version, 0x9e3779b1) ^ (s.value === null ? 0x5bd1e995 : hashString(s.value)),
  partition: byKey,
  describeState: (s) => JSON.stringify(s),
  describe: describeOperation,
};
