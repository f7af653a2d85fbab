/**
 * The exhaustive checker of the spec: breadth-first search over every state of
 * spec/Paxos.tla for A acceptors, V values, ballots 0..MaxBallot and majority quorums, with
 * TLC's conventions (one state per distinct tuple of variables, the initial state at level
 * 1, no symmetry reduction), so its counts can be set against TLC's. It checks Agreement
 * and Validity on every state (TypeOK holds by construction of the packed states) and
 * stops at the first violation with a shortest trace.
 */
import { standardParams } from '../../spec/explore';
import type { SpecVariant } from '../../spec/variants';
import { packSpec } from './packedSpec';
import type { Progress } from './result';
import { type SearchOptions, type SearchResult, search } from './search';
import { specModel } from './specModel';

export interface SpecCheckOptions extends Omit<SearchOptions, 'onProgress'> {
  acceptors: number;
  values: number;
  maxBallot: number;
  variant?: SpecVariant;
  onProgress?: (p: Progress) => void;
}

export function exploreSpec(options: SpecCheckOptions): SearchResult {
  const { acceptors, values, maxBallot, variant, ...rest } = options;
  const params = standardParams(acceptors, values, maxBallot);
  return search(specModel(packSpec(params, variant)), { progressIntervalMs: 1000, ...rest });
}
