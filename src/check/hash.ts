/**
 * Hashing for the visited set. A fingerprint is 64 bits kept as two independent 32-bit
 * lanes, so that it needs no BigInt and fits two Int32Array cells. Each lane is a
 * murmur3-style mix with its own seed; both lanes are forced non-zero because a zero cell
 * marks an empty slot of the table.
 */

/** murmur3's finaliser: every input bit moves every output bit. */
export const fmix = (x: number): number => {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
};

/** One murmur3 round: folds k into h. */
export const fold = (h: number, k: number): number => {
  let x = Math.imul(k | 0, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  let y = h ^ Math.imul(x, 0x1b873593);
  y = (y << 13) | (y >>> 19);
  return (Math.imul(y, 5) + 0xe6546b64) | 0;
};

export const SEED_A = 0x9747b28c;
export const SEED_B = 0x2f1e5a13;

/** A 32-bit hash of s[0..length) under `seed`. */
function hashInts(s: Int32Array, length: number, seed: number): number {
  let h = seed ^ length;
  for (let i = 0; i < length; i++) h = fold(h, s[i] as number);
  return fmix(h);
}

/** A 32-bit hash of a string under `seed` (its UTF-16 code units, two at a time). */
export function hashString(text: string, seed: number): number {
  let h = seed ^ text.length;
  let i = 0;
  for (; i + 1 < text.length; i += 2) h = fold(h, text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
  if (i < text.length) h = fold(h, text.charCodeAt(i));
  return fmix(h);
}

/** Writes the two lanes of s[0..length)'s fingerprint into out[0], out[1]. */
export function fingerprintInts(s: Int32Array, length: number, out: Int32Array): void {
  out[0] = nonZero(hashInts(s, length, SEED_A));
  out[1] = nonZero(hashInts(s, length, SEED_B));
}

export const nonZero = (h: number): number => (h === 0 ? 1 : h);
