/**
 * The spec's refinement mapping (spec/refinement.ts) for a check: the constants of
 * Paxos.tla for the cluster, the values the proposers start with and the ballots that
 * maxRound allows (proposal number n is ballot n - 1, and round R of P groups ends at
 * number R * P).
 */
import { Init, type SpecState, sameState } from '../../../spec/paxos';
import { mapMessage, mapToSpec, specActionBetween, specParamsFor } from '../../../spec/refinement';
import type { MappingFactory } from './machinesModel';

export const specRefinement: MappingFactory = (options) => {
  const values = [...new Set(Object.values(options.values))];
  const params = specParamsFor(options.cluster, values, options.maxRound * options.cluster.groupCount - 1);
  const init = Init(params);
  return {
    relevant: (message) => mapMessage(message) !== null,
    map: (view) => mapToSpec(params, view),
    isInitial: (state) => sameState(state as SpecState, init),
    actionBetween: (before, after) => specActionBetween(params, before as SpecState, after as SpecState),
  };
};
