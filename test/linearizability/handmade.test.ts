/** Histories small enough to read: what passes, what fails and which operation is named. */
import { describe, expect, test } from 'vitest';
import { check, fail, info, invoke, ok } from './support';

describe('cas-register', () => {
  test('overlapping cas and read, the read seeing the cas: linearizable', () => {
    const r = check('cas-register', [
      invoke(0, 'write', 3),
      ok(0, 'write', 3),
      invoke(0, 'cas', [3, 0]),
      invoke(1, 'read'),
      ok(0, 'cas', [3, 0]),
      ok(1, 'read', 0),
    ]);
    expect(r).toMatchObject({ verdict: 'LINEARIZABLE', operations: 3, keys: 1 });
  });

  test('a read that returns before a concurrent write completes may see it', () => {
    const r = check('cas-register', [
      invoke(0, 'write', 1),
      invoke(1, 'read'),
      ok(1, 'read', 1),
      ok(0, 'write', 1),
    ]);
    expect(r.verdict).toBe('LINEARIZABLE');
  });

  test('a stale read: fails naming the read, after both writes', () => {
    const r = check('cas-register', [
      invoke(0, 'write', 1),
      ok(0, 'write', 1),
      invoke(0, 'write', 2),
      ok(0, 'write', 2),
      invoke(1, 'read'),
      ok(1, 'read', 1),
    ]);
    expect(r.verdict).toBe('NOT_LINEARIZABLE');
    expect(r.failure?.operation).toMatchObject({ line: 5, process: 1, f: 'read', result: 1 });
    expect(r.failure?.prefix.map((p) => [p.f, p.value, p.stateAfter])).toEqual([
      ['write', 1, '1'],
      ['write', 2, '2'],
    ]);
  });

  test('a lost write: an acknowledged write that a later read does not see', () => {
    const r = check('cas-register', [
      invoke(0, 'write', 1),
      ok(0, 'write', 1),
      invoke(1, 'read'),
      ok(1, 'read', null),
    ]);
    expect(r.verdict).toBe('NOT_LINEARIZABLE');
    expect(r.failure?.operation).toMatchObject({ line: 3, process: 1, f: 'read' });
  });

  test('a cas that succeeded on a value the register did not hold', () => {
    const r = check('cas-register', [
      invoke(0, 'write', 1),
      ok(0, 'write', 1),
      invoke(1, 'cas', [2, 3]),
      ok(1, 'cas', [2, 3]),
    ]);
    expect(r.verdict).toBe('NOT_LINEARIZABLE');
    expect(r.failure?.operation).toMatchObject({ line: 3, process: 1, f: 'cas', value: [2, 3] });
    expect(r.failure?.prefix.map((p) => p.stateAfter)).toEqual(['1']);
  });

  test('a failed cas did not happen: left out, whatever its value', () => {
    const r = check('cas-register', [
      invoke(0, 'cas', [7, 8]),
      fail(0, 'cas', [7, 8]),
      invoke(0, 'read'),
      ok(0, 'read', null),
    ]);
    expect(r).toMatchObject({ verdict: 'LINEARIZABLE', operations: 2, searched: 1 });
  });
});

describe('unknown completions', () => {
  test('an info write that must have taken effect to explain a later read', () => {
    const r = check('cas-register', [
      invoke(0, 'write', 1),
      info(0, 'write', 1),
      invoke(1, 'read'),
      ok(1, 'read', 1),
    ]);
    expect(r.verdict).toBe('LINEARIZABLE');
  });

  test('an info write that explains nothing: it never took effect', () => {
    const r = check('cas-register', [
      invoke(0, 'write', 1),
      info(0, 'write', 1),
      invoke(1, 'read'),
      ok(1, 'read', null),
    ]);
    expect(r.verdict).toBe('LINEARIZABLE');
  });

  test('a write with no completion at all may take effect long after its process moved on', () => {
    const r = check('cas-register', [
      invoke(0, 'write', 1),
      invoke(1, 'read'),
      ok(1, 'read', null),
      invoke(1, 'read'),
      ok(1, 'read', 1),
    ]);
    expect(r.verdict).toBe('LINEARIZABLE');
  });

  test('an unknown write once seen cannot be unseen', () => {
    const r = check('cas-register', [
      invoke(0, 'write', 1),
      info(0, 'write', 1),
      invoke(1, 'read'),
      ok(1, 'read', 1),
      invoke(1, 'read'),
      ok(1, 'read', null),
    ]);
    expect(r.verdict).toBe('NOT_LINEARIZABLE');
    expect(r.failure?.operation).toMatchObject({ line: 5, f: 'read', result: null });
  });
});

