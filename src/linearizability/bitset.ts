/**
 * The set of operations linearized so far, with a hash kept up to date on each change (the
 * xor of a mix of each member), so that the memo's key costs nothing to compute.
 */
const mix = (i: number): number => {
  let h = Math.imul(i + 1, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) | 0;
};

export class Bitset {
  readonly words: Uint32Array;
  hash = 0;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  set(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] ?? 0) | (1 << (i & 31));
    this.hash ^= mix(i);
  }

  clear(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] ?? 0) & ~(1 << (i & 31));
    this.hash ^= mix(i);
  }

  equals(words: Uint32Array): boolean {
    for (let w = 0; w < words.length; w++) if (words[w] !== this.words[w]) return false;
    return true;
  }

  snapshot(): Uint32Array {
    return this.words.slice();
  }
}
