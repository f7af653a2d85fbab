/**
 * A map from short tuples of ints to values, for memos the register model consults on every
 * step: keyed by a 52-bit hash of the tuple (two murmur lanes), each entry keeping its tuple
 * to tell a collision apart. A string key made of the same ints cost most of the model's time
 * (joining, hashing, and the strings alive in the heap).
 */
import { fingerprintInts } from '../hash';

interface Entry<T> {
  ints: Int32Array;
  value: T;
  /** Another tuple with the same hash, rarely. */
  next: Entry<T> | undefined;
}

export class IntTupleMap<T> {
  private readonly entries = new Map<number, Entry<T>>();
  private readonly lanes = new Int32Array(2);
  size = 0;

  private hash(ints: Int32Array, length: number): number {
    fingerprintInts(ints, length, this.lanes);
    return (this.lanes[0] as number) * 0x100000 + ((this.lanes[1] as number) & 0xfffff);
  }

  get(ints: Int32Array, length: number): T | undefined {
    for (let e = this.entries.get(this.hash(ints, length)); e; e = e.next)
      if (sameInts(e.ints, ints, length)) return e.value;
    return undefined;
  }

  /** Adds the tuple (which must be absent), copying it. */
  set(ints: Int32Array, length: number, value: T): void {
    const h = this.hash(ints, length);
    this.entries.set(h, { ints: ints.slice(0, length), value, next: this.entries.get(h) });
    this.size++;
  }
}

function sameInts(stored: Int32Array, ints: Int32Array, length: number): boolean {
  if (stored.length !== length) return false;
  for (let i = 0; i < length; i++) if (stored[i] !== ints[i]) return false;
  return true;
}
