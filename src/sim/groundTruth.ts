/**
 * What is chosen, as an observer of every message sees it (no peer does): (n, value) is
 * chosen once a majority of group K's acceptors have sent an acceptance of proposal n with
 * that value, where K is the group whose accept they answered. This is the spec's "chosen"
 * (a quorum of phase-2b messages for one ballot), read off the ghost history, so it does
 * not trust any peer's own account of what it accepted.
 */
import { isAcceptance, type Send, type Value } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';
import { Acceptances, type Chosen } from '../world/chosen';

export type { Chosen } from '../world/chosen';

export interface GroundTruth {
  /** Feeds the messages of one step; returns what they made chosen. */
  observe(sends: Iterable<Send>): Chosen[];
  /** Everything chosen so far, in the order it became chosen. */
  readonly chosen: readonly Chosen[];
  isChosen(n: number, value: Value): boolean;
}

export function groundTruth(cluster: ClusterConfig): GroundTruth {
  const acceptances = new Acceptances(cluster.groups);
  return {
    chosen: acceptances.chosen,
    isChosen: (n, value) => acceptances.isChosen(n, value),
    observe(sends) {
      const fresh: Chosen[] = [];
      for (const { message: m } of sends) {
        if (m.type !== 'accept_ack' || !isAcceptance(m) || m.value === null) continue;
        const c = acceptances.add(m.group, m.from, m.n, m.value);
        if (c) fresh.push(c);
      }
      return fresh;
    },
  };
}
