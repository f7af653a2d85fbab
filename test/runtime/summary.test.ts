import { describe, expect, test } from 'vitest';
import type { LocalClusterResult } from '../../src/cluster/localCluster';
import { summarize } from '../../src/cluster/summary';

const base = (): LocalClusterResult => ({
  decided: true,
  expected: ['peer1', 'peer2'],
  chose: new Map([
    ['peer1', [{ value: 'X', n: 1, at: 500 }]],
    ['peer2', [{ value: 'X', n: 1, at: 520 }]],
  ]),
  lines: new Map(),
  strayStdout: [],
  firstPrepareAt: 400,
  lastChoseAt: 520,
  earlyExits: [],
});

describe('cluster summary', () => {
  test('a clean run: the value, who chose it, how long it took', () => {
    expect(summarize(base())).toEqual({
      ok: true,
      lines: [
        'chosen: X (proposal 1) by peer1, peer2',
        'first prepare -> last chose: 120 ms; launch -> all chose: 520 ms',
      ],
    });
  });

  test('disagreement, a second chose line, stray stdout and a timeout each fail the run', () => {
    const r = base();
    r.chose.set('peer2', [
      { value: 'Y', n: 2, at: 510 },
      { value: 'Y', n: 2, at: 515 },
    ]);
    r.strayStdout.push({ host: 'peer1', line: 'hello' });
    r.decided = false;
    r.failure = 'timed out after 30 s: no chose from peer3';
    const v = summarize(r);
    expect(v.ok).toBe(false);
    expect(v.lines).toEqual([
      'peer2 printed chose 2 times',
      'disagreement: peer1 chose X, peer2 chose Y/Y',
      'peer1 printed a non-protocol line: hello',
      'timed out after 30 s: no chose from peer3',
    ]);
  });
});
