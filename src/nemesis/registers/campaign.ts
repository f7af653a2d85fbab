/**
 * A campaign of register runs: seeds S, S+1, ... as the lab's campaign walks them, and the
 * figures over all runs. A run is valid, invalid (a key's history that cannot be
 * linearized, or a counter that lost or invented increments), unknown (the checker ran out
 * of time: never counted as valid) or an error (the service did not come up or back).
 */
import { walkSeeds } from '../campaign';
import { FAULT_KINDS, type FaultCounts, noFaults } from '../plan';
import { type RegistersContext, type RegistersRunReport, runRegistersOnce } from './run';

export interface RegistersCampaignOptions extends RegistersContext {
  runs: number;
  seed: number;
  jobs: number;
  timeLimitMs: number;
  onRun: (report: RegistersRunReport) => void;
}

export interface RegistersCampaignReport {
  workload: 'registers';
  runs: number;
  valid: number;
  invalid: number;
  unknown: number;
  errors: number;
  /** Acknowledged counter increments missing from the counters' final values, over all runs. */
  lostWrites: number;
  operations: number;
  unknownOps: number;
  faults: FaultCounts;
  checkMs: number;
  /** Runs whose peers' traces passed `paxos trace` (replayed through the machines, refined key by key). */
  tracesPassed: number;
  seeds: { first: number; last: number };
  failures: { seed: number; verdict: string; problem?: string; evidence?: string }[];
  elapsedMs: number;
  stopped?: 'interrupted' | 'time limit';
}

const benchFailed = (seed: number, err: Error): RegistersRunReport => ({
  seed,
  verdict: 'error',
  problem: `the bench failed: ${err.message}`,
  operations: 0,
  unknownOps: 0,
  lostWrites: 0,
  faults: noFaults(),
  checkMs: 0,
  trace: { verdict: 'NOT CHECKED', steps: 0, specSteps: 0, problem: 'the bench failed' },
  keys: [],
  counters: [],
});

export async function runRegistersCampaign(
  options: RegistersCampaignOptions,
): Promise<RegistersCampaignReport> {
  const start = Date.now();
  const { reports, started, stopped } = await walkSeeds(
    options,
    (seed) => runRegistersOnce(options, seed).catch((err: Error) => benchFailed(seed, err)),
    options.onRun,
  );
  const count = (v: string) => reports.filter((r) => r.verdict === v).length;
  const sum = (f: (r: RegistersRunReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const faults = noFaults();
  for (const r of reports) for (const k of FAULT_KINDS) faults[k] += r.faults[k];
  return {
    workload: 'registers',
    runs: reports.length,
    valid: count('valid'),
    invalid: count('invalid'),
    unknown: count('unknown'),
    errors: count('error'),
    lostWrites: sum((r) => r.lostWrites),
    operations: sum((r) => r.operations),
    unknownOps: sum((r) => r.unknownOps),
    faults,
    checkMs: sum((r) => r.checkMs),
    tracesPassed: reports.filter((r) => r.trace.verdict === 'PASS').length,
    seeds: { first: options.seed, last: (options.seed + Math.max(0, started - 1)) >>> 0 },
    failures: reports
      .filter((r) => r.verdict !== 'valid')
      .map((r) => ({
        seed: r.seed,
        verdict: r.verdict,
        ...(r.problem ? { problem: r.problem } : {}),
        ...(r.evidence ? { evidence: r.evidence } : {}),
      })),
    elapsedMs: Date.now() - start,
    ...(stopped ? { stopped } : {}),
  };
}

const faultsText = (f: FaultCounts): string => FAULT_KINDS.map((k) => `${k} ${f[k]}`).join(', ');

export function registersRunLine(r: RegistersRunReport): string {
  const counters = r.counters
    .map((c) => `${c.key} ${c.final ?? '?'} (${c.acknowledged} acknowledged, ${c.unknown} unknown)`)
    .join(', ');
  return (
    `seed ${r.seed}: ${r.verdict.toUpperCase()}; ${r.operations} operations, ${r.unknownOps} unknown; ` +
    `counters: ${counters || 'none'}; faults: ${faultsText(r.faults)}; ` +
    `trace ${r.trace.verdict} (${r.trace.steps} steps, ${r.trace.specSteps} spec steps); check ${r.checkMs} ms` +
    (r.problem ? `; ${r.problem}` : '') +
    (r.evidence ? `; evidence in ${r.evidence}` : '')
  );
}

export function registersSummary(c: RegistersCampaignReport, replay: (seed: number) => string): string[] {
  const lines = [
    `runs: ${c.runs}${c.runs === 0 ? '' : ` (seeds ${c.seeds.first}..${c.seeds.last})`}${c.stopped ? `, stopped early: ${c.stopped}` : ''}, ${(c.elapsedMs / 1000).toFixed(1)} s`,
    `valid: ${c.valid}; invalid: ${c.invalid}; unknown (checker out of time or trace undecided, not valid): ${c.unknown}; errors: ${c.errors}; lost writes: ${c.lostWrites}`,
    `operations: ${c.operations}, of which unknown (info): ${c.unknownOps}; check time: ${(c.checkMs / 1000).toFixed(1)} s`,
    `peers' traces replayed through the machines and refined to spec/Registers.tla: ${c.tracesPassed} of ${c.runs} runs passed`,
    `faults injected: ${faultsText(c.faults)}`,
  ];
  for (const f of c.failures)
    lines.push(`${f.verdict.toUpperCase()} seed ${f.seed}: ${f.problem ?? ''}; replay: ${replay(f.seed)}`);
  return lines;
}
