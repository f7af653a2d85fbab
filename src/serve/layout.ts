/**
 * A register service's shape, read from a hostsfile. Every proposer writes every key, so
 * all proposer groups must share one set of acceptors: two groups with different acceptors
 * would keep two copies of a register that need not agree. A proposer's round uses the
 * numbers of its lowest group.
 */
import type { PeerId } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';
import type { RegisterPeerConfig } from '../registers/peer';

export type Layout = NonNullable<RegisterPeerConfig['layout']>;

/**
 * The layout, or why the hostsfile cannot serve registers. `allowUnsafeQuorums` lets groups
 * differ, each proposer using its own group's acceptors: a broken service, for the nemesis.
 */
export function registerLayout(cluster: ClusterConfig, allowUnsafeQuorums = false): Layout | string {
  const [first, ...rest] = cluster.groups;
  if (!first) return `${cluster.source}: no proposer: nobody could serve clients`;
  const same = (a: readonly PeerId[]) => a.join(',') === first.acceptors.join(',');
  const odd = rest.find((g) => !same(g.acceptors));
  if (odd && allowUnsafeQuorums) return unsafeLayout(cluster);
  if (odd)
    return (
      `${cluster.source}: group ${odd.id}'s acceptors (peers ${odd.acceptors.join(', ')}) differ from ` +
      `group ${first.id}'s (peers ${first.acceptors.join(', ')}): every group must hold every key`
    );
  const groups = new Map<PeerId, number>();
  for (const g of cluster.groups) if (!groups.has(g.proposer)) groups.set(g.proposer, g.id);
  return { acceptors: first.acceptors, groups, groupCount: cluster.groupCount };
}

/** Every group with its own acceptors; `acceptors` (what health counts) is all of them. */
function unsafeLayout(cluster: ClusterConfig): Layout {
  const groups = new Map<PeerId, number>();
  for (const g of cluster.groups) if (!groups.has(g.proposer)) groups.set(g.proposer, g.id);
  const all = [...new Set(cluster.groups.flatMap((g) => g.acceptors))].sort((a, b) => a - b);
  return {
    acceptors: all,
    groups,
    groupCount: cluster.groupCount,
    groupAcceptors: new Map(cluster.groups.map((g) => [g.id, g.acceptors])),
  };
}
