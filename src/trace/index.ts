/**
 * Trace validation: an ObservedRun in (from lab lines today, from structured traces later),
 * a verdict out. Input readers only have to build an ObservedRun; the search, the rules and
 * the report are shared.
 */
import { at, type ObservedRun, type TraceEvent } from './events';
import { findInterleaving, schedule } from './interleave';
import { analyze, RULES, type RuleId, type Violation } from './rules';

export type { ObservedRun } from './events';
export { TraceInputError } from './events';
export { type LabInput, parseFileArgument, readLabRun } from './labLines';

export interface ValidateOptions {
  /** Also require that every peer of a started group prints chose. */
  expectDecided?: boolean;
  /** Choices of matches tried before the search gives up as undecided. */
  maxInterleavings?: number;
}

export const DEFAULT_MAX_INTERLEAVINGS = 10_000;

interface ReportedEvent {
  at: string;
  peer: string;
  text: string;
  note?: string;
}

export interface TraceFailure {
  /** file:line of the first line that cannot be explained (or the peer's file when it printed too little). */
  at: string;
  peer: string;
  text?: string;
  rule: RuleId;
  /** What the rule says. */
  ruleText: string;
  message: string;
  /** The events that led there: the lines the rule looked at, or the peer's lines just before. */
  events: ReportedEvent[];
}

export interface TraceResult {
  verdict: 'PASS' | 'FAIL' | 'UNDECIDED';
  peers: number;
  events: number;
  specActions: number;
  stutters: number;
  /** Events the search could not place (after a receive that nothing explains). */
  unplaced: number;
  interleavings: number;
  /** Non-protocol lines skipped (diagnostics on merged stdout/stderr). */
  skipped: number;
  warnings: string[];
  /** Values chosen, with the proposal numbers they were chosen under. */
  chosen: { value: string; n: number }[];
  failure?: TraceFailure;
  /** Why the search stopped without a verdict. */
  undecided?: string;
}

const hostOf = (run: ObservedRun, peer: number): string =>
  run.cluster.peers[peer - 1]?.host ?? `peer ${peer}`;

/** The run failed on `v`: the result that names its line and the lines that explain it. */
function failure(run: ObservedRun, base: TraceResult, v: Violation): TraceResult {
  const ev = (id: number) => run.events[id] as TraceEvent;
  const host = (peer: number) => hostOf(run, peer);
  const reported = (id: number, note?: string): ReportedEvent => ({
    at: at(ev(id)),
    peer: host(ev(id).peer),
    text: ev(id).text,
    ...(note === undefined ? {} : { note }),
  });
  const lineBefore = (id: number, count: number): ReportedEvent[] => {
    const e = ev(id);
    const own = run.peers[e.peer - 1]?.events ?? [];
    return own.slice(Math.max(0, e.index - count), e.index).map((x) => reported(x));
  };
  const rule = { rule: v.rule, ruleText: RULES[v.rule], message: v.message };
  if (v.event === undefined) {
    const trace = run.peers[(v.peer ?? 1) - 1];
    return {
      ...base,
      verdict: 'FAIL',
      failure: {
        at: trace?.files[0] ?? `(no input for ${host(v.peer ?? 1)})`,
        peer: host(v.peer ?? 1),
        ...rule,
        events: [],
      },
    };
  }
  const related = v.related.slice(0, 10).map((r) => reported(r.event, r.note));
  return {
    ...base,
    verdict: 'FAIL',
    failure: {
      at: at(ev(v.event)),
      peer: host(ev(v.event).peer),
      text: ev(v.event).text,
      ...rule,
      events: related.length > 0 ? related : lineBefore(v.event, 3),
    },
  };
}

/** Validates a run: PASS only if one interleaving explains every line under every rule. */
export function validateRun(run: ObservedRun, options: ValidateOptions = {}): TraceResult {
  const s = schedule(run);
  const analysis = analyze(run, s, { expectDecided: options.expectDecided === true });
  const events = s.order.length;
  const base: TraceResult = {
    verdict: 'PASS',
    peers: run.peers.filter((p) => p.files.length > 0).length,
    events: run.events.length,
    specActions: analysis.specActions,
    stutters: events - analysis.specActions,
    unplaced: run.events.length - events,
    interleavings: 1,
    skipped: run.skipped,
    warnings: [...run.warnings, ...analysis.warnings],
    chosen: analysis.chosen,
  };
  const ev = (id: number) => run.events[id] as TraceEvent;
  const host = (peer: number) => hostOf(run, peer);
  const failAt = (v: Violation): TraceResult => failure(run, base, v);

  const position = (v: Violation) =>
    v.event === undefined ? Number.POSITIVE_INFINITY : (s.position[v.event] as number);
  const lineViolations = analysis.violations.filter((v) => v.event !== undefined);
  const first = lineViolations.sort((a, b) => position(a) - position(b))[0];
  if (first) return failAt(first);

  // The greedy pass stopped at a receive that nothing sent, or that only a later line could send.
  const blocked = s.blocked.find((b) => b.reason === 'no-send') ?? s.blocked[0];
  if (blocked) {
    const e = ev(blocked.event);
    const sender = run.peers[e.from - 1];
    const message =
      blocked.reason === 'no-send'
        ? `no sent line of ${host(e.from)} is ${/^[aeiou]/.test(e.type) ? 'an' : 'a'} ${e.type} with value ${JSON.stringify(e.value)} and number ${e.num}` +
          (sender && sender.files.length === 0 ? ` (no input was given for ${host(e.from)})` : '')
        : `every sent line of ${host(e.from)} that matches comes after this line in every interleaving (it depends on lines that depend on this one)`;
    return failAt({
      event: blocked.event,
      rule: 'receive-matches-send',
      message,
      related: blocked.sends
        .slice(0, 3)
        .map((id) => ({ event: id, note: 'a matching sent line, which cannot come first' })),
    });
  }

  const budget = options.maxInterleavings ?? DEFAULT_MAX_INTERLEAVINGS;
  const search = findInterleaving(run, s, analysis.obligations, budget);
  if (search.kind === 'found') {
    const late = analysis.violations.find((v) => v.event === undefined);
    const result = { ...base, interleavings: search.explored };
    return late ? { ...failAt(late), interleavings: search.explored } : result;
  }
  const o = search.obligation;
  if (search.kind === 'none' && search.proof)
    return {
      ...failAt({
        event: o.event,
        rule: 'one-interleaving',
        message: `each check passes on its own, but no single interleaving gives this line the matches its ${o.rule} check needs together with the others`,
        related: [],
      }),
      interleavings: search.explored,
    };
  return {
    ...base,
    verdict: 'UNDECIDED',
    interleavings: search.explored,
    undecided:
      search.kind === 'budget'
        ? `undecided after ${search.explored} interleavings (--max-interleavings ${budget}): still searching for matches for ${at(ev(o.event))} (${o.rule})`
        : `undecided after ${search.explored} interleavings: no choice among the matches kept for ${at(ev(o.event))} (${o.rule}) fits one interleaving, and more existed`,
  };
}
