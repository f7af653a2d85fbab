import { describe, expect, test } from 'vitest';
import { ADDED, FULL, KNOWN, SharedFingerprintTable } from '../../src/check/visited';

/** Two views of one shared table, as two worker threads hold it. */
function twoThreads(capacity: number): [SharedFingerprintTable, SharedFingerprintTable] {
  const a = SharedFingerprintTable.create(capacity);
  return [a, new SharedFingerprintTable(a.buffer, a.usedBuffer)];
}

const fp = (i: number) => Int32Array.of(i * 2654435761 || 1, i + 1);

describe('the shared fingerprint table', () => {
  test('a thread counts its own slots at once and the others see them once published', () => {
    const [a, b] = twoThreads(1 << 16);
    for (let i = 1; i <= 10; i++) expect(a.add(fp(i))).toBe(ADDED);
    expect(b.add(fp(3))).toBe(KNOWN);
    expect(a.size).toBe(10);
    expect(b.size).toBe(0);
    a.publish();
    expect(b.size).toBe(10);
    expect(Atomics.load(a.used, 0)).toBe(10);
  });

  test('threads adding in batches never fill the table past its limit and one batch each', () => {
    const [a, b] = twoThreads(1 << 20);
    let full = 0;
    for (let i = 1; full < 2; i++) {
      const t = i % 2 ? a : b;
      const r = t.add(fp(i));
      if (r === FULL) full++;
    }
    a.publish();
    b.publish();
    let filled = 0;
    for (let s = 0; s < a.capacity; s++) if (a.table[2 * s] !== 0) filled++;
    expect(filled).toBe(a.size);
    expect(filled).toBeGreaterThanOrEqual(a.limit);
    expect(filled).toBeLessThan(a.limit + 256);
  });

  test('a small table counts every slot at once (the tests that make it fill mid-level rely on it)', () => {
    const [a, b] = twoThreads(1024);
    a.add(fp(1));
    expect(b.size).toBe(1);
  });
});
