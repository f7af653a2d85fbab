/**
 * A nemesis campaign: runs with seeds S, S+1, ..., a few at a time, bounded in number and
 * in time, and the figures over all of them. Run k's seed alone decides its faults, so
 * `--seed S+k --runs 1` replays that run's faults.
 */
import { FAULT_KINDS, type FaultCounts, noFaults } from './plan';
import { type RunContext, type RunReport, runOnce } from './run';

export interface CampaignOptions extends Omit<RunContext, 'aborted'> {
  runs: number;
  seed: number;
  /** Runs at the same time. */
  jobs: number;
  /** No run starts after this many ms (the ones under way finish). */
  timeLimitMs: number;
  aborted: () => boolean;
  onRun: (report: RunReport) => void;
}

interface Spread {
  median: number;
  p90: number;
  max: number;
}

export interface CampaignReport {
  runs: number;
  /** Runs in which every peer of a started group decided after the faults stopped. */
  decided: number;
  /** Runs that `paxos trace` failed, except those explained by the crash window below: the safety verdict. */
  violations: number;
  /**
   * Runs that `paxos trace` failed because a SIGKILL came between a peer's save and its
   * print (src/nemesis/crashWindow.ts): a gap in the evidence, not in safety. Listed in
   * `failures` with the explanation.
   */
  crashWindow: number;
  /** Runs whose trace search ran out of budget, or whose output was not lab lines. */
  unvalidated: number;
  faults: FaultCounts;
  /** How many runs chose each value. */
  decisions: Record<string, number>;
  /** ms from the heal to the last chose line, over decided runs (0 when all decided during the faults). */
  afterFaultsMs?: Spread;
  /** ms from launch to the last chose line, over decided runs. */
  decideMs?: Spread;
  decidedDuringFaults: number;
  /** Peers that found their decision on disk without having printed it (see RunReport.silent). */
  silentDecisions: number;
  cutLines: number;
  processes: number;
  seeds: { first: number; last: number };
  failures: {
    seed: number;
    verdict: string;
    problem?: string;
    crashWindow?: string;
    trace: string;
    evidence?: string;
  }[];
  elapsedMs: number;
  stopped?: 'interrupted' | 'time limit';
}

function spread(xs: number[]): Spread | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number;
  return { median: q(0.5), p90: q(0.9), max: s.at(-1) as number };
}

/** How a campaign walks its seeds, whatever one run is. */
export interface SeedWalk {
  runs: number;
  seed: number;
  jobs: number;
  timeLimitMs: number;
  aborted: () => boolean;
}

/**
 * Runs `run` on seeds S, S+1, ..., `jobs` at a time, until `runs` are done, the time limit
 * passes (the runs under way finish) or the bench is interrupted. A run that reports
 * itself aborted is left out. Reports come back in seed order.
 */
export async function walkSeeds<R extends { seed: number; aborted?: boolean }>(
  walk: SeedWalk,
  run: (seed: number) => Promise<R>,
  onRun: (report: R) => void,
): Promise<{ reports: R[]; started: number; stopped?: 'interrupted' | 'time limit' }> {
  const start = Date.now();
  const reports: R[] = [];
  let next = 0;
  let stopped: 'interrupted' | 'time limit' | undefined;
  const worker = async () => {
    for (;;) {
      if (walk.aborted()) stopped = 'interrupted';
      else if (Date.now() - start > walk.timeLimitMs) stopped ??= 'time limit';
      if (stopped || next >= walk.runs) return;
      const report = await run((walk.seed + next++) >>> 0);
      if (report.aborted) {
        stopped = 'interrupted';
        return;
      }
      reports.push(report);
      onRun(report);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(walk.jobs, walk.runs)) }, worker));
  reports.sort((a, b) => a.seed - b.seed);
  return { reports, started: next, ...(stopped ? { stopped } : {}) };
}

