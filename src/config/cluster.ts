/**
 * A cluster as a hostsfile describes it, after validation. Everything downstream (the
 * runtime, the simulator, the checker) works from this shape, never from the file.
 */
import type { GroupId, PeerId } from '../../machines/messages';

export interface PeerConfig {
  /** The peer's line number among the hostsfile's peer lines, from 1. */
  id: PeerId;
  host: string;
  /** Line in the file (1-based, counting every line), for messages about this peer. */
  line: number;
  /** Groups K for which the peer holds proposerK / acceptorK / learnerK, ascending. */
  proposer: GroupId[];
  acceptor: GroupId[];
  learner: GroupId[];
}

export interface GroupConfig {
  id: GroupId;
  proposer: PeerId;
  acceptors: PeerId[];
  learners: PeerId[];
}

export interface ClusterConfig {
  /** Where the description came from (a path, or a name for built-in clusters). */
  source: string;
  peers: PeerConfig[];
  /** Groups that have a proposer, ascending by id. */
  groups: GroupConfig[];
  /** P: the stride of proposal numbers, the highest group id (= the number of groups when they are 1..P). */
  groupCount: number;
}

/** A peer takes part when it holds any role; one that holds none prints nothing. */
export const takesPart = (peer: PeerConfig): boolean =>
  peer.proposer.length + peer.acceptor.length + peer.learner.length > 0;

/** The peer's roles as the hostsfile spells them: `acceptor1,learner1`, or `none`. */
export const rolesOf = (peer: PeerConfig): string => {
  const roles = [
    ...peer.proposer.map((k) => `proposer${k}`),
    ...peer.acceptor.map((k) => `acceptor${k}`),
    ...peer.learner.map((k) => `learner${k}`),
  ];
  return roles.length === 0 ? 'none' : roles.join(',');
};

export const peerById = (cluster: ClusterConfig, id: PeerId): PeerConfig => {
  const peer = cluster.peers.find((p) => p.id === id);
  if (!peer) throw new Error(`no peer ${id} in ${cluster.source}`);
  return peer;
};

/**
 * Builds a cluster from per-peer role lists (ids are positions from 1). For tests and
 * built-in examples; hostsfiles go through the parser, which also validates.
 */
export function clusterFromRoles(
  source: string,
  peers: { host: string; proposer?: GroupId[]; acceptor?: GroupId[]; learner?: GroupId[] }[],
): ClusterConfig {
  const full: PeerConfig[] = peers.map((p, i) => ({
    id: i + 1,
    host: p.host,
    line: i + 1,
    proposer: [...(p.proposer ?? [])].sort((a, b) => a - b),
    acceptor: [...(p.acceptor ?? [])].sort((a, b) => a - b),
    learner: [...(p.learner ?? [])].sort((a, b) => a - b),
  }));
  const ids = [...new Set(full.flatMap((p) => p.proposer))].sort((a, b) => a - b);
  const groups: GroupConfig[] = ids.map((id) => ({
    id,
    proposer: full.find((p) => p.proposer.includes(id))?.id ?? 0,
    acceptors: full.filter((p) => p.acceptor.includes(id)).map((p) => p.id),
    learners: full.filter((p) => p.learner.includes(id)).map((p) => p.id),
  }));
  return { source, peers: full, groups, groupCount: Math.max(0, ...ids) };
}

/** The peers that may ever send to `peer` (it tells them when it is up: src/runtime/frames.ts, helloFrame). */
export function sendersTo(cluster: ClusterConfig, peer: PeerConfig): PeerId[] {
  return cluster.peers.filter((p) => sendTargets(cluster, p).includes(peer.id)).map((p) => p.id);
}

/**
 * The peers `peer` may ever send to: for each proposerK, the group's acceptors and
 * learners; for each acceptorK, the group's proposer and learners. The runtime connects
 * to exactly these at start, so the first message pays no name lookup and no connect.
 */
export function sendTargets(cluster: ClusterConfig, peer: PeerConfig): PeerId[] {
  const out = new Set<PeerId>();
  for (const g of cluster.groups) {
    if (peer.proposer.includes(g.id)) for (const p of [...g.acceptors, ...g.learners]) out.add(p);
    if (peer.acceptor.includes(g.id)) for (const p of [g.proposer, ...g.learners]) out.add(p);
  }
  out.delete(peer.id);
  return [...out].sort((a, b) => a - b);
}
