/**
 * Symmetry reduction: acceptor peers with identical roles are interchangeable, so a world
 * and any world obtained by renaming such peers (consistently: in peer slots, inside
 * machine contexts, in messages in flight, in the ghost history) have the same future up
 * to renaming and break the same invariants. The search stores one representative per
 * orbit: the smallest key over all renamings.
 */
import type { PeerId } from '../../../machines/messages';
import type { ClusterConfig } from '../../config/cluster';
import type { PeerState } from '../../peer/node';
import type { GhostHistory } from './ghost';
import { renamePeers } from './ids';
import type { PeerTable } from './peerTable';

/** Classes of interchangeable peers: acceptor peers whose role lists are identical. */
function symmetryClasses(cluster: ClusterConfig): PeerId[][] {
  const classes = new Map<string, PeerId[]>();
  for (const p of cluster.peers) {
    if (p.acceptor.length === 0 || p.proposer.length > 0) continue;
    const key = JSON.stringify([p.acceptor, p.learner]);
    classes.set(key, [...(classes.get(key) ?? []), p.id]);
  }
  return [...classes.values()].filter((c) => c.length > 1);
}

const permutations = <T>(xs: readonly T[]): T[][] =>
  xs.length <= 1
    ? [[...xs]]
    : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

/** Every renaming that permutes peers within their classes (the identity first). */
export function renamings(cluster: ClusterConfig): Map<PeerId, PeerId>[] {
  let out: Map<PeerId, PeerId>[] = [new Map()];
  for (const cls of symmetryClasses(cluster)) {
    const next: Map<PeerId, PeerId>[] = [];
    for (const partial of out) {
      for (const image of permutations(cls)) {
        const m = new Map(partial);
        cls.forEach((id, i) => {
          m.set(id, image[i] as PeerId);
        });
        next.push(m);
      }
    }
    out = next;
  }
  return out;
}

/** One renaming applied to interned things, memoised per id. */
export class Renaming {
  // Typed, with -1 for not yet renamed: the fingerprint of every successor reads them.
  private peerMemo: Int32Array = new Int32Array(1024).fill(-1);
  private sendMemo: Int32Array = new Int32Array(1024).fill(-1);
  private historyMemo: Int32Array = new Int32Array(1024).fill(-1);
  readonly rename: (id: PeerId) => PeerId;

  constructor(
    readonly map: Map<PeerId, PeerId>,
    private readonly peers: PeerTable,
    private readonly ghost: GhostHistory,
  ) {
    this.rename = (id) => map.get(id) ?? id;
  }

  peer(id: number): number {
    if (id >= this.peerMemo.length) this.peerMemo = widened(this.peerMemo, id);
    let r = this.peerMemo[id] as number;
    if (r < 0) {
      const { machines } = this.peers.logic;
      const s = this.peers.states.value(id);
      // A renamed snapshot is rebuilt by XState from (state value, renamed context), so it
      // is as steppable as one the machine reached itself.
      const resolve = <M extends { resolveState: (c: { value: never; context: never }) => unknown }>(
        machine: M,
        snapshot: { value: unknown; context: unknown },
      ) =>
        machine.resolveState({
          value: snapshot.value as never,
          context: renamePeers(snapshot.context, this.rename) as never,
        });
      const renamed = {
        timers: s.timers,
        proposers: Object.fromEntries(
          Object.entries(s.proposers).map(([g, p]) => [g, resolve(machines.proposer, p)]),
        ),
        ...(s.acceptor ? { acceptor: resolve(machines.acceptor, s.acceptor) } : {}),
        ...(s.learner ? { learner: resolve(machines.learner, s.learner) } : {}),
      } as PeerState;
      r = this.peers.intern(this.rename(this.peers.owner(id)), renamed, this.peers.hasPrinted(id));
      this.peerMemo[id] = r;
    }
    return r;
  }

  send(id: number): number {
    if (id >= this.sendMemo.length) this.sendMemo = widened(this.sendMemo, id);
    let r = this.sendMemo[id] as number;
    if (r < 0) {
      const s = this.peers.send(id);
      r = this.peers.internSend({
        type: 'send',
        to: this.rename(s.to),
        message: renamePeers(s.message, this.rename),
      });
      this.sendMemo[id] = r;
    }
    return r;
  }

  history(id: number): number {
    if (id >= this.historyMemo.length) this.historyMemo = widened(this.historyMemo, id);
    let r = this.historyMemo[id] as number;
    if (r < 0) {
      r = this.ghost.ofItems(
        this.ghost
          .itemsOf(id)
          .map((item) =>
            item.kind === 'vote'
              ? this.ghost.vote(this.rename(item.acceptor), item.n, item.value)
              : this.ghost.message(renamePeers(item.message, this.rename)),
          ),
      );
      this.historyMemo[id] = r;
    }
    return r;
  }
}

/** A memo grown to hold index `id`, the new cells -1. */
function widened(memo: Int32Array, id: number): Int32Array {
  const next = new Int32Array(Math.max(2 * memo.length, id + 1)).fill(-1);
  next.set(memo);
  return next;
}