describe('kv', () => {
  test('appends seen in order; keys checked apart', () => {
    const r = check('kv', [
      invoke(0, 'put', 'a', 'x'),
      ok(0, 'put', 'a', 'x'),
      invoke(0, 'append', 'b', 'x'),
      invoke(1, 'get', null, 'x'),
      invoke(2, 'get', null, 'y'),
      ok(2, 'get', '', 'y'),
      ok(1, 'get', 'ab', 'x'),
      ok(0, 'append', 'b', 'x'),
    ]);
    expect(r).toMatchObject({ verdict: 'LINEARIZABLE', keys: 2 });
  });

  test('appends seen out of order fail on the key they are on', () => {
    const r = check('kv', [
      invoke(0, 'append', 'a', 'x'),
      ok(0, 'append', 'a', 'x'),
      invoke(0, 'append', 'b', 'x'),
      ok(0, 'append', 'b', 'x'),
      invoke(1, 'get', null, 'x'),
      ok(1, 'get', 'ba', 'x'),
    ]);
    expect(r.failure).toMatchObject({ key: 'x', operation: { line: 5, f: 'get' } });
  });
});

const state = (value: string | null, version: number) => ({ value, version });

describe('registers', () => {
  const putA = [invoke(0, 'put', { value: 'a' }, 'k'), ok(0, 'put', state('a', 1), 'k')];

  test('put, put-if-version, delete, and a 409 that saw the state at its instant', () => {
    const r = check('registers', [
      ...putA,
      invoke(0, 'put', { value: 'b', ifVersion: 1 }, 'k'),
      invoke(1, 'put', { value: 'c', ifVersion: 1 }, 'k'),
      ok(0, 'put', state('b', 2), 'k'),
      fail(1, 'put', state('b', 2), 'k'),
      invoke(1, 'delete', { ifVersion: 2 }, 'k'),
      ok(1, 'delete', state(null, 3), 'k'),
      invoke(1, 'get', null, 'k'),
      ok(1, 'get', state(null, 3), 'k'),
    ]);
    expect(r).toMatchObject({ verdict: 'LINEARIZABLE', searched: 5 });
  });

  test('a put-if-version that succeeded on a wrong version', () => {
    const r = check('registers', [
      ...putA,
      invoke(1, 'put', { value: 'b', ifVersion: 0 }, 'k'),
      ok(1, 'put', state('b', 2), 'k'),
    ]);
    expect(r.failure?.operation).toMatchObject({ line: 3, process: 1, f: 'put', value: { ifVersion: 0 } });
  });

  test('a get seeing the version go backwards', () => {
    const r = check('registers', [
      ...putA,
      invoke(0, 'put', { value: 'b' }, 'k'),
      ok(0, 'put', state('b', 2), 'k'),
      invoke(1, 'get', null, 'k'),
      ok(1, 'get', state('b', 2), 'k'),
      invoke(1, 'get', null, 'k'),
      ok(1, 'get', state('a', 1), 'k'),
    ]);
    expect(r.failure?.operation).toMatchObject({ line: 7, process: 1, f: 'get', result: state('a', 1) });
    expect(r.failure?.prefix.at(-1)?.stateAfter).toBe('{"value":"b","version":2}');
  });

  test('a 409 is an observation: one reporting a state the key never had fails', () => {
    const r = check('registers', [
      ...putA,
      invoke(1, 'put', { value: 'b', ifVersion: 5 }, 'k'),
      fail(1, 'put', state('z', 1), 'k'),
    ]);
    expect(r.failure?.operation).toMatchObject({ line: 3, type: 'fail' });
  });

  test('a 409 refusing the version it was asked for fails', () => {
    const r = check('registers', [
      ...putA,
      invoke(1, 'delete', { ifVersion: 1 }, 'k'),
      fail(1, 'delete', state('a', 1), 'k'),
    ]);
    expect(r.verdict).toBe('NOT_LINEARIZABLE');
  });

  test('a fail without a state (503, did not take effect) is left out', () => {
    const r = check('registers', [...putA, invoke(1, 'put', { value: 'b' }, 'k'), fail(1, 'put', null, 'k')]);
    expect(r).toMatchObject({ verdict: 'LINEARIZABLE', searched: 1 });
  });
});

describe('the budget', () => {
  test('too small a budget answers UNKNOWN, never a pass', () => {
    const r = check(
      'cas-register',
      [invoke(0, 'write', 1), invoke(1, 'write', 2), ok(0, 'write', 1), ok(1, 'write', 2)],
      { maxSteps: 1 },
    );
    expect(r.verdict).toBe('UNKNOWN');
    expect(r.unknown).toMatch(/budget of 1 search step ran out with 0 of 1 key checked/);
  });
});

describe('the time limit', () => {
  test('a search too large for its time answers UNKNOWN, naming the limit', () => {
    // Twelve unknown appends, any subset in any order, and a get no order explains.
    const appends = 'abcdefghijkl'.split('').flatMap((letter, p) => [invoke(p, 'append', letter, 'x')]);
    const r = check('kv', [...appends, invoke(20, 'get', null, 'x'), ok(20, 'get', 'zz', 'x')], {
      timeLimitMs: 50,
    });
    expect(r.verdict).toBe('UNKNOWN');
    expect(r.unknown).toMatch(/^the time limit of 0.05 s ran out with 0 of 1 key checked/);
  });
});
