/**
 * A small seeded pseudo-random generator (mulberry32, 32-bit state), so that a simulated
 * run is a function of its seed alone: no Math.random anywhere in the simulator.
 */

export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound) (bound >= 1). */
  below(bound: number): number;
  /** One element of a non-empty array. */
  pick<T>(xs: readonly T[]): T;
}

export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (bound: number) => Math.floor(next() * bound);
  return {
    next,
    below,
    pick: <T>(xs: readonly T[]) => {
      const x = xs[below(xs.length)];
      if (x === undefined && xs.length === 0) throw new Error('pick from an empty array');
      return x as T;
    },
  };
}
