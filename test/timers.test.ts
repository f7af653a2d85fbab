/** The proposer's timers as effects: which it arms, with what attempt count, and how long each lasts. */
import { describe, expect, test } from 'vitest';
import type { AcceptAck, PrepareAck } from '../machines/messages';
import { type ProposerEvent, proposerMachine } from '../machines/proposer';
import { BACKOFF_ATTEMPT_CAP, type Timer, timerDelayMs } from '../machines/timers';
import { makeStepper } from '../src/peer/stepper';

const stepper = makeStepper(proposerMachine);
const input = { self: 1, group: 1, groupCount: 2, acceptors: [2, 3, 4], learners: [5] };

/** Feeds events in order; returns the timers armed by each. */
function timersOf(events: ProposerEvent[]): (Timer | null)[] {
  let s = stepper.initial(input);
  return events.map((e) => {
    const [next, out] = stepper.step(s, e);
    s = next;
    const armed = out.filter((o) => o.type === 'arm');
    expect(armed.length).toBeLessThanOrEqual(1);
    return armed[0]?.timer ?? null;
  });
}

const promise = (from: number, n: number): PrepareAck => ({
  type: 'prepare_ack',
  from,
  group: 1,
  n,
  promised: true,
  minProposal: n,
  acceptedProposal: 0,
  acceptedValue: null,
});
const refusal = (n: number, above: number): PrepareAck => ({
  ...promise(2, n),
  promised: false,
  minProposal: above,
});
const acceptance = (from: number, n: number): AcceptAck => ({
  type: 'accept_ack',
  from,
  group: 1,
  n,
  minProposal: n,
  value: 'X',
});
const rejection = (from: number, n: number, above: number): AcceptAck => ({
  ...acceptance(from, n),
  minProposal: above,
});

describe('proposer timers', () => {
  test('a round timer with each broadcast; a backoff whose attempt grows with consecutive refusals', () => {
    expect(
      timersOf([
        { type: 'START', value: 'X' },
        refusal(1, 2),
        { type: 'TIMEOUT' },
        refusal(3, 4),
        { type: 'TIMEOUT' },
        promise(2, 5),
        promise(3, 5),
      ]),
    ).toEqual([
      { kind: 'round' },
      { kind: 'backoff', attempt: 0 },
      { kind: 'round' },
      { kind: 'backoff', attempt: 1 },
      { kind: 'round' },
      null,
      { kind: 'round' },
    ]);
  });

  test('the count starts again once an acceptor accepts a round', () => {
    const armed = timersOf([
      { type: 'START', value: 'X' },
      refusal(1, 2),
      { type: 'TIMEOUT' },
      promise(2, 3),
      promise(3, 3),
      acceptance(2, 3),
      rejection(3, 3, 4),
    ]);
    expect(armed.at(-1)).toEqual({ kind: 'backoff', attempt: 0 });
  });

  test('the attempt count saturates, and the delay with it', () => {
    const events: ProposerEvent[] = [{ type: 'START', value: 'X' }];
    for (let r = 0; r < BACKOFF_ATTEMPT_CAP + 3; r++)
      events.push(refusal(1 + 2 * r, 2 + 2 * r), { type: 'TIMEOUT' });
    const backoffs = timersOf(events).filter((t) => t?.kind === 'backoff');
    expect(backoffs.map((t) => (t as { attempt: number }).attempt)).toEqual([0, 1, 2, 3, 4, 5, 5, 5]);
    expect(timerDelayMs({ kind: 'backoff', attempt: 5 }, 0)).toBe(3200);
    expect(timerDelayMs({ kind: 'backoff', attempt: 9 }, 0)).toBe(3200);
  });

  test('a decision arms the announcement, and each repeat waits twice as long, up to 32 s', () => {
    const armed = timersOf([
      { type: 'START', value: 'X' },
      promise(2, 1),
      promise(3, 1),
      acceptance(2, 1),
      acceptance(3, 1),
      ...Array.from({ length: 6 }, () => ({ type: 'TIMEOUT' }) as const),
    ]);
    const announce = armed.filter((t) => t?.kind === 'announce') as Timer[];
    expect(announce.map((t) => timerDelayMs(t, 0.3))).toEqual([2000, 4000, 8000, 16000, 32000, 32000, 32000]);
  });

  test('durations: a round 1 to 1.5 s, a backoff anywhere up to its bound', () => {
    expect(timerDelayMs({ kind: 'round' }, 0)).toBe(1000);
    expect(timerDelayMs({ kind: 'round' }, 0.999)).toBe(1500);
    expect(timerDelayMs({ kind: 'backoff', attempt: 0 }, 0)).toBe(100);
    expect(timerDelayMs({ kind: 'backoff', attempt: 2 }, 0.5)).toBe(200);
  });
});
