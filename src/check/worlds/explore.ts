/**
 * Exhaustive exploration of worlds of the real machines: the machines model (model.ts),
 * under symmetry if asked, run by the one search (../search.ts).
 */
import type { CheckResult } from '../result';
import { type SearchResult, search } from '../search';
import type { CoverageRow } from './coverage';
import { MachinesModel, type MappingFactory } from './machinesModel';
import { type MachineCheckOptions, resolveOptions } from './options';

export type { MappingFactory } from './machinesModel';

interface MachineCheckStats {
  /** Distinct peer states, messages and ghost histories interned. */
  peerStates: number;
  messages: number;
  histories: number;
  /** Local steps run through XState (every other one came from the memo). */
  machineSteps: number;
  /** Bytes of the visited set's typed arrays. */
  storeBytes: number;
  /** On the set network: why settled messages were not judged (settled.ts), or null. */
  settledSkipped: string | null;
}

export interface MachineCheckResult extends CheckResult {
  stats: MachineCheckStats;
  search: SearchResult['search'];
  goals: SearchResult['goals'];
  /** Per statechart transition, how many explored steps took it (with `coverage: true`). */
  coverage?: CoverageRow[];
  /** With `liveness: true`: stuck worlds, or null when the search was not complete. */
  liveness?: SearchResult['liveness'];
}

/** The search's own tables, for tests that look inside (e.g. at every world visited, in exact mode). */
export interface MachineSearch {
  result: MachineCheckResult;
  visited: SearchResult['visited'];
  model: MachinesModel;
}

export function exploreMachines(
  options: MachineCheckOptions,
  mappingFor?: MappingFactory,
): MachineCheckResult {
  return searchMachines(options, mappingFor).result;
}

export function searchMachines(
  options: MachineCheckOptions,
  mappingFor: MappingFactory = () => null,
): MachineSearch {
  const opts = resolveOptions(options);
  const model = new MachinesModel(opts, options.machines, mappingFor);
  const r = search(model.searched(), {
    maxStates: opts.maxStates,
    maxDepth: opts.maxDepth,
    progressIntervalMs: opts.progressIntervalMs,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.exact ? { exact: true } : {}),
    ...(opts.liveness ? { liveness: model.livenessQuestion() } : {}),
    ...(options.goals
      ? { goals: options.goals.map((g) => ({ name: g.name, reached: g.build(model) })) }
      : {}),
  });
  const { visited, ...rest } = r;
  const result: MachineCheckResult = {
    ...rest,
    stats: {
      peerStates: model.peers.states.size,
      messages: model.peers.sends.size,
      histories: model.ghost.sets.size,
      machineSteps: model.peers.machineSteps,
      storeBytes: r.search.visitedBytes,
      settledSkipped: model.world.settledSkipped,
    },
    ...(model.coverage ? { coverage: model.coverage.rows() } : {}),
  };
  return { result, visited, model };
}
