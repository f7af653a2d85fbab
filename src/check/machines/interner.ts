/**
 * Interning: every distinct thing the checker meets (a peer's machine snapshots, a message
 * in flight, a ghost history) gets a small integer id once, so that world states are
 * short arrays of ints and the expensive work (running XState, JSON) happens once per
 * distinct thing rather than once per world state.
 */
export class Interner<T> {
  private readonly ids = new Map<string, number>();
  readonly values: T[] = [];
  readonly keys: string[] = [];

  get size(): number {
    return this.values.length;
  }

  /** The id of `key`, adding `value` under it if it is new. */
  intern(key: string, value: T | (() => T)): number {
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.values.length;
    this.ids.set(key, id);
    this.keys.push(key);
    this.values.push(typeof value === 'function' ? (value as () => T)() : value);
    return id;
  }

  lookup(key: string): number | undefined {
    return this.ids.get(key);
  }

  value(id: number): T {
    const v = this.values[id];
    if (v === undefined) throw new Error(`no interned value ${id}`);
    return v;
  }
}

/** A memo keyed by two small non-negative ints (each below 2^26). */
export class PairMemo<T> {
  private readonly map = new Map<number, T>();
  get(a: number, b: number): T | undefined {
    return this.map.get(a * 67_108_864 + b);
  }
  set(a: number, b: number, v: T): void {
    this.map.set(a * 67_108_864 + b, v);
  }
  get size(): number {
    return this.map.size;
  }
}
