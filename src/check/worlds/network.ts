/**
 * The network part of a world, key[from..length): one interface, two implementations.
 *
 * - `bag`: the sorted multiset of ids of messages in flight; a delivery consumes one copy,
 *   and the bag also takes drop and duplicate faults.
 * - `set` (as in Paxos.tla): a bitset of the ids of every message ever sent; a delivery
 *   removes nothing, which covers loss, duplication and reordering at once.
 *
 * Positions name a deliverable message: an index on the bag (the first of equal copies),
 * the message id on the set.
 */

export interface Network {
  readonly kind: 'bag' | 'set';
  /** Whether drop and duplicate faults apply on top. */
  readonly lossy: boolean;
  /** The first position at or after `position` (from: the start), or -1. */
  next(key: Int32Array, from: number, length: number, position: number): number;
  /** The position after `position`, or -1. */
  after(key: Int32Array, from: number, length: number, position: number): number;
  message(key: Int32Array, from: number, position: number): number;
  /** The payload after a step that consumed `position` (-1: none) and sent `sends` (sorted), into out; returns the end. */
  step(
    key: Int32Array,
    from: number,
    length: number,
    position: number,
    sends: Int32Array,
    out: Int32Array,
  ): number;
  /** Forgets, in place, the messages of out[from..length) for which `dead` holds; returns the end. */
  prune(out: Int32Array, from: number, length: number, dead: (m: number) => boolean): number;
  /** key[from..length) with every id renamed, into out from `from`; returns the end. */
  rename(
    key: Int32Array,
    from: number,
    length: number,
    rename: (m: number) => number,
    out: Int32Array,
  ): number;
  /** Message ids with multiplicity, ascending. */
  messages(key: Int32Array, from: number, length: number): number[];
}

export const bag: Network = {
  kind: 'bag',
  lossy: true,
  next: (_key, from, length, position) => {
    const p = Math.max(position, from);
    return p < length ? p : -1;
  },
  after(key, from, length, position) {
    let p = position + 1;
    while (p < length && key[p] === key[position]) p++;
    return this.next(key, from, length, p);
  },
  message: (key, _from, position) => key[position] as number,
  step: (key, from, length, position, sends, out) =>
    mergeSorted(key, from, length, position, sends, out, from),
  prune(out, from, length, dead) {
    let o = from;
    for (let i = from; i < length; i++) {
      const m = out[i] as number;
      if (!dead(m)) out[o++] = m;
    }
    return o;
  },
  rename(key, from, length, rename, out) {
    for (let i = from; i < length; i++) {
      // insertion sort: a few dozen messages at most
      const m = rename(key[i] as number);
      let j = i;
      while (j > from && (out[j - 1] as number) > m) {
        out[j] = out[j - 1] as number;
        j--;
      }
      out[j] = m;
    }
    return length;
  },
  messages: (key, from, length) => Array.from(key.subarray(from, length)),
};

/** Drop and duplicate, on the bag only: key without the copy at `position`, or with one more. */
export function without(key: Int32Array, length: number, position: number, out: Int32Array): number {
  for (let j = 0; j < position; j++) out[j] = key[j] as number;
  for (let j = position + 1; j < length; j++) out[j - 1] = key[j] as number;
  return length - 1;
}

export function withCopy(key: Int32Array, length: number, position: number, out: Int32Array): number {
  for (let j = 0; j <= position; j++) out[j] = key[j] as number;
  for (let j = position; j < length; j++) out[j + 1] = key[j] as number;
  return length + 1;
}

export const set: Network = {
  kind: 'set',
  lossy: false,
  next(key, from, length, position) {
    const start = Math.max(0, position);
    let w = start >>> 5;
    if (from + w >= length) return -1;
    // The bits at or above start's in its word, then whole words.
    let word = (key[from + w] as number) & (-1 << (start & 31));
    while (word === 0) {
      if (from + ++w >= length) return -1;
      word = key[from + w] as number;
    }
    return w * 32 + 31 - Math.clz32(word & -word);
  },
  after(key, from, length, position) {
    return this.next(key, from, length, position + 1);
  },
  message: (_key, _from, position) => position,
  step(key, from, length, _position, sends, out) {
    let end = length;
    for (let w = from; w < length; w++) out[w] = key[w] as number;
    for (const m of sends) {
      const w = from + (m >>> 5);
      while (end <= w) out[end++] = 0;
      out[w] = (out[w] as number) | (1 << (m & 31));
    }
    return end;
  },
  prune(out, from, length, dead) {
    let end = from;
    for (let w = from; w < length; w++) {
      let word = out[w] as number;
      for (let rest = word; rest !== 0; ) {
        const low = rest & -rest;
        rest ^= low;
        if (dead((w - from) * 32 + 31 - Math.clz32(low))) word ^= low;
      }
      out[w] = word;
      if (word !== 0) end = w + 1;
    }
    return end;
  },
  rename(key, from, length, rename, out) {
    let end = from;
    for (let w = from; w < length; w++) {
      const word = key[w] as number;
      if (word === 0) continue;
      for (let b = 0; b < 32; b++) {
        if ((word & (1 << b)) === 0) continue;
        const m = rename((w - from) * 32 + b);
        const target = from + (m >>> 5);
        while (end <= target) out[end++] = 0;
        out[target] = (out[target] as number) | (1 << (m & 31));
      }
    }
    return end;
  },
  messages(key, from, length) {
    const out: number[] = [];
    for (let w = from; w < length; w++) {
      const word = key[w] as number;
      for (let b = 0; b < 32; b++) if (word & (1 << b)) out.push((w - from) * 32 + b);
    }
    return out;
  },
};

/**
 * Writes key[from..to) without position `skip` (-1: none), merged with the sorted `add`,
 * into out from `at`; returns the end.
 */
function mergeSorted(
  key: Int32Array,
  from: number,
  to: number,
  skip: number,
  add: Int32Array,
  out: Int32Array,
  at: number,
): number {
  let i = from;
  let j = 0;
  let o = at;
  const addLength = add.length;
  for (;;) {
    if (i === skip) i++;
    if (i < to) {
      const x = key[i] as number;
      if (j < addLength && (add[j] as number) < x) out[o++] = add[j++] as number;
      else {
        out[o++] = x;
        i++;
      }
    } else if (j < addLength) out[o++] = add[j++] as number;
    else return o;
  }
}
