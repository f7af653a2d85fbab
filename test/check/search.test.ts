/** The one search's own machinery: fingerprints against exact keys, spilling, worker threads. */
import { describe, expect, test } from 'vitest';
import { coverageRows } from '../../src/check/descriptor';
import { searchParallel } from '../../src/check/parallel';
import type { Progress } from '../../src/check/result';
import { exploreSpec } from '../../src/check/spec';
import { ParentLog, StateQueue } from '../../src/check/spill';
import { exploreMachines, type MachineCheckOptions } from '../../src/check/worlds';
import { disjointMajorities, testcase1, testcase2 } from './clusters';

describe('fingerprints and exact keys find the same states', () => {
  test.each<[string, MachineCheckOptions]>([
    ['testcase 1, bag with drop', { cluster: testcase1, maxRound: 1, faults: ['drop'] }],
    ['testcase 1, set with a crash', { cluster: testcase1, maxRound: 1, network: 'set', faults: ['crash'] }],
    ['testcase 2, symmetry, 15 levels', { cluster: testcase2, maxRound: 1, symmetry: true, maxDepth: 15 }],
  ])('%s', (_, options) => {
    const fingerprinted = exploreMachines(options);
    const exact = exploreMachines({ ...options, exact: true });
    expect(fingerprinted.search.collisionProbability).toBeGreaterThan(0);
    expect(exact.search.collisionProbability).toBeNull();
    expect({
      states: fingerprinted.distinctStates,
      depth: fingerprinted.depth,
      t: fingerprinted.transitions,
    }).toEqual({
      states: exact.distinctStates,
      depth: exact.depth,
      t: exact.transitions,
    });
  });

  test("spec, ballots 0..2: TLC's 185,369 either way, at most 24 bytes a state", () => {
    const r = exploreSpec({ acceptors: 3, values: 2, maxBallot: 2 });
    const e = exploreSpec({ acceptors: 3, values: 2, maxBallot: 2, exact: true });
    expect([r.distinctStates, r.depth]).toEqual([185_369, 25]);
    expect([e.distinctStates, e.depth]).toEqual([185_369, 25]);
    expect(r.search.visitedBytes / r.distinctStates).toBeLessThanOrEqual(16);
    expect((r.search.visitedBytes + 8 * r.distinctStates) / r.distinctStates).toBeLessThanOrEqual(24);
  });
});

describe('what spills to a file comes back in order', () => {
  test('the queue, with one chunk in memory', () => {
    const q = new StateQueue(1);
    const s = new Int32Array(300);
    const out = new Int32Array(300);
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      s.fill(i, 0, 1 + (i % 300));
      q.push(s, 1 + (i % 300));
      if (i % 7 === 0) {
        const j = (i / 7) | 0;
        const len = q.shift(out);
        expect([len, out[0], out[len - 1]]).toEqual([1 + (j % 300), j, j]);
      }
    }
    expect(q.bytesOnDisk).toBeGreaterThan(0);
    for (let j = Math.ceil(n / 7); q.length > 0; j++) {
      const len = q.shift(out);
      expect([len, out[0]]).toEqual([1 + (j % 300), j]);
    }
    q.close();
  });

  test('parent records, with one chunk in memory', () => {
    const log = new ParentLog(1);
    const n = 3 * (1 << 20) + 5;
    for (let i = 0; i < n; i++) log.add(i - 1, i ^ 0x5555);
    expect(log.bytesOnDisk).toBeGreaterThan(0);
    for (const i of [0, 1, 1 << 20, (1 << 21) + 3, n - 1]) expect(log.get(i)).toEqual([i - 1, i ^ 0x5555]);
    log.close();
  });
});

describe('worker threads over one shared table', () => {
  test('testcase 1 with drop, 2 workers: the same states, depth, transitions and coverage as one', async () => {
    const options: MachineCheckOptions = {
      cluster: testcase1,
      maxRound: 1,
      faults: ['drop'],
      coverage: true,
    };
    const one = exploreMachines(options);
    // A table of 1,024 slots fills in the first levels and then in the middle of levels: the
    // state a worker was expanding is expanded again, and must count once (without the
    // rollback of its counts this fails).
    const descriptor = { kind: 'machines', options } as const;
    const two = await searchParallel(descriptor, { workers: 2, tableCapacity: 1024 });
    expect({ s: two.distinctStates, d: two.depth, t: two.transitions, c: two.complete }).toEqual({
      s: one.distinctStates,
      d: one.depth,
      t: one.transitions,
      c: true,
    });
    expect(coverageRows(descriptor, two.tally ?? new Float64Array(0))).toEqual(one.coverage);
  });

  test('the spec, ballots 0..2, 3 workers', async () => {
    const r = await searchParallel({ kind: 'spec', acceptors: 3, values: 2, maxBallot: 2 }, { workers: 3 });
    expect([r.distinctStates, r.depth, r.complete]).toEqual([185_369, 25, true]);
  });

  test('progress lines say what is queued and how deep the level being expanded reaches', async () => {
    const seen: Progress[] = [];
    const r = await searchParallel(
      { kind: 'spec', acceptors: 3, values: 2, maxBallot: 2 },
      { workers: 2, progressIntervalMs: 2, onProgress: (p) => seen.push(p) },
    );
    const during = seen.slice(0, -1);
    // Before each worker left its queue's length in the control buffer, every line said 0.
    expect(during.some((p) => p.queued > 0)).toBe(true);
    expect(during.some((p) => p.depth > 2)).toBe(true);
    expect(during.every((p) => p.depth <= r.depth && p.distinctStates <= r.distinctStates)).toBe(true);
    for (let i = 1; i < seen.length; i++)
      expect((seen[i] as Progress).depth).toBeGreaterThanOrEqual((seen[i - 1] as Progress).depth);
    expect(seen.at(-1)).toMatchObject({ distinctStates: 185_369, depth: 25, queued: 0 });
  });

  test('a violation found by a worker comes back as a shortest trace', async () => {
    const one = exploreMachines({ cluster: disjointMajorities, maxRound: 1 });
    const two = await searchParallel(
      { kind: 'machines', options: { cluster: disjointMajorities, maxRound: 1 } },
      { workers: 2 },
    );
    expect(two.violations.map((v) => v.invariant)).toEqual(['Agreement']);
    expect(two.violations[0]?.trace).toHaveLength(one.violations[0]?.trace.length ?? -1);
    const last = two.violations[0]?.trace.at(-1)?.state as { violation: string };
    // Either value may be the one chosen first: the workers race to the level's breaches.
    expect(last.violation).toMatch(/([XY]) chosen .* and (?!\1)[XY] chosen/);
  });

  test('a depth bound stops the workers too', async () => {
    const r = await searchParallel(
      { kind: 'machines', options: { cluster: testcase2, maxRound: 1 } },
      { workers: 2, maxDepth: 12 },
    );
    const one = exploreMachines({ cluster: testcase2, maxRound: 1, maxDepth: 12 });
    expect([r.distinctStates, r.depth, r.complete]).toEqual([one.distinctStates, 12, false]);
  });
});