/** The bench itself failed (out of descriptors, a full disk): reported as the run's, and the campaign goes on. */
const benchFailed = (seed: number, err: Error): RunReport => ({
  seed,
  decided: false,
  chosen: [],
  verdict: 'ERROR',
  trace: `ERROR: the bench failed: ${err.message}`,
  faults: noFaults(),
  silent: [],
  cutLines: 0,
  processes: 0,
  problem: `the bench failed: ${err.message}`,
});

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const start = Date.now();
  const {
    reports,
    started: next,
    stopped,
  } = await walkSeeds(
    options,
    (seed) => runOnce(options, seed).catch((err: Error) => benchFailed(seed, err)),
    options.onRun,
  );

  const faults = noFaults();
  for (const r of reports) for (const k of FAULT_KINDS) faults[k] += r.faults[k];
  const decisions: Record<string, number> = {};
  for (const r of reports) for (const v of r.chosen) decisions[v] = (decisions[v] ?? 0) + 1;
  const decided = reports.filter((r) => r.decided);
  const after = spread(decided.flatMap((r) => (r.afterFaultsMs === undefined ? [] : [r.afterFaultsMs])));
  const decide = spread(decided.flatMap((r) => (r.decideMs === undefined ? [] : [r.decideMs])));
  return {
    runs: reports.length,
    decided: decided.length,
    violations: reports.filter((r) => r.verdict === 'FAIL' && !r.crashWindow).length,
    crashWindow: reports.filter((r) => r.verdict === 'FAIL' && r.crashWindow).length,
    unvalidated: reports.filter((r) => r.verdict === 'UNDECIDED' || r.verdict === 'ERROR').length,
    faults,
    decisions,
    ...(after ? { afterFaultsMs: after } : {}),
    ...(decide ? { decideMs: decide } : {}),
    decidedDuringFaults: decided.filter((r) => r.afterFaultsMs === 0).length,
    silentDecisions: reports.reduce((n, r) => n + r.silent.length, 0),
    cutLines: reports.reduce((n, r) => n + r.cutLines, 0),
    processes: reports.reduce((n, r) => n + r.processes, 0),
    seeds: { first: options.seed, last: (options.seed + Math.max(0, next - 1)) >>> 0 },
    failures: reports
      .filter((r) => r.verdict !== 'PASS' || !r.decided)
      .map((r) => ({
        seed: r.seed,
        verdict: r.verdict,
        ...(r.problem ? { problem: r.problem } : {}),
        ...(r.crashWindow ? { crashWindow: r.crashWindow } : {}),
        trace: r.trace,
        ...(r.evidence ? { evidence: r.evidence } : {}),
      })),
    elapsedMs: Date.now() - start,
    ...(stopped ? { stopped } : {}),
  };
}

/** `  kill 3, pause 1, ...` */
const faultsText = (f: FaultCounts): string => FAULT_KINDS.map((k) => `${k} ${f[k]}`).join(', ');

export function runLine(r: RunReport): string {
  const outcome = r.decided
    ? `decided ${r.chosen.join(' and ') || '?'} at ${r.decideMs} ms (${r.afterFaultsMs} ms after the faults)`
    : `NOT DECIDED${r.problem ? ` (${r.problem})` : ''}`;
  const extra = [
    r.silent.length > 0 ? `silent decision: ${r.silent.join(', ')}` : '',
    r.cutLines > 0 ? `${r.cutLines} cut-off line(s) dropped` : '',
  ].filter((s) => s !== '');
  return (
    `seed ${r.seed}: ${outcome}; ${r.processes} processes; faults: ${faultsText(r.faults)}; ` +
    `trace ${r.verdict}${r.crashWindow ? ' (explained by the crash window)' : ''}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`
  );
}

export function summaryText(c: CampaignReport, replay: (seed: number) => string): string[] {
  const ms = (s?: Spread) => (s ? `median ${s.median} ms, p90 ${s.p90} ms, max ${s.max} ms` : 'n/a');
  const lines = [
    `runs: ${c.runs}${c.runs === 0 ? '' : ` (seeds ${c.seeds.first}..${c.seeds.last})`}${c.stopped ? `, stopped early: ${c.stopped}` : ''}, ${(c.elapsedMs / 1000).toFixed(1)} s`,
    `decided: ${c.decided} of ${c.runs} (${c.decidedDuringFaults} before the faults stopped); chosen: ${
      Object.entries(c.decisions)
        .map(([v, n]) => `${v} in ${n}`)
        .join(', ') || 'nothing'
    }`,
    `violations: ${c.violations}; trace FAIL explained by a SIGKILL between save and print: ${c.crashWindow}; ` +
      `not validated (trace undecided or unreadable): ${c.unvalidated}`,
    `faults injected: ${faultsText(c.faults)}`,
    `time to decide after the faults stopped: ${ms(c.afterFaultsMs)}`,
    `launch to decided: ${ms(c.decideMs)}`,
    `processes started: ${c.processes}; cut-off lines dropped: ${c.cutLines}; silent decisions: ${c.silentDecisions}`,
  ];
  for (const f of c.failures) {
    const what = f.crashWindow ? `${f.verdict}, explained: ${f.crashWindow}` : (f.problem ?? f.verdict);
    lines.push(`FAILED seed ${f.seed}: ${what}; replay: ${replay(f.seed)}`);
    lines.push(...f.trace.split('\n').map((l) => `  ${l}`));
    if (f.evidence) lines.push(`  evidence in ${f.evidence}`);
  }
  return lines;
}
