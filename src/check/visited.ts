/**
 * The visited set of the search: one interface, two stores.
 *
 * - `FingerprintSet` (the default, as TLC keeps it): a state is remembered only by its
 *   64-bit fingerprint, 8 bytes in an open-addressing table grown by half at three
 *   quarters full, so between 10.7 and 16 bytes a state. Two distinct states with one
 *   fingerprint would make the search skip the second: the search prints the chance.
 *   Worker threads share one such table in a SharedArrayBuffer.
 * - `ExactSet`: every state's key is stored and compared, for when no chance is acceptable
 *   (and for tests that look at every state reached).
 */

/** What a store says of a state it is given: new, known, or (only the shared table) full until it grows. */
export const ADDED = 1;
export const KNOWN = 0;
export const FULL = -1;
export type Added = typeof ADDED | typeof KNOWN | typeof FULL;

export interface VisitedSet {
  readonly size: number;
  /** Bytes held in typed arrays. */
  readonly bytes: number;
  /** Adds a state (fingerprint fp[0..1], key[0..length)): ADDED when it was new, KNOWN, or FULL. */
  add(fp: Int32Array, key: Int32Array, length: number): Added;
  has(fp: Int32Array, key: Int32Array, length: number): boolean;
  /**
   * The number of a known state (states are numbered as they are added, from 0), or -1.
   * A `FingerprintSet` answers only when made `indexed` (4 more bytes a slot).
   */
  find(fp: Int32Array, key: Int32Array, length: number): number;
}

const LOAD = 0.75;
/** The table is 64 segments (by the top bits of the first lane), each grown on its own, so a growth copies 1/64 of it. */
const SEGMENT_BITS = 6;
const SEGMENTS = 1 << SEGMENT_BITS;

const slotOf = (h: number, capacity: number): number => Math.floor(((h >>> 0) * capacity) / 4294967296);

export class FingerprintSet implements VisitedSet {
  /** Per segment two cells a slot: the fingerprint's lanes, never zero in a used slot. */
  private readonly tables: Int32Array[] = [];
  /** Per segment, per slot, the state's number: only when indexed (the liveness question walks the graph by them). */
  private readonly numbers: Int32Array[] | null;
  private readonly capacities = new Int32Array(SEGMENTS);
  private readonly counts = new Int32Array(SEGMENTS);
  private count = 0;

  constructor(expected = 1 << 16, indexed = false) {
    const capacity = Math.max(64, Math.ceil(expected / LOAD / SEGMENTS) + 1);
    this.numbers = indexed ? [] : null;
    for (let i = 0; i < SEGMENTS; i++) {
      this.tables.push(new Int32Array(2 * capacity));
      this.numbers?.push(new Int32Array(capacity));
      this.capacities[i] = capacity;
    }
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    let n = 0;
    for (const t of this.tables) n += t.byteLength;
    for (const t of this.numbers ?? []) n += t.byteLength;
    return n;
  }

  add(fp: Int32Array): Added {
    const a = fp[0] as number;
    const b = fp[1] as number;
    const seg = a >>> (32 - SEGMENT_BITS);
    const table = this.tables[seg] as Int32Array;
    const capacity = this.capacities[seg] as number;
    let slot = slotOf(a << SEGMENT_BITS, capacity);
    for (;;) {
      const x = table[2 * slot] as number;
      if (x === 0) break;
      if (x === a && table[2 * slot + 1] === b) return KNOWN;
      if (++slot === capacity) slot = 0;
    }
    table[2 * slot] = a;
    table[2 * slot + 1] = b;
    if (this.numbers) (this.numbers[seg] as Int32Array)[slot] = this.count;
    this.count++;
    const n = (this.counts[seg] as number) + 1;
    this.counts[seg] = n;
    if (n > LOAD * capacity) this.grow(seg, Math.ceil(capacity * 1.5));
    return ADDED;
  }

  has(fp: Int32Array): boolean {
    return this.probe(fp) >= 0;
  }

  /** Calls `each` with every fingerprint held (in out, reused), in no particular order. */
  forEach(each: (fp: Int32Array) => void): void {
    const fp = new Int32Array(2);
    for (const table of this.tables)
      for (let s = 0; s < table.length; s += 2) {
        if (table[s] === 0) continue;
        fp[0] = table[s] as number;
        fp[1] = table[s + 1] as number;
        each(fp);
      }
  }

  find(fp: Int32Array): number {
    if (!this.numbers) throw new Error('internal error: find() on a fingerprint set made without numbers');
    const slot = this.probe(fp);
    return slot < 0
      ? -1
      : ((this.numbers[(fp[0] as number) >>> (32 - SEGMENT_BITS)] as Int32Array)[slot] as number);
  }

