/**
 * Quorum intersection between proposer groups. Each group chooses by a majority of its own
 * acceptors; two groups can only be kept from choosing different values if every majority
 * of one shares an acceptor (whose promises both groups then respect) with every majority
 * of the other.
 */
import type { GroupId, PeerId } from '../../machines/messages';
import { type ClusterConfig, peerById } from './cluster';

export interface DisjointMajorities {
  groups: [GroupId, GroupId];
  majorities: [PeerId[], PeerId[]];
}

const majoritySize = (n: number): number => Math.floor(n / 2) + 1;

/**
 * Two disjoint majorities of acceptor sets `a` and `b`, or null when every majority of `a`
 * meets every majority of `b`. Each side takes its own acceptors first and only then shares
 * the common ones, from opposite ends; so disjoint majorities exist exactly when the shared
 * acceptors that each side still needs add up to no more than the shared acceptors there are.
 */
export function disjointMajorities(a: readonly PeerId[], b: readonly PeerId[]): [PeerId[], PeerId[]] | null {
  const inB = new Set(b);
  const inA = new Set(a);
  const shared = a.filter((x) => inB.has(x));
  const onlyA = a.filter((x) => !inB.has(x));
  const onlyB = b.filter((x) => !inA.has(x));
  const needA = Math.max(0, majoritySize(a.length) - onlyA.length);
  const needB = Math.max(0, majoritySize(b.length) - onlyB.length);
  if (needA + needB > shared.length) return null;
  const ascending = (xs: PeerId[]) => xs.sort((x, y) => x - y);
  return [
    ascending([...onlyA.slice(0, majoritySize(a.length) - needA), ...shared.slice(0, needA)]),
    ascending([...onlyB.slice(0, majoritySize(b.length) - needB), ...shared.slice(shared.length - needB)]),
  ];
}

/** Every pair of distinct proposer groups that need not agree, in group order. */
export function allDisjointMajorities(cluster: ClusterConfig): DisjointMajorities[] {
  const found: DisjointMajorities[] = [];
  cluster.groups.forEach((g, i) => {
    for (const h of cluster.groups.slice(i + 1)) {
      const majorities = disjointMajorities(g.acceptors, h.acceptors);
      if (majorities) found.push({ groups: [g.id, h.id], majorities });
    }
  });
  return found;
}

export const findDisjointMajorities = (cluster: ClusterConfig): DisjointMajorities | null =>
  allDisjointMajorities(cluster)[0] ?? null;

/** e.g. "groups 1 and 2 need not agree: majority {peer2 (id 2), ...} of group 1 and ...". */
export function describeDisjointMajorities(cluster: ClusterConfig, d: DisjointMajorities): string {
  const names = (ids: PeerId[]) =>
    `{${ids.map((id) => `${peerById(cluster, id).host} (id ${id})`).join(', ')}}`;
  const [g, h] = d.groups;
  return (
    `groups ${g} and ${h} need not agree: majority ${names(d.majorities[0])} of group ${g} and ` +
    `majority ${names(d.majorities[1])} of group ${h} share no acceptor`
  );
}
