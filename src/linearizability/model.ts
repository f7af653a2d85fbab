/**
 * What the checker knows of a data type: a sequential specification, a state at a time.
 * The search never looks inside states; it steps them, compares them and hashes them.
 */
import type { Operation } from './history';

export type StepResult<S> = { ok: true; next: S } | { ok: false };

/** An operation in the model's own terms; `output` undefined when its outcome is unknown. */
interface ModelOp<I, O> {
  input: I;
  output: O | undefined;
}

/** What `read` makes of an operation: one to place, or one to leave out of the search. */
export type Reading<I, O> = ModelOp<I, O> | 'omit';

export interface Model<S = unknown, I = unknown, O = unknown> {
  name: string;
  summary: string;
  init(): S;
  /**
   * The operation in the model's terms; 'omit' for one that cannot change what anyone sees
   * (a fail that did not happen, a read whose answer never came). Throws ModelInputError on
   * values the model cannot read.
   */
  read(op: Operation): Reading<I, O>;
  /** Applies the operation to the state; not ok when this output cannot come from this state. */
  step(state: S, input: I, output: O | undefined): StepResult<S>;
  equal(a: S, b: S): boolean;
  /** A 32-bit hash, equal for equal states. */
  hash(state: S): number;
  /** Operations on different partitions commute: each partition is checked on its own. */
  partition(op: Operation): string;
  describeState(state: S): string;
  describe(op: Operation): string;
}

/** Values the model cannot read; the caller adds the file and the line. */
export class ModelInputError extends Error {
  override name = 'ModelInputError';

  /** `inCompletion`: the completion's value is at fault, not the invoke's. */
  constructor(
    message: string,
    readonly inCompletion = false,
  ) {
    super(message);
  }
}

export const refused = { ok: false } as const;
export const to = <S>(next: S): StepResult<S> => ({ ok: true, next });

/** FNV-1a over the string's UTF-16 units: states hash their canonical text. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Partitions by the event's `key` (one partition when there are none). */
export const byKey = (op: Operation): string => (op.key === undefined ? '' : JSON.stringify(op.key));

const show = (v: unknown) => JSON.stringify(v) ?? 'nothing';

/** `read null -> 3`, `write 4 -> ?` (unknown), `cas [1,2] -> fail`: the history's own values. */
export function describeOperation(op: Operation): string {
  const outcome =
    op.status === 'ok'
      ? show(op.result)
      : op.status === 'fail'
        ? `fail ${show(op.result)}`
        : op.status === 'info'
          ? '? (info)'
          : '? (no completion)';
  const key = op.key === undefined ? '' : ` key ${show(op.key)}`;
  return `process ${op.process}${key}: ${op.f} ${show(op.value)} -> ${outcome}`;
}
