/**
 * Worlds renamed as wholes: each renaming of symmetry.ts applied to peer slots (which
 * move), peer states, the history and the network. The generic `symmetric` wrapper
 * (../model.ts) takes the least fingerprint or key over these, one per orbit.
 */
import type { PeerId } from '../../../machines/messages';
import type { Renamer } from '../model';
import type { Renaming } from './symmetry';
import { finishFingerprint, type WorldModel } from './world';

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
    this.sums = new Int32Array(2 * (renamings.length + 1));
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

  /**
   * On the set the messages' part of a fingerprint is a sum over the set, for each renaming,
   * and the worlds fingerprinted one after another (the successors of one world) differ by a
   * few messages. So the sums of the last world are kept and adjusted by the messages that
   * came or went since, instead of summed again over every message for every renaming. The
   * result is the same as summing afresh (sums modulo 2^32 do not depend on their order).
   */
  private leastOnSet(key: Int32Array, length: number, out: Int32Array): void {
    const { payload } = this.world;
    const words = length - payload;
    const count = Math.max(words, this.lastWords);
    if (this.last.length < count) {
      const grown = new Int32Array(2 * count);
      grown.set(this.last);
      this.last = grown;
    }
    const sums = this.sums;
    const lanes = sums.length;
    for (let w = 0; w < count; w++) {
      const now = w < words ? (key[payload + w] as number) : 0;
      const was = this.last[w] as number;
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
      this.last[w] = now;
    }
    this.lastWords = words;
    this.world.fingerprintHead(key, out);
    finishFingerprint(out, sums[0] as number, sums[1] as number);
    const fp = this.fp;
    for (let r = 0; r < this.renamings.length; r++) {
      this.world.fingerprintHead(key, fp, this.renamings[r] as Renaming, this.slotSources[r] as Int32Array);
      finishFingerprint(fp, sums[2 * r + 2] as number, sums[2 * r + 3] as number);
      least(out, fp);
    }
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

  /** Set network: the payload words of the world last fingerprinted, and its sums per renaming and lane. */
  private last = new Int32Array(8);
  private lastWords = 0;
  private readonly sums: Int32Array;
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
