/**
 * Linearizability of a history against a model: the history is split by the model's
 * partition (P-compositionality: a history is linearizable when each key's sub-history is),
 * each partition searched on its own, under one budget for the whole history.
 */
import { type History, HistoryError, type Operation, type Status } from './history';
import { type Model, ModelInputError } from './model';
import { type Budget, type Candidate, type SearchOutcome, searchPartition } from './search';

export { type History, HistoryError, readHistory } from './history';
export type { Model } from './model';
export { MODELS, modelNames } from './models/index';

type Verdict = 'LINEARIZABLE' | 'NOT_LINEARIZABLE' | 'UNKNOWN';

export interface CheckOptions {
  /** Search steps (candidates tried and choices undone) over the whole history. */
  maxSteps?: number;
  /** Milliseconds of wall time over the whole history. */
  timeLimitMs?: number;
}

export const DEFAULT_MAX_STEPS = 20_000_000;

/** An operation as the report names it: where it is and what it did. */
export interface ReportedOp {
  line: number;
  process: number;
  f: string;
  key?: unknown;
  value: unknown;
  type: Status;
  result?: unknown;
  text: string;
}

interface Failure {
  key?: unknown;
  /** The operation that cannot be placed. */
  operation: ReportedOp;
  /** The longest linearizable prefix found, each operation with the model's state after it. */
  prefix: (ReportedOp & { stateAfter: string })[];
  initialState: string;
}

export interface CheckResult {
  verdict: Verdict;
  /** Operations in the history, and those the search had to place or could (fails left out are not). */
  operations: number;
  searched: number;
  keys: number;
  steps: number;
  failure?: Failure;
  /** Why the answer is UNKNOWN. */
  unknown?: string;
}

function report(model: Model, op: Operation): ReportedOp {
  const r: ReportedOp = {
    line: op.line,
    process: op.process,
    f: op.f,
    value: op.value,
    type: op.status,
    text: '',
  };
  if (op.key !== undefined) r.key = op.key;
  if (op.result !== undefined) r.result = op.result;
  r.text = model.describe(op);
  return r;
}

/** Each operation in the model's terms, grouped by partition in order of first appearance. */
function partitions(file: string, model: Model, operations: readonly Operation[]): Candidate[][] {
  const groups = new Map<string, Candidate[]>();
  for (const op of operations) {
    let reading: ReturnType<Model['read']>;
    try {
      reading = model.read(op);
    } catch (err) {
      if (!(err instanceof ModelInputError)) throw err;
      throw new HistoryError(file, err.inCompletion ? (op.returnLine ?? op.line) : op.line, err.message);
    }
    if (reading === 'omit') continue;
    const required = op.status === 'ok' || op.status === 'fail';
    const key = model.partition(op);
    const group = groups.get(key) ?? [];
    group.push({ op, input: reading.input, output: reading.output, required });
    groups.set(key, group);
  }
  return [...groups.values()];
}

function failure(model: Model, outcome: Extract<SearchOutcome, { verdict: 'NOT_LINEARIZABLE' }>): Failure {
  const f: Failure = {
    operation: report(model, outcome.culprit.op),
    prefix: outcome.prefix.map((p) => ({
      ...report(model, p.candidate.op),
      stateAfter: model.describeState(p.state),
    })),
    initialState: model.describeState(model.init()),
  };
  if (outcome.culprit.op.key !== undefined) f.key = outcome.culprit.op.key;
  return f;
}

function unknownReason(budget: Budget, options: CheckOptions, done: number, keys: number): string {
  const what =
    budget.steps > budget.maxSteps
      ? `the budget of ${budget.maxSteps} search ${budget.maxSteps === 1 ? 'step' : 'steps'} ran out`
      : `the time limit of ${(options.timeLimitMs ?? 0) / 1000} s ran out`;
  return `${what} with ${done} of ${keys} ${keys === 1 ? 'key' : 'keys'} checked`;
}

/** Throws HistoryError on operations the model cannot read. */
export function checkHistory(history: History, model: Model, options: CheckOptions = {}): CheckResult {
  const groups = partitions(history.file, model, history.operations);
  const budget: Budget = {
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    deadline: options.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeLimitMs,
    steps: 0,
  };
  const result: CheckResult = {
    verdict: 'LINEARIZABLE',
    operations: history.operations.length,
    searched: groups.reduce((n, g) => n + g.length, 0),
    keys: groups.length,
    steps: 0,
  };
  for (const [done, group] of groups.entries()) {
    const outcome = searchPartition(model, group, budget);
    result.steps = Math.min(budget.steps, budget.maxSteps);
    if (outcome.verdict === 'LINEARIZABLE') continue;
    result.verdict = outcome.verdict;
    if (outcome.verdict === 'NOT_LINEARIZABLE') result.failure = failure(model, outcome);
    else result.unknown = unknownReason(budget, options, done, groups.length);
    return result;
  }
  return result;
}
