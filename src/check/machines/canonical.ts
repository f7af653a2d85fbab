/**
 * Canonical keys under symmetry: of all renamings of a world (see symmetry.ts), the one
 * whose key is smallest (lexicographically, shorter first on a tie). Worlds in one orbit
 * get the same key, so the visited set holds one world per orbit.
 */
import type { PeerId } from '../../../machines/messages';
import type { Renaming } from './symmetry';
import type { WorldModel } from './world';

export class Canonicalizer {
  /** For each renaming: the slot each slot's peer moves to. */
  private readonly slotImages: Int32Array[];
  private readonly candidate = new Int32Array(1 << 16);

  constructor(
    private readonly world: WorldModel,
    readonly renamings: readonly Renaming[],
    private readonly set: boolean,
  ) {
    this.slotImages = renamings.map((r) =>
      Int32Array.from(world.slots, (id) => world.slotOf.get(r.rename(id) as PeerId) as number),
    );
  }

  /** Writes the canonical form of key[0..length) into `best`; returns its length. */
  canonical(key: Int32Array, length: number, best: Int32Array): number {
    for (let i = 0; i < length; i++) best[i] = key[i] as number;
    let bestLength = length;
    for (let r = 0; r < this.renamings.length; r++) {
      const n = this.rename(r, key, length, this.candidate);
      if (compareKeys(this.candidate, n, best, bestLength) < 0) {
        for (let i = 0; i < n; i++) best[i] = this.candidate[i] as number;
        bestLength = n;
      }
    }
    return bestLength;
  }

  /** Writes key[0..length) renamed by renaming `r` into out; returns its length. */
  rename(r: number, key: Int32Array, length: number, out: Int32Array): number {
    const renaming = this.renamings[r] as Renaming;
    const images = this.slotImages[r] as Int32Array;
    const { payload, history } = this.world;
    for (let s = 0; s < images.length; s++) out[images[s] as number] = renaming.peer(key[s] as number);
    for (let i = images.length; i < payload; i++) out[i] = key[i] as number;
    out[history] = renaming.history(key[history] as number);
    if (!this.set) {
      for (let i = payload; i < length; i++) {
        // insertion sort: a few dozen messages at most
        const m = renaming.send(key[i] as number);
        let j = i;
        while (j > payload && (out[j - 1] as number) > m) {
          out[j] = out[j - 1] as number;
          j--;
        }
        out[j] = m;
      }
      return length;
    }
    let end = payload;
    for (let w = payload; w < length; w++) {
      const word = key[w] as number;
      if (word === 0) continue;
      for (let b = 0; b < 32; b++) {
        if ((word & (1 << b)) === 0) continue;
        const m = renaming.send((w - payload) * 32 + b);
        const target = payload + (m >>> 5);
        while (end <= target) out[end++] = 0;
        out[target] = (out[target] as number) | (1 << (m & 31));
      }
    }
    return end;
  }
}

export function compareKeys(a: Int32Array, aLength: number, b: Int32Array, bLength: number): number {
  if (aLength !== bLength) return aLength - bLength;
  for (let i = 0; i < aLength; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}
