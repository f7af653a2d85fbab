/** Fault bands from the nemesis's events: Jepsen's start-X/stop-X pairs, its invoke/info doubles, instants. */
import { describe, expect, test } from 'vitest';
import type { NemesisEvent } from '../../src/linearizability/history';
import { faultBands } from '../../src/view/history/faults';

const at = (position: number, f: string, type = 'info'): NemesisEvent => ({
  type,
  f,
  value: null,
  line: 1,
  position,
});
const spans = (events: NemesisEvent[]) => faultBands(events).map((b) => [b.label, b.start, b.end]);

describe('faultBands', () => {
  test('start-X to stop-X, each written as an invoke and an info: first event of the start to last of the stop', () => {
    expect(
      spans([
        at(1.5, 'start-partition', 'invoke'),
        at(2.5, 'start-partition'),
        at(6.5, 'stop-partition', 'invoke'),
        at(7.5, 'stop-partition'),
      ]),
    ).toEqual([['partition', 1.5, 7.5]]);
  });

  test('plain start/stop, faults of two names overlapping, one never stopped, an instant', () => {
    expect(
      spans([
        at(0.5, 'start'),
        at(1.5, 'start-pause'),
        at(2.5, 'stop'),
        at(3.5, 'kill'),
        at(4.5, 'stop-clock'),
      ]),
    ).toEqual([
      ['fault', 0.5, 2.5],
      ['pause', 1.5, Number.POSITIVE_INFINITY],
      ['kill', 3.5, 3.5],
    ]);
  });
});
