/**
 * What must hold in every world (Agreement, Validity, the acceptor's local invariant) and
 * on every step (learner integrity). "Chosen" is ground truth, not any peer's opinion: a
 * value is chosen when a majority of some group's acceptors voted for it at one number,
 * the votes being every acceptance ever made (the ghost history), not only the current ones.
 */
import type { PeerId, Value } from '../../../machines/messages';
import type { ClusterConfig } from '../../config/cluster';
import { Acceptances } from '../../world/chosen';
import type { Breach } from '../model';
import type { GhostHistory } from './ghost';
import type { PeerFacts } from './peerTable';

export interface Chosen {
  n: number;
  value: Value | null;
  group: number;
  acceptors: PeerId[];
}

export type { Breach } from '../model';

export class Invariants {
  private readonly chosenMemo: (Chosen[] | undefined)[] = [];
  private readonly proposed: Set<Value>;

  constructor(
    private readonly cluster: ClusterConfig,
    private readonly ghost: GhostHistory,
    values: Iterable<Value>,
  ) {
    this.proposed = new Set(values);
  }

  /** Every (number, value) some group's majority voted for, given a history's votes (world/chosen.ts). */
  chosen(history: number): Chosen[] {
    const known = this.chosenMemo[history];
    if (known) return known;
    const tally = new Acceptances(this.cluster.groups);
    for (const item of this.ghost.itemsOf(history)) {
      if (item.kind !== 'vote') continue;
      for (const g of this.cluster.groups) tally.add(g.id, item.acceptor, item.n, item.value as Value);
    }
    // Once per proposal, for the first group whose majority it has, as the spec's `chosen` is a set.
    const chosen: Chosen[] = [];
    for (const c of tally.chosen) {
      if (chosen.some((x) => x.n === c.n && x.value === c.value)) continue;
      const voters = tally.votersOf(c.group, c.n, c.value);
      const group = this.cluster.groups.find((g) => g.id === c.group)?.acceptors ?? [];
      chosen.push({ ...c, acceptors: group.filter((a) => voters.includes(a)) });
    }
    this.chosenMemo[history] = chosen;
    return chosen;
  }

  /** The first invariant a world breaks, given its peers' facts and its history. */
  checkWorld(peers: readonly PeerFacts[], history: number): Breach | null {
    for (const p of peers) {
      const a = p.acceptor;
      if (a && a.acceptedProposal > a.minProposal)
        return {
          invariant: 'AcceptorInvariant',
          detail: `peer ${p.owner} accepted ${a.acceptedProposal} above its promise ${a.minProposal}`,
        };
    }
    const chosen = this.chosen(history);
    const first = chosen[0];
    for (const c of chosen) {
      if (first && c.value !== first.value)
        return {
          invariant: 'Agreement',
          detail: `${describe(first)} and ${describe(c)}`,
        };
    }
    for (const c of chosen) {
      if (c.value === null || !this.proposed.has(c.value))
        return { invariant: 'Validity', detail: `${describe(c)}, which no proposer proposed` };
    }
    let printed: { peer: PeerId; value: Value } | null = null;
    for (const p of peers) {
      if (!p.learned) continue;
      if (!this.proposed.has(p.learned.value))
        return {
          invariant: 'Validity',
          detail: `peer ${p.owner} printed chose ${p.learned.value}, which no proposer proposed`,
        };
      if (printed && printed.value !== p.learned.value)
        return {
          invariant: 'Agreement',
          detail: `peer ${printed.peer} printed chose ${printed.value}, peer ${p.owner} printed chose ${p.learned.value}`,
        };
      printed ??= { peer: p.owner, value: p.learned.value };
    }
    return null;
  }

  /**
   * A peer prints chose at most once, and only a (number, value) that was chosen by then.
   * `history` is the world's history after the step (the step may itself complete a vote);
   * `printedBefore`, whether the peer printed chose already, which its state may have
   * forgotten in a restart.
   */
  checkLearning(
    before: PeerFacts,
    learned: { n: number; value: Value } | null,
    history: number,
    printedBefore = false,
  ): Breach | null {
    if (!learned) return null;
    if (before.learned)
      return {
        invariant: 'LearnerIntegrity',
        detail: `peer ${before.owner} printed chose twice (${before.learned.value}, then ${learned.value})`,
      };
    if (printedBefore)
      return {
        invariant: 'LearnerIntegrity',
        detail: `peer ${before.owner} printed chose twice (it forgot the first across a restart, then printed ${learned.value})`,
      };
    if (!this.chosen(history).some((c) => c.n === learned.n && c.value === learned.value))
      return {
        invariant: 'LearnerIntegrity',
        detail: `peer ${before.owner} printed chose ${learned.value} at ${learned.n} before a majority accepted it`,
      };
    return null;
  }
}

const describe = (c: Chosen) =>
  `${c.value} chosen at ${c.n} by acceptors ${c.acceptors.join(',')} of group ${c.group}`;
