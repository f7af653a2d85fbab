import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LineSplitter } from '../../src/runtime/frames';

const lines = (events: ReturnType<LineSplitter['push']>) =>
  events.filter((e) => e.kind === 'line').map((e) => (e as { line: string }).line);

describe('newline framing', () => {
  test('frames split across chunks and several frames in one chunk', () => {
    const s = new LineSplitter();
    expect(lines(s.push(Buffer.from('{"a":')))).toEqual([]);
    expect(s.pending).toBe(5);
    expect(lines(s.push(Buffer.from('1}\n{"b":2}\n{"c"')))).toEqual(['{"a":1}', '{"b":2}']);
    expect(lines(s.push(Buffer.from(':3}\r\n\n  \n')))).toEqual(['{"c":3}']);
    expect(s.pending).toBe(0);
  });

  test('a multi-byte character cut between chunks is decoded whole', () => {
    const bytes = Buffer.from('"é€"\n');
    const s = new LineSplitter();
    expect(lines(s.push(bytes.subarray(0, 2)))).toEqual([]);
    expect(lines(s.push(bytes.subarray(2)))).toEqual(['"é€"']);
  });

  test('an oversized line is refused once, without being held, and the next line still arrives', () => {
    const s = new LineSplitter(100);
    const events = [...s.push(Buffer.alloc(60, 'x')), ...s.push(Buffer.alloc(60, 'x'))];
    expect(events).toEqual([{ kind: 'oversized', bytes: 120 }]);
    expect(s.pending).toBe(0);
    for (let i = 0; i < 100; i++) expect(s.push(Buffer.alloc(1000, 'y'))).toEqual([]);
    expect(s.pending).toBe(0);
    expect(s.push(Buffer.from('tail\nok\n'))).toEqual([{ kind: 'line', line: 'ok' }]);
  });

  test('an oversized line ending inside the chunk that crosses the limit', () => {
    const s = new LineSplitter(10);
    expect(s.push(Buffer.from(`${'z'.repeat(20)}\nfine\n`))).toEqual([
      { kind: 'oversized', bytes: 20 },
      { kind: 'line', line: 'fine' },
    ]);
  });

  test('any chunking of a stream gives the same lines', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'b', '{', '}', '"', 'é', ' '), minLength: 1 });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (ls, cuts) => {
        const kept = ls.filter((l) => l.trim() !== '');
        const bytes = Buffer.from(ls.map((l) => `${l}\n`).join(''));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const s = new LineSplitter();
        const got: string[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          got.push(...lines(s.push(bytes.subarray(from, p))));
          from = p;
        }
        expect(got).toEqual(kept);
      }),
    );
  });
});
