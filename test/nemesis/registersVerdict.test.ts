/**
 * A register run's verdict from its history: a key that cannot be linearized makes the run
 * invalid, naming the key, the operation and the history file; a counter below its
 * acknowledged increments is a lost write; a key the checker cannot decide makes the run
 * unknown, never valid, and does not hide a violation on another key.
 */
import { describe, expect, test } from 'vitest';
import { checkCounter, checkKey, runVerdict } from '../../src/nemesis/registers/verdict';
import type { HistoryEvent } from '../../src/nemesis/registers/workload';

const op = (
  process: number,
  f: string,
  key: string,
  invoke: unknown,
  type: HistoryEvent['type'],
  result: unknown,
) => [
  { process, type: 'invoke', f, key, value: invoke } as HistoryEvent,
  { process, type, f, key, value: result } as HistoryEvent,
];

/** A put acknowledged, then a read that does not see it. */
const stale: HistoryEvent[] = [
  ...op(0, 'put', 'r0', { value: 'a' }, 'ok', { value: 'a', version: 1 }),
  { process: 'nemesis', type: 'info', f: 'start-kill-peer1', value: 'peer1' },
  ...op(1, 'get', 'r0', null, 'ok', { value: null, version: 0 }),
  ...op(2, 'get', 'r1', null, 'ok', { value: null, version: 0 }),
];

/** Many puts whose outcome is unknown, all open at once, and reads that force the search through them. */
function undecidable(): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (let p = 0; p < 40; p++)
    events.push({ process: p, type: 'invoke', f: 'put', key: 'r2', value: { value: `v${p}` } });
  for (let p = 0; p < 40; p++) events.push({ process: p, type: 'info', f: 'put', key: 'r2', value: null });
  for (let p = 0; p < 40; p++)
    events.push(...op(100 + p, 'get', 'r2', null, 'ok', { value: `v${39 - p}`, version: 41 }));
  return events;
}

describe('a register run is judged', () => {
  test('invalid at the key whose history cannot be linearized, with the operation and the file', () => {
    const keys = ['r0', 'r1'].map((k) => checkKey(stale, k, 1000));
    expect(keys.map((k) => k.check.verdict)).toEqual(['NOT_LINEARIZABLE', 'LINEARIZABLE']);
    // The key's own events and the nemesis's, nothing of another key.
    expect(keys[0]?.text.split('\n').filter(Boolean)).toHaveLength(5);
    const v = runVerdict(keys, [], (f) => `kept/${f}`);
    expect(v.verdict).toBe('invalid');
    expect(v.problem).toMatch(/^key r0: cannot place line \d+: .*get.*\(history kept\/r0\.jsonl\)$/);
  });

  test('a counter below its acknowledged increments lost writes; above acknowledged plus unknown it invented some', () => {
    const lost = checkCounter('c0', { acknowledged: 5, unknown: 2 }, { value: '3' });
    expect(lost).toMatchObject({ final: 3, lost: 2 });
    expect(runVerdict([], [lost], (f) => f)).toMatchObject({ verdict: 'invalid' });
    expect(checkCounter('c0', { acknowledged: 5, unknown: 2 }, { value: '8' }).problem).toMatch(/above/);
    const fine = checkCounter('c0', { acknowledged: 5, unknown: 2 }, { value: '6' });
    expect(fine).toMatchObject({ final: 6, lost: 0 });
    expect(fine.problem).toBeUndefined();
    expect(runVerdict([], [fine], (f) => f)).toEqual({ verdict: 'valid' });
  });

  test('unknown when the checker runs out of time, but a violation elsewhere still counts', () => {
    const open = checkKey(undecidable(), 'r2', 1);
    expect(open.check.verdict).toBe('UNKNOWN');
    expect(runVerdict([open], [], (f) => f).verdict).toBe('unknown');
    expect(runVerdict([open, checkKey(stale, 'r0', 1000)], [], (f) => f).verdict).toBe('invalid');
  });
});