  /** The slot of fp in its segment, or -1. */
  private probe(fp: Int32Array): number {
    const a = fp[0] as number;
    const b = fp[1] as number;
    const seg = a >>> (32 - SEGMENT_BITS);
    const table = this.tables[seg] as Int32Array;
    const capacity = this.capacities[seg] as number;
    let slot = slotOf(a << SEGMENT_BITS, capacity);
    for (;;) {
      const x = table[2 * slot] as number;
      if (x === 0) return -1;
      if (x === a && table[2 * slot + 1] === b) return slot;
      if (++slot === capacity) slot = 0;
    }
  }

  private grow(seg: number, capacity: number): void {
    const old = this.tables[seg] as Int32Array;
    const table = new Int32Array(2 * capacity);
    const oldNumbers = this.numbers?.[seg];
    const numbers = oldNumbers ? new Int32Array(capacity) : null;
    for (let s = 0; s < old.length; s += 2) {
      const a = old[s] as number;
      if (a === 0) continue;
      let slot = slotOf(a << SEGMENT_BITS, capacity);
      while (table[2 * slot] !== 0) if (++slot === capacity) slot = 0;
      table[2 * slot] = a;
      table[2 * slot + 1] = old[s + 1] as number;
      if (numbers) numbers[slot] = (oldNumbers as Int32Array)[s >> 1] as number;
    }
    this.tables[seg] = table;
    if (numbers) (this.numbers as Int32Array[])[seg] = numbers;
    this.capacities[seg] = capacity;
  }
}

/**
 * The fingerprint table of a search by several worker threads at once: one table in a
 * SharedArrayBuffer, of a capacity fixed between pauses (the coordinator grows it while
 * every worker waits). A slot is claimed by a compare-and-swap of its first lane; a reader
 * that finds the first lane of its own fingerprint waits for the second, written just
 * after the claim.
 */
export class SharedFingerprintTable implements VisitedSet {
  readonly table: Int32Array;
  readonly capacity: number;
  /** cell 0: slots used, shared by every thread, published in batches (see `batch`). */
  readonly used: Int32Array;
  /**
   * Slots this thread filled and has not yet added to `used`. One shared counter bumped on
   * every insert kept its cache line moving between the cores on every new state; in
   * batches the line stays put, and the table still cannot overfill: each thread sees all
   * but the other threads' unpublished slots, fewer than `batch` each, which the 15% of
   * the table past `limit` holds many times over.
   */
  private pending = 0;
  private readonly batch: number;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly usedBuffer: SharedArrayBuffer,
  ) {
    this.table = new Int32Array(buffer);
    this.capacity = this.table.length / 2;
    this.used = new Int32Array(usedBuffer);
    this.batch = Math.max(1, Math.min(256, this.capacity >> 12));
  }

  static create(capacity: number, usedBuffer = new SharedArrayBuffer(4)): SharedFingerprintTable {
    return new SharedFingerprintTable(new SharedArrayBuffer(8 * capacity), usedBuffer);
  }

  /** States in the table: every thread's published ones and this thread's own. */
  get size(): number {
    return Atomics.load(this.used, 0) + this.pending;
  }

  /** Adds this thread's unpublished slots to the shared count (at the end of each level, so the count is exact between levels). */
  publish(): void {
    if (this.pending === 0) return;
    Atomics.add(this.used, 0, this.pending);
    this.pending = 0;
  }

  get bytes(): number {
    return this.table.byteLength;
  }

  /** The liveness question needs numbered states, which threads do not share. */
  find(): number {
    throw new Error('internal error: the shared table does not number its states');
  }

  /** The most slots a search may fill before it pauses for a growth. */
  get limit(): number {
    return Math.floor(0.85 * this.capacity);
  }

  /** ADDED, KNOWN, or FULL: the table is full enough that it must grow first. */
  add(fp: Int32Array): Added {
    const a = fp[0] as number;
    const b = fp[1] as number;
    const table = this.table;
    const capacity = this.capacity;
    let slot = slotOf(a, capacity);
    for (;;) {
      let x = Atomics.load(table, 2 * slot);
      if (x === 0) {
        if (Atomics.load(this.used, 0) + this.pending >= this.limit) return FULL;
        x = Atomics.compareExchange(table, 2 * slot, 0, a);
        if (x === 0) {
          Atomics.store(table, 2 * slot + 1, b);
          if (++this.pending >= this.batch) this.publish();
          return ADDED;
        }
      }
      if (x === a) {
        let y = Atomics.load(table, 2 * slot + 1);
        while (y === 0) y = Atomics.load(table, 2 * slot + 1);
        if (y === b) return KNOWN;
      }
      if (++slot === capacity) slot = 0;
    }
  }

  has(fp: Int32Array): boolean {
    const a = fp[0] as number;
    const b = fp[1] as number;
    let slot = slotOf(a, this.capacity);
    for (;;) {
      const x = Atomics.load(this.table, 2 * slot);
      if (x === 0) return false;
      if (x === a && Atomics.load(this.table, 2 * slot + 1) === b) return true;
      if (++slot === this.capacity) slot = 0;
    }
  }

  /** A copy with `capacity` slots (only while no thread inserts). */
  grown(capacity: number): SharedFingerprintTable {
    const next = SharedFingerprintTable.create(capacity, this.usedBuffer);
    const t = next.table;
    const old = this.table;
    for (let s = 0; s < old.length; s += 2) {
      const a = old[s] as number;
      if (a === 0) continue;
      let slot = slotOf(a, capacity);
      while (t[2 * slot] !== 0) if (++slot === capacity) slot = 0;
      t[2 * slot] = a;
      t[2 * slot + 1] = old[s + 1] as number;
    }
    return next;
  }
}

