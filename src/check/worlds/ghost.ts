/**
 * The ghost history a world carries beyond what the peers and the network hold: every vote
 * an acceptor ever cast (the ground truth of "chosen", which an acceptor's current state
 * forgets once it accepts a higher number) and, when refinement is checked, every
 * spec-relevant message ever sent (Paxos.tla's `msgs`, which a consuming network forgets).
 * (Which peers printed chose is kept with their peer states: peerTable.ts.)
 * A history is an interned sorted set of interned items, so a world carries one int.
 */
import type { Message, PeerId, Value } from '../../../machines/messages';
import { hashString, SEED_A, SEED_B } from '../hash';
import { Interner, PairMemo } from './interner';

export type GhostItem =
  | { kind: 'message'; message: Message }
  | { kind: 'vote'; acceptor: PeerId; n: number; value: Value | null };

export class GhostHistory {
  readonly items = new Interner<GhostItem>();
  readonly sets = new Interner<Int32Array>();
  private readonly added = new PairMemo<number>();
  /** Content hashes of items and of sets (a set's is the sum of its items'), per id. */
  private readonly itemHashA: number[] = [];
  private readonly itemHashB: number[] = [];
  private readonly setHashA: number[] = [];
  private readonly setHashB: number[] = [];

  /** The empty history has id 0. */
  constructor() {
    this.sets.intern('', new Int32Array(0));
  }

  message(message: Message): number {
    return this.item(`m${JSON.stringify(message)}`, () => ({ kind: 'message', message }));
  }

  vote(acceptor: PeerId, n: number, value: Value | null): number {
    return this.item(`v${acceptor},${n},${JSON.stringify(value)}`, () => ({
      kind: 'vote',
      acceptor,
      n,
      value,
    }));
  }

  private item(key: string, make: () => GhostItem): number {
    const before = this.items.size;
    const id = this.items.intern(key, make);
    if (id === before) {
      this.itemHashA.push(hashString(key, SEED_A));
      this.itemHashB.push(hashString(key, SEED_B));
    }
    return id;
  }

  hashA(set: number): number {
    let h = this.setHashA[set];
    if (h === undefined) h = this.hashSet(set, this.itemHashA, this.setHashA);
    return h;
  }

  hashB(set: number): number {
    let h = this.setHashB[set];
    if (h === undefined) h = this.hashSet(set, this.itemHashB, this.setHashB);
    return h;
  }

  private hashSet(set: number, items: number[], memo: number[]): number {
    let h = 0;
    for (const i of this.sets.value(set)) h = (h + (items[i] as number)) | 0;
    memo[set] = h;
    return h;
  }

  add(set: number, item: number): number {
    const known = this.added.get(set, item);
    if (known !== undefined) return known;
    const old = this.sets.value(set);
    let next = set;
    if (!old.includes(item)) {
      const ids = Int32Array.from([...old, item]).sort();
      next = this.sets.intern(ids.join(','), ids);
    }
    this.added.set(set, item, next);
    return next;
  }

  addAll(set: number, items: readonly number[]): number {
    let s = set;
    for (const item of items) s = this.add(s, item);
    return s;
  }

  /** Interns a set given as item ids in any order. */
  ofItems(items: Iterable<number>): number {
    const ids = Int32Array.from(new Set(items)).sort();
    return this.sets.intern(ids.join(','), ids);
  }

  itemsOf(set: number): GhostItem[] {
    return [...this.sets.value(set)].map((i) => this.items.value(i));
  }
}
