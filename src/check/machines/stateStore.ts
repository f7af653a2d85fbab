/**
 * The visited set of a breadth-first search over millions of world states, kept out of the
 * JavaScript heap: each state is a short array of ints (its key) stored once in chunked
 * typed arrays, found again through an open-addressing hash table, and remembered with its
 * predecessor and the step that led to it (enough to rebuild a trace, no paths stored).
 * State indices are given in discovery order, so breadth-first order is index order and
 * the queue is a cursor.
 */

const CHUNK_BITS = 24;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

/** 32-bit hash of key[0..length). */
export function hashKey(key: Int32Array, length: number): number {
  let h = 0x811c9dc5 ^ length;
  for (let i = 0; i < length; i++) {
    h = Math.imul(h ^ (key[i] as number), 0x01000193);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const grow = <A extends Int32Array | Uint32Array | Uint16Array>(a: A, size: number): A => {
  const next = new (a.constructor as new (n: number) => A)(size);
  next.set(a);
  return next;
};

export class StateStore {
  private chunks: Int32Array[] = [new Int32Array(CHUNK_SIZE)];
  private used = 0;
  private offsets = new Uint32Array(1 << 16);
  private lengths = new Uint16Array(1 << 16);
  private parents = new Int32Array(1 << 16);
  private steps = new Int32Array(1 << 16);
  /**
   * Open addressing, two ints per slot: state index + 1 (0: empty) and the key's hash, so
   * that a probe reads a stored key only when the hashes agree.
   */
  private table = new Int32Array(2 << 17);
  private mask = (1 << 17) - 1;
  size = 0;

  /** Bytes held in typed arrays (what the search costs beyond the interning tables). */
  get bytes(): number {
    return (
      this.chunks.length * CHUNK_SIZE * 4 +
      this.offsets.byteLength +
      this.lengths.byteLength +
      this.parents.byteLength +
      this.steps.byteLength +
      this.table.byteLength
    );
  }

  /** Adds the state if new. Returns its index, or -(index + 1) when it was already there. */
  add(key: Int32Array, length: number, parent: number, step: number): number {
    const h = hashKey(key, length) | 0;
    const table = this.table;
    let slot = h & this.mask;
    for (;;) {
      const entry = table[2 * slot] as number;
      if (entry === 0) break;
      if (table[2 * slot + 1] === h && this.equals(entry - 1, key, length)) return -entry;
      slot = (slot + 1) & this.mask;
    }
    const index = this.size;
    if (index === this.offsets.length) this.growStates();
    this.offsets[index] = this.store(key, length);
    this.lengths[index] = length;
    this.parents[index] = parent;
    this.steps[index] = step;
    table[2 * slot] = index + 1;
    table[2 * slot + 1] = h;
    this.size++;
    if (this.size * 2 > this.mask) this.growTable();
    return index;
  }

  /** The index of a stored state, or -1. */
  find(key: Int32Array, length: number): number {
    const h = hashKey(key, length) | 0;
    let slot = h & this.mask;
    for (;;) {
      const entry = this.table[2 * slot] as number;
      if (entry === 0) return -1;
      if (this.table[2 * slot + 1] === h && this.equals(entry - 1, key, length)) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Copies state `index`'s key into `out`; returns its length. */
  read(index: number, out: Int32Array): number {
    const length = this.lengths[index] as number;
    const offset = this.offsets[index] as number;
    const chunk = this.chunks[offset >>> CHUNK_BITS] as Int32Array;
    const start = offset & CHUNK_MASK;
    for (let i = 0; i < length; i++) out[i] = chunk[start + i] as number;
    return length;
  }

  parent(index: number): number {
    return this.parents[index] as number;
  }

  step(index: number): number {
    return this.steps[index] as number;
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
    const at = this.used;
    for (let i = 0; i < length; i++) chunk[at + i] = key[i] as number;
    const offset = chunkIndex * CHUNK_SIZE + this.used;
    this.used += length;
    return offset;
  }

  private growStates(): void {
    const size = this.offsets.length * 2;
    this.offsets = grow(this.offsets, size);
    this.lengths = grow(this.lengths, size);
    this.parents = grow(this.parents, size);
    this.steps = grow(this.steps, size);
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
