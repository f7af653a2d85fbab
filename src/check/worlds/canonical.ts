/**
 * Worlds renamed as wholes: each renaming of symmetry.ts applied to peer slots (which
 * move), peer states, the history and the network. The generic `symmetric` wrapper
 * (../model.ts) takes the least fingerprint or key over these, one per orbit.
 */
import type { PeerId } from '../../../machines/messages';
import * as hashing from '../hash';
import type { Renamer } from '../model';
import { growArray } from '../visited';
import type { WorldModel } from './packedWorld';
import type { Renaming } from './symmetry';

// Local bindings, as in world.ts: called per successor.
const { fmix, fold, nonZero, SEED_A, SEED_B } = hashing;

/** A peer's term in a fingerprint's sum: its state's hash, mixed with its place. */
const slotTerm = (seed: number, at: number, hash: number): number => fmix(fold(seed + at, hash));

/** Keeps in `out` the lesser of out and fp (as unsigned lanes, the first lane first). */
function least(out: Int32Array, fp: Int32Array): void {
  const a = fp[0] as number;
  const b = fp[1] as number;
  if (a >>> 0 < (out[0] as number) >>> 0 || (a === out[0] && b >>> 0 < (out[1] as number) >>> 0)) {
    out[0] = a;
    out[1] = b;
  }
}

export class Canonicalizer implements Renamer {
  /** For each renaming: the slot each slot's peer moves to. */
  private readonly slotImages: Int32Array[];
  private readonly sendRenamers: ((m: number) => number)[] = [];

  constructor(
    private readonly world: WorldModel,
    readonly renamings: readonly Renaming[],
  ) {
    this.slotImages = renamings.map((r) =>
      Int32Array.from(world.slots, (id) => world.slotOf.get(r.rename(id) as PeerId) as number),
    );
    this.base = new SetSums(world.dups, renamings.length + 1);
    this.work = new SetSums(world.dups, renamings.length + 1);
    this.slotSources = this.slotImages.map((images) => {
      const sources = new Int32Array(images.length);
      images.forEach((to, from) => {
        sources[to] = from;
      });
      return sources;
    });
  }

  /** For each renaming: which slot's peer lands in each slot. */
  private readonly slotSources: Int32Array[];
  private readonly fp = new Int32Array(2);

  /** The least fingerprint over the world and its renamings, without writing the renamed worlds. */
  leastFingerprint(key: Int32Array, length: number, out: Int32Array): void {
    if (this.world.net.kind === 'set') {
      this.leastOnSet(key, length, out);
      return;
    }
    this.world.fingerprint(key, length, out);
    const fp = this.fp;
    for (let r = 0; r < this.renamings.length; r++) {
      this.world.fingerprint(
        key,
        length,
        fp,
        this.renamings[r] as Renaming,
        this.slotSources[r] as Int32Array,
      );
      least(out, fp);
    }
  }

  /** The world being expanded: its successors are fingerprinted from its sums (set network). */
  expanding(key: Int32Array, length: number): void {
    if (this.world.net.kind === 'set') this.moveTo(this.base, key, length);
  }

  /**
   * On the set a fingerprint under symmetry is kept as sums, for each renaming (the
   * identity first) and lane: of a term per peer in its renamed place, of the budgets and
   * renamed history, and of the renamed messages' hashes. A successor differs from the world
   * being expanded in one peer and a few messages, so its sums are that world's, adjusted by
   * what changed, instead of summed again for every renaming. Sums modulo 2^32 do not depend
   * on their order, so the result is the same as summing afresh, from whatever world the
   * sums start.
   */
  private leastOnSet(key: Int32Array, length: number, out: Int32Array): void {
    const work = this.work;
    work.copy(this.base);
    this.moveTo(work, key, length);
    const R = this.renamings.length;
    const { heads, tails, sums } = work;
    const fp = this.fp;
    for (let r = 0; r <= R; r++) {
      const target = r === 0 ? out : fp;
      for (let lane = 0; lane < 2; lane++) {
        const i = 2 * r + lane;
        target[lane] = nonZero(fmix(fold(fold(heads[i] as number, tails[i] as number), sums[i] as number)));
      }
      if (r > 0) least(out, fp);
    }
  }

