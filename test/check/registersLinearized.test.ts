/**
 * The register worlds' histories as their linearizations (src/check/registers/linearized.ts)
 * against src/linearizability, on random histories of two clients: after every event, the
 * set of configurations is empty exactly when the checker finds the history so far not
 * linearizable. The operations go beyond what the model's plans use (deletes, ifVersion,
 * refusals with a state), and the answers are random, so most histories break somewhere.
 */
import { describe, expect, test } from 'vitest';
import { type LinEvent, LinearizationSets } from '../../src/check/registers/linearized';
import { checkWorld, type RegisterWorld } from '../../src/registers/world';

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) as number;
  };
}

type Op = { f: 'get' | 'put' | 'delete'; value: unknown; ifVersion: boolean };

function randomOp(pick: (n: number) => number): Op {
  const ifVersion = pick(3) === 0 ? { ifVersion: pick(3) } : {};
  switch (pick(3)) {
    case 0:
      return { f: 'get', value: null, ifVersion: false };
    case 1:
      return {
        f: 'put',
        value: { value: ['a', 'b'][pick(2)], ...ifVersion },
        ifVersion: 'ifVersion' in ifVersion,
      };
    default:
      return {
        f: 'delete',
        value: 'ifVersion' in ifVersion ? ifVersion : null,
        ifVersion: 'ifVersion' in ifVersion,
      };
  }
}

/** A random history of two clients, as world.ts writes them (a client goes on as a new process after `info`). */
function randomHistory(pick: (n: number) => number, length: number): LinEvent[] {
  const C = 2;
  const generation = [0, 0];
  const open: (Op | null)[] = [null, null];
  const events: (LinEvent & { key: string })[] = [];
  const state = () => ({ value: [null, 'a', 'b'][pick(3)] ?? null, version: pick(3) });
  for (let i = 0; i < length; i++) {
    const c = pick(C);
    const process = c + C * (generation[c] as number);
    const op = open[c];
    if (!op) {
      const next = randomOp(pick);
      open[c] = next;
      events.push({ process, type: 'invoke', f: next.f, key: 'k', value: next.value });
      continue;
    }
    open[c] = null;
    const outcome = pick(op.ifVersion ? 4 : 3);
    if (outcome === 0) {
      events.push({ process, type: 'info', f: op.f, key: 'k', value: null });
      generation[c] = (generation[c] as number) + 1;
    } else if (outcome === 1 && op.f !== 'get')
      events.push({ process, type: 'fail', f: op.f, key: 'k', value: null });
    else if (outcome === 3) events.push({ process, type: 'fail', f: op.f, key: 'k', value: state() });
    else events.push({ process, type: 'ok', f: op.f, key: 'k', value: state() });
  }
  return events;
}

describe('linearizations of a register history', () => {
  test('empty exactly when src/linearizability finds the history so far not linearizable', () => {
    let broken = 0;
    let events = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const pick = random(seed);
      const history = randomHistory(pick, 4 + pick(9));
      const sets = new LinearizationSets(2);
      let id = sets.initial();
      for (let i = 0; i < history.length; i++) {
        id = sets.after(id, [history[i] as LinEvent]);
        const whole = checkWorld({ history: history.slice(0, i + 1) } as RegisterWorld).verdict;
        expect(whole === 'LINEARIZABLE', JSON.stringify(history.slice(0, i + 1))).toBe(sets.linearizable(id));
        if (whole !== 'LINEARIZABLE') broken++;
        events++;
      }
    }
    // Not vacuous: both verdicts come up often (2,000 histories).
    expect([broken, events]).toEqual([8879, 16029]);
  });
});
