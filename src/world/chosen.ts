/**
 * The one definition of "chosen" outside spec/: a proposal (n, value) is chosen once a
 * majority of a group's acceptors have accepted it. Every reader of runs asks it here, fed
 * with the acceptances it can see (the simulator's and checker's ghost history, a validated
 * log, a trace); which group an acceptance counts for is the reader's to say, since a log
 * line names no group.
 */
import { type GroupId, majority, type PeerId, type Value } from '../../machines/messages';
import type { GroupConfig } from '../config/cluster';

export interface Chosen {
  group: GroupId;
  n: number;
  value: Value;
}

/** Acceptances seen so far, per group and proposal, and what they made chosen. */
export class Acceptances {
  private readonly groups: Map<GroupId, GroupConfig>;
  private readonly voters = new Map<string, Set<PeerId>>();
  /** Everything chosen so far, in the order it became chosen. */
  readonly chosen: Chosen[] = [];

  constructor(groups: readonly GroupConfig[]) {
    this.groups = new Map(groups.map((g) => [g.id, g]));
  }

  /**
   * `acceptor` accepted (n, value) for `group`: the choice it completes, exactly once (on the
   * acceptance that makes the majority), else null. Non-members and repeats count for nothing.
   */
  add(group: GroupId, acceptor: PeerId, n: number, value: Value): Chosen | null {
    const g = this.groups.get(group);
    if (!g?.acceptors.includes(acceptor)) return null;
    const key = `${group} ${n} ${JSON.stringify(value)}`;
    let set = this.voters.get(key);
    if (!set) {
      set = new Set();
      this.voters.set(key, set);
    }
    if (set.has(acceptor)) return null;
    set.add(acceptor);
    if (set.size !== majority(g.acceptors.length)) return null;
    const c = { group, n, value };
    this.chosen.push(c);
    return c;
  }

  /** The acceptors of `group` that accepted (n, value), in the order they did. */
  votersOf(group: GroupId, n: number, value: Value): PeerId[] {
    return [...(this.voters.get(`${group} ${n} ${JSON.stringify(value)}`) ?? [])];
  }

  isChosen(n: number, value: Value): boolean {
    return this.chosen.some((c) => c.n === n && c.value === value);
  }
}
