/**
 * A register as one key's acceptors hold it, and the operations a round applies to it
 * (interface.md, "The register service's outside contract"). The acceptor machine is the
 * lab's and stores a string, so a register's state travels as the string `encodeRegister`
 * makes; "nothing accepted yet" is the register never written (version 0).
 *
 * Every operation is a change of the current state, as in CASPaxos: a get and a refused
 * put-if-version change nothing, yet their rounds still write the state back at their own
 * ballot. That write is what makes their answer linearizable: without it, a get could
 * answer a value one acceptor accepted in a round that never completed, which a later get
 * whose quorum misses that acceptor would not see.
 */
import type { Value } from './messages';

export interface RegisterState {
  /** null when never written or deleted. */
  value: Value | null;
  /** Changes so far: each put or delete adds one; 0 for a register never written. */
  version: number;
}

const EMPTY_REGISTER: RegisterState = { value: null, version: 0 };

/** `ifVersion`: change only if the current version is this (0: only if never written). */
export type Operation =
  | { kind: 'get' }
  | { kind: 'put'; value: Value; ifVersion?: number }
  | { kind: 'delete'; ifVersion?: number };

/** What a completed round answers: the state after it, or the state that refused it. */
export interface RoundResult {
  outcome: 'ok' | 'mismatch';
  state: RegisterState;
}

/** The change an operation makes to `current`: what the round writes back is `result.state`. */
export function change(operation: Operation, current: RegisterState): RoundResult {
  if (operation.kind === 'get') return { outcome: 'ok', state: current };
  if (operation.ifVersion !== undefined && operation.ifVersion !== current.version)
    return { outcome: 'mismatch', state: current };
  const value = operation.kind === 'put' ? operation.value : null;
  return { outcome: 'ok', state: { value, version: current.version + 1 } };
}

export const encodeRegister = (state: RegisterState): Value =>
  JSON.stringify({ version: state.version, value: state.value });

/** The state an acceptor's value holds; a value no register round wrote is a wiring bug. */
export function decodeRegister(accepted: Value | null): RegisterState {
  if (accepted === null) return EMPTY_REGISTER;
  const parsed: unknown = JSON.parse(accepted);
  if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && 'value' in parsed) {
    const { version, value } = parsed;
    if (
      Number.isSafeInteger(version) &&
      (version as number) >= 0 &&
      (value === null || typeof value === 'string')
    )
      return { version: version as number, value };
  }
  throw new Error(`not a register: ${accepted}`);
}
