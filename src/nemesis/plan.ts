/**
 * What one nemesis run will do, drawn from its seed alone: who proposes what and when,
 * which processes are killed or paused, which partitions open and heal, and how often the
 * proxies cut, delay, duplicate and reorder frames. The same seed gives the same plan;
 * the processes' own timing is the operating system's, so a replay repeats the faults,
 * not the exact interleaving of messages.
 */
import type { Value } from '../../machines/messages';
import type { ClusterConfig, PeerConfig } from '../config/cluster';
import { takesPart } from '../config/cluster';
import { mulberry32, type Prng } from '../sim/prng';

export const FAULT_KINDS = ['kill', 'pause', 'partition', 'cut', 'delay', 'duplicate', 'reorder'] as const;
type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultCounts = Record<FaultKind, number>;

export const noFaults = (): FaultCounts => Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts;

/** Per-frame probabilities while the fault phase lasts (0: that kind is off in this run). */
export interface NetworkFaults {
  cut: number;
  delay: number;
  duplicate: number;
  reorder: number;
  /** A delayed frame waits this long (ms), drawn uniformly. */
  delayMs: [number, number];
}

/**
 * `refuse`: connections across are reset and new ones closed at once (the sender's link
 * reconnects with backoff). `stall`: connections stay up but nothing crosses until the
 * heal, when it all arrives late, as TCP delivers after a partition heals.
 */
export type PartitionMode = 'refuse' | 'stall';

export type PlannedFault =
  | { kind: 'kill'; at: number; peer: string; downMs: number }
  | { kind: 'pause'; at: number; peer: string; downMs: number }
  | { kind: 'partition'; at: number; side: string[]; mode: PartitionMode; downMs: number };

export interface RunPlan {
  seed: number;
  /** Every proposer proposes its own value (X, Y, Z, ... in hostsfile order). */
  values: Map<string, Value>;
  /** ms each proposer waits before it starts (its -t): close together, so they compete. */
  delaysMs: Map<string, number>;
  /** Faults are injected from launch until this many ms, then everything heals. */
  faultPhaseMs: number;
  /**
   * Faults may take down a majority of a group's acceptors at once (about one run in four):
   * nothing can then be decided until the heal, which the time to decide after the faults
   * shows. Otherwise a majority stays up, and proposers decide while the faults go on.
   */
  harsh: boolean;
  /** Process faults and partitions, by start time. */
  faults: PlannedFault[];
  network: NetworkFaults;
}

/** Mixes a seed with small integers into a new 32-bit seed (for per-run and per-link generators). */
export function mixSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

const VALUES = ['X', 'Y', 'Z', 'W'];
const between = (r: Prng, lo: number, hi: number) => lo + Math.round(r.next() * (hi - lo));

/** Acceptors of each group that are down (killed or paused) at time t under `faults`. */
function downAcceptors(
  cluster: ClusterConfig,
  faults: readonly PlannedFault[],
  t: number,
): Map<number, number> {
  const down = new Map<number, number>();
  for (const f of faults) {
    if (f.kind === 'partition' || t < f.at || t >= f.at + f.downMs) continue;
    const peer = cluster.peers.find((p) => p.host === f.peer) as PeerConfig;
    for (const g of peer.acceptor) down.set(g, (down.get(g) ?? 0) + 1);
  }
  return down;
}

/**
 * True if, with `extra` added, a majority of every group's acceptors stays up at all
 * times: proposers can then still decide while faults go on, and nothing that happens
 * during the faults can need more than a restart to recover.
 */
function keepsMajorities(
  cluster: ClusterConfig,
  faults: readonly PlannedFault[],
  extra: PlannedFault,
): boolean {
  const all = [...faults, extra];
  const instants = all.filter((f) => f.kind !== 'partition').map((f) => f.at);
  return instants.every((t) => {
    const down = downAcceptors(cluster, all, t);
    return cluster.groups.every((g) => g.acceptors.length - (down.get(g.id) ?? 0) > g.acceptors.length / 2);
  });
}

export interface PlanOptions {
  faultPhaseMs: number;
}

export function planRun(cluster: ClusterConfig, seed: number, options: PlanOptions): RunPlan {
  const r = mulberry32(seed);
  const proposers = cluster.peers.filter((p) => p.proposer.length > 0);
  const values = new Map(proposers.map((p, i) => [p.host, VALUES[i] ?? `V${i + 1}`]));
  const delaysMs = new Map(proposers.map((p) => [p.host, between(r, 0, 500)]));
  const phase = options.faultPhaseMs;
  const participants = cluster.peers.filter(takesPart).map((p) => p.host);

  const harsh = r.next() < 0.25;
  const faults: PlannedFault[] = [];
  const count = between(r, 2, harsh ? 8 : 6);
  for (let i = 0; i < count; i++) {
    const at = between(r, Math.round(phase * 0.05), Math.round(phase * 0.9));
    const roll = r.next();
    if (roll < 0.3 && participants.length >= 2) {
      // A random non-trivial split; the side given is the one cut off from the rest.
      const side = participants.filter(() => r.next() < 0.5);
      if (side.length === 0 || side.length === participants.length) continue;
      faults.push({
        kind: 'partition',
        at,
        side,
        mode: r.next() < 0.5 ? 'refuse' : 'stall',
        downMs: between(r, 200, 1500),
      });
      continue;
    }
    const kind = roll < 0.65 ? 'kill' : 'pause';
    const downMs = kind === 'kill' ? between(r, 50, 1200) : between(r, 100, 1500);
    // A few tries at a peer whose absence leaves every group a majority of acceptors.
    for (let attempt = 0; attempt < 4; attempt++) {
      const fault: PlannedFault = { kind, at, peer: r.pick(participants), downMs };
      if (harsh || keepsMajorities(cluster, faults, fault)) {
        faults.push(fault);
        break;
      }
    }
  }
  faults.sort((a, b) => a.at - b.at);

  const on = (p: number, lo: number, hi: number) => (r.next() < p ? lo + r.next() * (hi - lo) : 0);
  const network: NetworkFaults = {
    cut: on(0.7, 0.02, 0.08),
    delay: on(0.8, 0.05, 0.25),
    duplicate: on(0.7, 0.02, 0.12),
    reorder: on(0.7, 0.02, 0.12),
    delayMs: [5, between(r, 50, 400)],
  };
  return { seed, values, delaysMs, faultPhaseMs: phase, harsh, faults, network };
}

/** The plan as plain JSON, for the evidence kept with a failing run. */
export const planJson = (plan: RunPlan) => ({
  ...plan,
  values: Object.fromEntries(plan.values),
  delaysMs: Object.fromEntries(plan.delaysMs),
});