  /** Adjusts the sums of `at` to those of world `key`. */
  private moveTo(at: SetSums, key: Int32Array, length: number): void {
    const world = this.world;
    const { payload, peers, ghost } = world;
    const R = this.renamings.length;
    const heads = at.heads;
    const fresh = !at.started;
    at.started = true;
    for (let slot = 0; slot < world.dups; slot++) {
      const now = key[slot] as number;
      const was = at.peers[slot] as number;
      if (!fresh && now === was) continue;
      for (let r = 0; r <= R; r++) {
        const renaming = r === 0 ? null : (this.renamings[r - 1] as Renaming);
        const place = r === 0 ? slot : ((this.slotImages[r - 1] as Int32Array)[slot] as number);
        const to = renaming ? renaming.peer(now) : now;
        let a = (heads[2 * r] as number) + slotTerm(SEED_A, place, peers.hashA[to] as number);
        let b = (heads[2 * r + 1] as number) + slotTerm(SEED_B, place, peers.hashB[to] as number);
        if (!fresh) {
          const from = renaming ? renaming.peer(was) : was;
          a -= slotTerm(SEED_A, place, peers.hashA[from] as number);
          b -= slotTerm(SEED_B, place, peers.hashB[from] as number);
        }
        heads[2 * r] = a | 0;
        heads[2 * r + 1] = b | 0;
      }
      at.peers[slot] = now;
    }
    const budgets = fold(key[world.dups] as number, key[world.crashes] as number);
    const history = key[world.history] as number;
    if (fresh || budgets !== at.budgets || history !== at.history) {
      for (let r = 0; r <= R; r++) {
        const h = r === 0 ? history : (this.renamings[r - 1] as Renaming).history(history);
        at.tails[2 * r] = fold(fold(SEED_A, budgets), ghost.hashA(h));
        at.tails[2 * r + 1] = fold(fold(SEED_B, budgets), ghost.hashB(h));
      }
      at.budgets = budgets;
      at.history = history;
    }
    const words = length - payload;
    const count = Math.max(words, at.wordCount);
    if (at.words.length < count) at.words = growArray(at.words, 2 * count);
    const sums = at.sums;
    const lanes = sums.length;
    for (let w = 0; w < count; w++) {
      const now = w < words ? (key[payload + w] as number) : 0;
      const was = at.words[w] as number;
      if (now === was) continue;
      for (let bits = now & ~was; bits !== 0; ) {
        const low = bits & -bits;
        bits ^= low;
        const h = this.hashesOf(w * 32 + 31 - Math.clz32(low));
        for (let i = 0; i < lanes; i++) sums[i] = ((sums[i] as number) + (h[i] as number)) | 0;
      }
      for (let bits = was & ~now; bits !== 0; ) {
        const low = bits & -bits;
        bits ^= low;
        const h = this.hashesOf(w * 32 + 31 - Math.clz32(low));
        for (let i = 0; i < lanes; i++) sums[i] = ((sums[i] as number) - (h[i] as number)) | 0;
      }
      at.words[w] = now;
    }
    at.wordCount = words;
  }

  /** Message m's two hash lanes as each renaming (the identity first) makes it, memoised. */
  private hashesOf(m: number): Int32Array {
    let h = this.renamedHashes[m];
    if (!h) {
      const { peers } = this.world;
      h = new Int32Array(2 * (this.renamings.length + 1));
      h[0] = peers.sendHashA[m] as number;
      h[1] = peers.sendHashB[m] as number;
      for (let r = 0; r < this.renamings.length; r++) {
        const image = (this.renamings[r] as Renaming).send(m);
        h[2 * r + 2] = peers.sendHashA[image] as number;
        h[2 * r + 3] = peers.sendHashB[image] as number;
      }
      this.renamedHashes[m] = h;
    }
    return h;
  }

  /** Set network: the sums of the world being expanded, and of the successor being fingerprinted. */
  private readonly base: SetSums;
  private readonly work: SetSums;
  private readonly renamedHashes: Int32Array[] = [];

  get count(): number {
    return this.renamings.length;
  }

  /** Writes key[0..length) renamed by renaming `r` into out; returns its length. */
  rename(r: number, key: Int32Array, length: number, out: Int32Array): number {
    const renaming = this.renamings[r] as Renaming;
    const images = this.slotImages[r] as Int32Array;
    const { payload, history } = this.world;
    for (let s = 0; s < images.length; s++) out[images[s] as number] = renaming.peer(key[s] as number);
    for (let i = images.length; i < payload; i++) out[i] = key[i] as number;
    out[history] = renaming.history(key[history] as number);
    return this.world.net.rename(key, payload, length, this.sendRenamer(r), out);
  }

  private sendRenamer(r: number): (m: number) => number {
    let f = this.sendRenamers[r];
    if (!f) {
      const renaming = this.renamings[r] as Renaming;
      f = (m) => renaming.send(m);
      this.sendRenamers[r] = f;
    }
    return f;
  }
}

/** A world's fingerprint sums on the set network, per renaming and lane, with the parts of the world they are of. */
class SetSums {
  started = false;
  readonly peers: Int32Array;
  budgets = 0;
  history = -1;
  words: Int32Array = new Int32Array(8);
  wordCount = 0;
  readonly heads: Int32Array;
  readonly tails: Int32Array;
  readonly sums: Int32Array;

  constructor(slots: number, renamings: number) {
    this.peers = new Int32Array(slots);
    this.heads = new Int32Array(2 * renamings);
    this.tails = new Int32Array(2 * renamings);
    this.sums = new Int32Array(2 * renamings);
  }

  copy(from: SetSums): void {
    this.started = from.started;
    this.peers.set(from.peers);
    this.budgets = from.budgets;
    this.history = from.history;
    if (this.words.length < from.words.length) this.words = new Int32Array(from.words.length);
    this.words.set(from.words);
    this.wordCount = from.wordCount;
    this.heads.set(from.heads);
    this.tails.set(from.tails);
    this.sums.set(from.sums);
  }
}
