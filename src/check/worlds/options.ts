/**
 * What a check of the real machines explores: which cluster, which machines (faulty
 * variants included), which values, how many rounds, which network and which faults.
 */
import type { GroupId, Value } from '../../../machines/messages';
import type { ClusterConfig } from '../../config/cluster';
import type { RoleMachines } from '../../peer/node';
import type { Progress } from '../result';
import type { MachineGoal } from './goals';

/**
 * `bag`: a multiset of messages in flight; delivering consumes one copy.
 * `set`: as in Paxos.tla, a sent message is never removed, so any message can be delivered
 * any number of times, in any order, or never (loss, duplication and reordering at once).
 */
export type NetworkModel = 'bag' | 'set';

/** Faults on top of the network: drop a message, duplicate one, crash and restart a peer. */
export type Fault = 'drop' | 'dup' | 'crash';
export const FAULTS: readonly Fault[] = ['drop', 'dup', 'crash'];

export interface MachineCheckOptions {
  cluster: ClusterConfig;
  /** The role machines (default: the real ones); faulty variants made with `.provide()`. */
  machines?: RoleMachines;
  /** The value each proposer group starts with (default: distinct, see defaultValues). */
  values?: Record<GroupId, Value>;
  /** Rounds per proposer: round r of proposer K of P uses proposal number (r-1)*P + K. */
  maxRound: number;
  network?: NetworkModel;
  faults?: readonly Fault[];
  /** Duplications allowed along one path (default 1 when `dup` is on). */
  maxDups?: number;
  /** Crashes allowed along one path (default 1 when `crash` is on). */
  maxCrashes?: number;
  /** Treat acceptor peers with identical roles as interchangeable. */
  symmetry?: boolean;
  /** Check that every transition maps to a spec action or a stutter (default true). */
  refinement?: boolean;
  /** Check that every message sent passes the wire codec at its destination (default true). */
  wire?: boolean;
  maxStates?: number;
  maxDepth?: number;
  /** Store every world's key rather than its 64-bit fingerprint (no collision possible, more memory). */
  exact?: boolean;
  /** `sometimes` goals (goals.ts), each reported reached with a shortest witness, or not. */
  goals?: readonly MachineGoal[];
  /** Count how many explored steps took each statechart transition (coverage.ts); off by default. */
  coverage?: boolean;
  /** Ask whether a decision stays reachable from every world (../liveness.ts); keeps the graph, off by default. */
  liveness?: boolean;
  onProgress?: (p: Progress) => void;
  /** How often onProgress is called (default 2000 ms). */
  progressIntervalMs?: number;
}

/** Proposer groups, in ascending order, get X, Y, Z, W, then V5, V6, ... */
const defaultValue = (index: number): Value => ['X', 'Y', 'Z', 'W'][index] ?? `V${index + 1}`;

export const defaultValues = (cluster: ClusterConfig): Record<GroupId, Value> =>
  Object.fromEntries(cluster.groups.map((g, i) => [g.id, defaultValue(i)]));

export interface ResolvedOptions {
  cluster: ClusterConfig;
  values: Record<GroupId, Value>;
  maxRound: number;
  network: NetworkModel;
  drop: boolean;
  maxDups: number;
  maxCrashes: number;
  symmetry: boolean;
  refinement: boolean;
  wire: boolean;
  maxStates: number;
  maxDepth: number;
  progressIntervalMs: number;
  coverage: boolean;
  liveness: boolean;
}

export function resolveOptions(o: MachineCheckOptions): ResolvedOptions {
  const network = o.network ?? 'bag';
  const faults = new Set(o.faults ?? []);
  for (const f of faults) if (!FAULTS.includes(f)) throw new Error(`unknown fault ${f}`);
  if (network === 'set' && (faults.has('drop') || faults.has('dup')))
    throw new Error('the set network already loses and duplicates messages: drop and dup apply to the bag');
  if (!Number.isInteger(o.maxRound) || o.maxRound < 1) throw new Error('maxRound must be a positive integer');
  const budget = (name: string, on: boolean, given: number | undefined): number => {
    if (given !== undefined && (!Number.isInteger(given) || given < 0))
      throw new Error(`${name} must be a non-negative integer`);
    if (given !== undefined && given > 0 && !on) throw new Error(`${name} needs its fault to be on`);
    return on ? (given ?? 1) : 0;
  };
  const values = { ...defaultValues(o.cluster), ...(o.values ?? {}) };
  for (const g of Object.keys(values).map(Number)) {
    if (!o.cluster.groups.some((x) => x.id === g)) throw new Error(`no proposer group ${g} for a value`);
  }
  return {
    cluster: o.cluster,
    values,
    maxRound: o.maxRound,
    network,
    drop: faults.has('drop'),
    maxDups: budget('maxDups', faults.has('dup'), o.maxDups),
    maxCrashes: budget('maxCrashes', faults.has('crash'), o.maxCrashes),
    symmetry: o.symmetry ?? false,
    refinement: o.refinement ?? true,
    wire: o.wire ?? true,
    maxStates: o.maxStates ?? Number.POSITIVE_INFINITY,
    maxDepth: o.maxDepth ?? Number.POSITIVE_INFINITY,
    progressIntervalMs: o.progressIntervalMs ?? 2000,
    coverage: o.coverage ?? false,
    liveness: o.liveness ?? false,
  };
}
