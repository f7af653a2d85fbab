/**
 * How `paxos check` reports a CheckResult: a few lines for people (and, with --json, one
 * JSON object as the last line for programs), a counterexample as numbered steps whose
 * log lines are the lab's, and a progress line for stderr.
 */
import type { CheckResult, Progress, TraceStep } from '../check/result';
import type { LivenessReport, StuckReport } from '../check/search';

const count = (n: number) => n.toLocaleString('en-US');
const rate = (states: number, seconds: number) => (seconds > 0 ? count(Math.round(states / seconds)) : '-');

export function progressLine(p: Progress): string {
  return (
    `progress: ${count(p.distinctStates)} distinct states, depth ${p.depth}, ${count(p.queued)} queued, ` +
    `${p.seconds.toFixed(0)} s (${rate(p.distinctStates, p.seconds)} states/s)`
  );
}

export function summaryLines(r: CheckResult): string[] {
  const lines = [
    `${count(r.distinctStates)} distinct states, depth ${r.depth}, ${count(r.transitions)} transitions, ` +
      `${r.seconds.toFixed(1)} s (${rate(r.distinctStates, r.seconds)} states/s)`,
  ];
  const [v] = r.violations;
  if (v) {
    lines.push(`VIOLATION of ${v.invariant}; a shortest counterexample, ${v.trace.length - 1} steps:`);
    lines.push(...traceLines(v.trace));
  } else if (r.complete) lines.push('complete: every reachable state checked, no violation');
  else lines.push('INCOMPLETE: a bound (--max-states or --max-depth) stopped the search; nothing was proved');
  return lines;
}

/** What --liveness found, or that it judged nothing (a bound or a violation stopped the search). */
export function livenessLines(l: LivenessReport | null): string[] {
  if (l === null) return ['liveness: not judged, the search did not see every world'];
  const one = (what: string, r: StuckReport): string[] =>
    r.count === 0
      ? [`liveness ${what}: no stuck world`]
      : [
          `liveness ${what}: STUCK, ${count(r.count)} worlds from which no decision is reachable; a shortest path to one, ${(r.trace?.length ?? 1) - 1} steps:`,
          ...traceLines(r.trace ?? []),
        ];
  return [
    ...one('(any steps, faults included)', l.stuck),
    ...one('(once faults stop)', l.stuckWithoutFaults),
    `liveness: every participating peer choosing judged over ${count(l.edges)} steps between distinct worlds (a world where the round bound stops a proposer counts as alive)`,
  ];
}

/** The --json fields of --liveness: null when not judged. */
export function livenessJson(l: LivenessReport | null): { stuck: unknown; stuckWithoutFaults: unknown } {
  const field = (r: StuckReport) => ({ worlds: r.count, path: r.trace ?? null });
  return l === null
    ? { stuck: null, stuckWithoutFaults: null }
    : { stuck: field(l.stuck), stuckWithoutFaults: field(l.stuckWithoutFaults) };
}

function traceLines(trace: readonly TraceStep[]): string[] {
  const out: string[] = [];
  trace.forEach((step, i) => {
    out.push(`${String(i).padStart(3)}. ${step.action}`);
    const state = step.state as { peer?: string; lines?: string[]; violation?: string } | null;
    if (state && Array.isArray(state.lines)) {
      for (const line of state.lines) out.push(`       ${state.peer ?? ''} ${line}`);
      if (i === trace.length - 1) {
        const { lines: _lines, peer: _peer, violation, ...world } = state as Record<string, unknown>;
        out.push(`       state: ${JSON.stringify(world)}`);
        if (typeof violation === 'string') out.push(`       ${violation}`);
      }
    } else out.push(`       ${JSON.stringify(step.state)}`);
  });
  return out;
}

/** The --json line: the result's fields, nothing the contract does not name. */
export const jsonLine = (r: CheckResult): string =>
  JSON.stringify({
    model: r.model,
    distinctStates: r.distinctStates,
    depth: r.depth,
    transitions: r.transitions,
    seconds: r.seconds,
    complete: r.complete,
    violations: r.violations,
  });

/** 0: complete, nothing violated; 1: a violation; 3: a bound stopped it first (inconclusive). */
export const exitCode = (r: CheckResult): number => (r.violations.length > 0 ? 1 : r.complete ? 0 : 3);
