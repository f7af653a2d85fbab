/**
 * What `bench:availability` measures, from the clients' records alone: per phase of the
 * run, the operations acknowledged per second, and the longest time a client went without
 * an acknowledged write while its member was on the majority side (neither cut off nor
 * down). A client of the cut-off or killed member is not counted in that phase: no design
 * can serve it there.
 */

export interface LoadSpec {
  service: 'ours' | 'etcd';
  endpoints: string[];
  clientsPerEndpoint: number;
  /** Wall-clock ms at which the load starts, and how long it lasts. */
  startAt: number;
  durationMs: number;
  timeoutMs: number;
}

export interface ClientRecord {
  endpoint: string;
  /** Completion times of acknowledged writes, ms since the load's start. */
  acked: number[];
  failed: number;
}

export interface Phase {
  name: 'healthy' | 'partition' | 'healed' | 'killed' | 'restarted';
  from: number;
  to: number;
  /** The endpoint of the member cut off or down in this phase. */
  affected?: string;
}

/** The run's phases for a load of `durationMs`: 30 s gives 5 + 10 + 5 + 3 + 7 s. */
export function phases(durationMs: number, cut: string, killed: string): Phase[] {
  const at = (s: number) => Math.round((durationMs * s) / 30);
  return [
    { name: 'healthy', from: 0, to: at(5) },
    { name: 'partition', from: at(5), to: at(15), affected: cut },
    { name: 'healed', from: at(15), to: at(20) },
    { name: 'killed', from: at(20), to: at(23), affected: killed },
    { name: 'restarted', from: at(23), to: durationMs },
  ];
}

/**
 * The stretches of the run in which a client's member was on the majority side. A client
 * of the restarted member counts again from its first acknowledgement after the restart:
 * the wait before it is the member's start-up, reported apart (`backAfterRestart`).
 */
function windows(r: ClientRecord, run: readonly Phase[]): [number, number][] {
  const out: [number, number][] = [];
  const killed = run.find((p) => p.name === 'killed')?.affected;
  for (const p of run) {
    if (p.affected === r.endpoint) continue;
    const from =
      p.name === 'restarted' && killed === r.endpoint ? (r.acked.find((t) => t >= p.from) ?? p.to) : p.from;
    const last = out.at(-1);
    if (last && last[1] === from) last[1] = p.to;
    else out.push([from, p.to]);
  }
  return out;
}

export interface Pause {
  ms: number;
  endpoint: string;
  /** When it began, ms since the load's start. */
  at: number;
}

/** The longest time any client on the majority side went without an acknowledgement. */
export function longestPause(records: readonly ClientRecord[], run: readonly Phase[]): Pause {
  let worst: Pause = { ms: 0, endpoint: '', at: 0 };
  for (const r of records)
    for (const [from, to] of windows(r, run)) {
      const marks = [from, ...r.acked.filter((t) => t >= from && t <= to), to];
      for (let i = 1; i < marks.length; i++) {
        const gap = (marks[i] as number) - (marks[i - 1] as number);
        if (gap > worst.ms) worst = { ms: gap, endpoint: r.endpoint, at: marks[i - 1] as number };
      }
    }
  return worst;
}

/** Acknowledged writes per second in each phase, over every client. */
export function ratesByPhase(
  records: readonly ClientRecord[],
  run: readonly Phase[],
): Record<string, number> {
  return Object.fromEntries(
    run.map((p) => {
      const n = records.reduce((sum, r) => sum + r.acked.filter((t) => t >= p.from && t < p.to).length, 0);
      return [p.name, n / ((p.to - p.from) / 1000)];
    }),
  );
}

/** How long after its restart the killed member's clients were served again (the slowest of them). */
export function backAfterRestart(records: readonly ClientRecord[], run: readonly Phase[]): number {
  const restarted = run.find((p) => p.name === 'restarted');
  const killed = run.find((p) => p.name === 'killed')?.affected;
  if (!restarted || !killed) return Number.NaN;
  const firsts = records
    .filter((r) => r.endpoint === killed)
    .map((r) => (r.acked.find((t) => t >= restarted.from) ?? restarted.to) - restarted.from);
  return Math.max(...firsts);
}