const CHUNK_BITS = 24;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

/** A copy of `a` with room for `size` elements. */
export const growArray = <A extends Int32Array | Uint32Array | Uint16Array | Uint8Array>(
  a: A,
  size: number,
): A => {
  const next = new (a.constructor as new (n: number) => A)(size);
  next.set(a);
  return next;
};

/** Every key stored once, in chunked typed arrays, found again by open addressing. */
export class ExactSet implements VisitedSet {
  private chunks: Int32Array[] = [new Int32Array(CHUNK_SIZE)];
  private used = 0;
  private offsets = new Uint32Array(1 << 16);
  private lengths = new Uint16Array(1 << 16);
  /** Two ints a slot: state index + 1 (0: empty) and the first fingerprint lane. */
  private table = new Int32Array(2 << 17);
  private mask = (1 << 17) - 1;
  size = 0;

  get bytes(): number {
    return (
      this.chunks.length * CHUNK_SIZE * 4 +
      this.offsets.byteLength +
      this.lengths.byteLength +
      this.table.byteLength
    );
  }

  add(fp: Int32Array, key: Int32Array, length: number): Added {
    const h = fp[0] as number;
    const table = this.table;
    let slot = h & this.mask;
    for (;;) {
      const entry = table[2 * slot] as number;
      if (entry === 0) break;
      if (table[2 * slot + 1] === h && this.equals(entry - 1, key, length)) return KNOWN;
      slot = (slot + 1) & this.mask;
    }
    const index = this.size;
    if (index === this.offsets.length) {
      this.offsets = growArray(this.offsets, 2 * index);
      this.lengths = growArray(this.lengths, 2 * index);
    }
    this.offsets[index] = this.store(key, length);
    this.lengths[index] = length;
    table[2 * slot] = index + 1;
    table[2 * slot + 1] = h;
    this.size++;
    if (this.size * 2 > this.mask) this.growTable();
    return ADDED;
  }

  has(fp: Int32Array, key: Int32Array, length: number): boolean {
    return this.find(fp, key, length) >= 0;
  }

  find(fp: Int32Array, key: Int32Array, length: number): number {
    const h = fp[0] as number;
    let slot = h & this.mask;
    for (;;) {
      const entry = this.table[2 * slot] as number;
      if (entry === 0) return -1;
      if (this.table[2 * slot + 1] === h && this.equals(entry - 1, key, length)) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Copies the key of the index-th state added into `out`; returns its length. */
  read(index: number, out: Int32Array): number {
    const length = this.lengths[index] as number;
    const offset = this.offsets[index] as number;
    const chunk = this.chunks[offset >>> CHUNK_BITS] as Int32Array;
    const start = offset & CHUNK_MASK;
    for (let i = 0; i < length; i++) out[i] = chunk[start + i] as number;
    return length;
  }

  private equals(index: number, key: Int32Array, length: number): boolean {
    if (this.lengths[index] !== length) return false;
    const offset = this.offsets[index] as number;
    const chunk = this.chunks[offset >>> CHUNK_BITS] as Int32Array;
    const start = offset & CHUNK_MASK;
    for (let i = 0; i < length; i++) if (chunk[start + i] !== key[i]) return false;
    return true;
  }

  private store(key: Int32Array, length: number): number {
    let chunkIndex = this.chunks.length - 1;
    if (this.used + length > CHUNK_SIZE) {
      if (this.chunks.length >= 256) throw new Error('state store full (2^32 ints of keys)');
      this.chunks.push(new Int32Array(CHUNK_SIZE));
      chunkIndex++;
      this.used = 0;
    }
    const chunk = this.chunks[chunkIndex] as Int32Array;
    for (let i = 0; i < length; i++) chunk[this.used + i] = key[i] as number;
    const offset = chunkIndex * CHUNK_SIZE + this.used;
    this.used += length;
    return offset;
  }

  private growTable(): void {
    const old = this.table;
    const capacity = (this.mask + 1) * 2;
    const table = new Int32Array(2 * capacity);
    const mask = capacity - 1;
    for (let s = 0; s < old.length; s += 2) {
      const entry = old[s] as number;
      if (entry === 0) continue;
      const h = old[s + 1] as number;
      let slot = h & mask;
      while (table[2 * slot] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = entry;
      table[2 * slot + 1] = h;
    }
    this.table = table;
    this.mask = mask;
  }
}
