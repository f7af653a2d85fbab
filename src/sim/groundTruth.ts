/**
 * What is chosen, as an observer of every message sees it (no peer does): (n, value) is
 * chosen once a majority of group K's acceptors have sent an acceptance of proposal n with
 * that value, where K is the group whose accept they answered. This is the spec's "chosen"
 * (a quorum of phase-2b messages for one ballot), read off the ghost history, so it does
 * not trust any peer's own account of what it accepted.
 */
import {
  type GroupId,
  isAcceptance,
  majority,
  type PeerId,
  type Send,
  type Value,
} from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';

export interface Chosen {
  group: GroupId;
  n: number;
  value: Value;
}

export interface GroundTruth {
  /** Feeds the messages of one step; returns what they made chosen. */
  observe(sends: Iterable<Send>): Chosen[];
  /** Everything chosen so far, in the order it became chosen. */
  readonly chosen: readonly Chosen[];
  isChosen(n: number, value: Value): boolean;
}

export function groundTruth(cluster: ClusterConfig): GroundTruth {
  const acceptorsOf = new Map<GroupId, Set<PeerId>>(cluster.groups.map((g) => [g.id, new Set(g.acceptors)]));
  /** `${group} ${n} ${value}` -> acceptors that accepted (n, value) for the group. */
  const votes = new Map<string, Set<PeerId>>();
  const chosen: Chosen[] = [];
  const chosenKeys = new Set<string>();
  return {
    chosen,
    isChosen: (n, value) => chosen.some((c) => c.n === n && c.value === value),
    observe(sends) {
      const fresh: Chosen[] = [];
      for (const { message: m } of sends) {
        if (m.type !== 'accept_ack' || !isAcceptance(m) || m.value === null) continue;
        const members = acceptorsOf.get(m.group);
        if (!members?.has(m.from)) continue;
        const key = `${m.group} ${m.n} ${m.value}`;
        let voters = votes.get(key);
        if (!voters) {
          voters = new Set();
          votes.set(key, voters);
        }
        if (voters.has(m.from)) continue;
        voters.add(m.from);
        if (!chosenKeys.has(key) && voters.size >= majority(members.size)) {
          chosenKeys.add(key);
          const c = { group: m.group, n: m.n, value: m.value };
          chosen.push(c);
          fresh.push(c);
        }
      }
      return fresh;
    },
  };
}
