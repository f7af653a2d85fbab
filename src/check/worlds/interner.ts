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

/**
 * A memo keyed by two small non-negative ints: a row per first key, a map per row. One map
 * keyed by a * 2^26 + b was simpler, but such keys are past V8's small integers, so every
 * lookup boxed a double and hashed it (the checker's hottest memos).
 */
export class PairMemo<T> {
  private readonly rows: (Map<number, T> | undefined)[] = [];
  private count = 0;
  get(a: number, b: number): T | undefined {
    return this.rows[a]?.get(b);
  }
  set(a: number, b: number, v: T): void {
    let row = this.rows[a];
    if (!row) {
      row = new Map();
      this.rows[a] = row;
    }
    if (!row.has(b)) this.count++;
    row.set(b, v);
  }
  get size(): number {
    return this.count;
  }
}
