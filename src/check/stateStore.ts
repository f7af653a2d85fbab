/**
 * The visited set of a breadth-first search over fixed-width packed states: every state is
 * `words` 32-bit words, stored once, in the order found, with the index of the state it
 * was first reached from. Millions of states fit in a few typed arrays: no object, string
 * or Set entry per state, so the garbage collector has nothing to do.
 *
 * States live in chunks of 2^16 (no copying as the store grows); an open-addressing table
 * (linear probing, load at most one half) maps a state's hash to its index. Because states
 * are appended in the order BFS finds them, the store is also the search's queue.
 */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

/** A 32-bit hash of w words (multiply-rotate mixing, finalised so that low bits are usable). */
export function hashWords(s: Uint32Array, w: number): number {
  let h = 0x9747b28c ^ w;
  for (let i = 0; i < w; i++) {
    let k = Math.imul(s[i] as number, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class StateStore {
  readonly words: number;
  private count = 0;
  private readonly chunks: Uint32Array[] = [];
  private readonly parentChunks: Int32Array[] = [];
  /** index + 1 of the state in each slot; 0 is an empty slot. */
  private table: Int32Array;
  private tableMask: number;

  constructor(words: number, expectedStates = 1 << 16) {
    this.words = words;
    let capacity = 1 << 10;
    while (capacity < 2 * expectedStates) capacity *= 2;
    this.table = new Int32Array(capacity);
    this.tableMask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by states, parents and the table. */
  get bytes(): number {
    return this.chunks.length * CHUNK * (this.words + 1) * 4 + this.table.length * 4;
  }

  /** The index of s when it is already stored; else stores it, reached from `parent`, and returns -1 - index. */
  insert(s: Uint32Array, parent: number): number {
    const w = this.words;
    const table = this.table;
    const mask = this.tableMask;
    let slot = hashWords(s, w) & mask;
    for (;;) {
      const entry = table[slot] as number;
      if (entry === 0) break;
      const index = entry - 1;
      const chunk = this.chunks[index >>> CHUNK_BITS] as Uint32Array;
      let at = (index & CHUNK_MASK) * w;
      let i = 0;
      while (i < w && chunk[at] === s[i]) {
        i++;
        at++;
      }
      if (i === w) return index;
      slot = (slot + 1) & mask;
    }
    const index = this.count++;
    if ((index & CHUNK_MASK) === 0) {
      this.chunks.push(new Uint32Array(CHUNK * w));
      this.parentChunks.push(new Int32Array(CHUNK));
    }
    const chunk = this.chunks[index >>> CHUNK_BITS] as Uint32Array;
    const base = (index & CHUNK_MASK) * w;
    for (let i = 0; i < w; i++) chunk[base + i] = s[i] as number;
    (this.parentChunks[index >>> CHUNK_BITS] as Int32Array)[index & CHUNK_MASK] = parent;
    table[slot] = index + 1;
    if (2 * this.count > table.length) this.grow();
    return -1 - index;
  }

  /** The index of s, or -1 when it is not stored. */
  find(s: Uint32Array): number {
    const w = this.words;
    let slot = hashWords(s, w) & this.tableMask;
    for (;;) {
      const entry = this.table[slot] as number;
      if (entry === 0) return -1;
      if (this.equals(entry - 1, s)) return entry - 1;
      slot = (slot + 1) & this.tableMask;
    }
  }

  /** Whether state `index` is s. */
  equals(index: number, s: Uint32Array): boolean {
    const w = this.words;
    const chunk = this.chunks[index >>> CHUNK_BITS] as Uint32Array;
    const base = (index & CHUNK_MASK) * w;
    for (let i = 0; i < w; i++) if (chunk[base + i] !== s[i]) return false;
    return true;
  }

  /** Copies state `index` into out. */
  read(index: number, out: Uint32Array): void {
    const w = this.words;
    const chunk = this.chunks[index >>> CHUNK_BITS] as Uint32Array;
    const base = (index & CHUNK_MASK) * w;
    for (let i = 0; i < w; i++) out[i] = chunk[base + i] as number;
  }

  /** The state `index` was first reached from; -1 for an initial state. */
  parent(index: number): number {
    return (this.parentChunks[index >>> CHUNK_BITS] as Int32Array)[index & CHUNK_MASK] as number;
  }

  private grow(): void {
    const capacity = this.table.length * 2;
    const table = new Int32Array(capacity);
    const mask = capacity - 1;
    const s = new Uint32Array(this.words);
    for (let index = 0; index < this.count; index++) {
      this.read(index, s);
      let slot = hashWords(s, this.words) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = index + 1;
    }
    this.table = table;
    this.tableMask = mask;
  }
}
