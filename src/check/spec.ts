/**
 * The exhaustive checker of the spec: breadth-first search over every state of
 * spec/Paxos.tla for A acceptors, V values, ballots 0..MaxBallot and majority quorums, with
 * TLC's conventions (one state per distinct tuple of variables, the initial state at level
 * 1, no symmetry reduction), so its counts can be set against TLC's. It checks Agreement
 * and Validity on every state (TypeOK holds by construction of the packed states) and
 * stops at the first violation with a shortest trace.
 */
import { standardParams } from '../../spec/explore';
import { searchPacked } from './packedSearch';
import { packSpec } from './packedSpec';
import type { CheckResult, Progress } from './result';

export interface SpecCheckOptions {
  acceptors: number;
  values: number;
  maxBallot: number;
  maxStates?: number;
  maxDepth?: number;
  onProgress?: (p: Progress) => void;
}

export function exploreSpec(options: SpecCheckOptions): CheckResult {
  const params = standardParams(options.acceptors, options.values, options.maxBallot);
  return searchPacked(packSpec(params), {
    model: 'spec',
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
