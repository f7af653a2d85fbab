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
  /** Writes not acknowledged: when sent and when they ended, ms since the load's start, and the HTTP status (0: abandoned at the timeout, or the connection failed). */
  failures: [number, number, number][];
}

export interface Phase {
  name: 'healthy' | 'partition' | 'healed' | 'killed' | 'restarted';
  from: number;
  to: number;
  /** The endpoint of the member cut off or down in this phase. */
  affected?: string;
}

/** When the faults were carried out, ms since the load's start. */
export interface FaultTimes {
  cut: number;
  healed: number;
  killed: number;
  restarted: number;
}

/** When each fault is due in a load of `durationMs`: 30 s gives phases of 5 + 10 + 5 + 3 + 7 s. */
export const dueTimes = (durationMs: number): FaultTimes => {
  const at = (s: number) => Math.round((durationMs * s) / 30);
  return { cut: at(5), healed: at(15), killed: at(20), restarted: at(23) };
};

/** The run's phases, from the times the faults were actually carried out. */
export function phases(durationMs: number, t: FaultTimes, cut: string, killed: string): Phase[] {
  return [
    { name: 'healthy', from: 0, to: t.cut },
    { name: 'partition', from: t.cut, to: t.healed, affected: cut },
    { name: 'healed', from: t.healed, to: t.killed },
    { name: 'killed', from: t.killed, to: t.restarted, affected: killed },
    { name: 'restarted', from: t.restarted, to: durationMs },
  ];
}

/** The phase after `p`, in which the member `p` failed comes back (healed, restarted). */
const after = (run: readonly Phase[], p: Phase) => run[run.indexOf(p) + 1];

/**
 * The stretches of the run in which a client's member was on the majority side. A client
 * of the member cut off or killed counts again from its first acknowledgement once its
 * member is back: the wait before it (reconnecting, the member's start-up) is reported
 * apart (`backAfter`).
 */
function windows(r: ClientRecord, run: readonly Phase[]): [number, number][] {
  const out: [number, number][] = [];
  const returning = new Set(run.filter((p) => p.affected === r.endpoint).map((p) => after(run, p)));
  for (const p of run) {
    if (p.affected === r.endpoint) continue;
    const from = returning.has(p) ? (r.acked.find((t) => t >= p.from) ?? p.to) : p.from;
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
  /** The client's writes that failed within it, with their status (0: abandoned or no connection). */
  failures?: [number, number, number][];
}

/** The longest time any client on the majority side went without an acknowledgement. */
export function longestPause(records: readonly ClientRecord[], run: readonly Phase[]): Pause {
  let worst: Pause = { ms: 0, endpoint: '', at: 0 };
  for (const r of records)
    for (const [from, to] of windows(r, run)) {
      const marks = [from, ...r.acked.filter((t) => t >= from && t <= to), to];
      for (let i = 1; i < marks.length; i++) {
        const gap = (marks[i] as number) - (marks[i - 1] as number);
        const at = marks[i - 1] as number;
        if (gap > worst.ms)
          worst = {
            ms: gap,
            endpoint: r.endpoint,
            at,
            failures: r.failures.filter(([s]) => s >= at && s < at + gap),
          };
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

/** How long after `failed` ended its member's clients were served again (the slowest of them). */
export function backAfter(
  records: readonly ClientRecord[],
  run: readonly Phase[],
  failed: Phase['name'],
): number {
  const p = run.find((x) => x.name === failed);
  const next = p && after(run, p);
  if (!p?.affected || !next) return Number.NaN;
  const firsts = records
    .filter((r) => r.endpoint === p.affected)
    .map((r) => (r.acked.find((t) => t >= next.from) ?? next.to) - next.from);
  return Math.max(...firsts);
}
