/** Reading histories: JSON lines, Jepsen's EDN, and bad input named by file and line. */
import { describe, expect, test } from 'vitest';
import { checkHistory, HistoryError, MODELS, type Model, readHistory } from '../../src/linearizability';

const problem = (text: string, model = 'cas-register') => {
  try {
    checkHistory(readHistory('h.jsonl', text), MODELS[model] as Model);
  } catch (err) {
    if (err instanceof HistoryError) return err.message;
    throw err;
  }
  return undefined;
};

const INVOKE_WRITE = '{"process":0,"type":"invoke","f":"write","value":1}';

describe('bad input names the file, the line and what is wrong', () => {
  test.each([
    ['not JSON', `${INVOKE_WRITE}\n\n{"process":0,`, /^h\.jsonl:3: not JSON/],
    ['no process', '{"type":"invoke","f":"read"}', /^h\.jsonl:1: "process" must be an integer, got nothing/],
    ['an unknown type', '{"process":0,"type":"done","f":"read"}', /^h\.jsonl:1: "type" must be invoke/],
    ['no f', '{"process":0,"type":"invoke"}', /^h\.jsonl:1: "f" must be a non-empty string/],
    [
      'an invoke before the last completed',
      `${INVOKE_WRITE}\n${INVOKE_WRITE}`,
      /^h\.jsonl:2: process 0 invokes again before its invoke at line 1 completed/,
    ],
    [
      'a completion with no invoke',
      '{"process":4,"type":"ok","f":"read","value":1}',
      /^h\.jsonl:1: process 4 completes nothing/,
    ],
    [
      'a completion of another f',
      `${INVOKE_WRITE}\n{"process":0,"type":"ok","f":"read","value":1}`,
      /^h\.jsonl:2: completion "read" does not match its invoke "write" \(line 1\)/,
    ],
    [
      'an f the model lacks',
      '{"process":0,"type":"invoke","f":"incr","value":1}',
      /^h\.jsonl:1: cas-register has read, write and cas; not "incr"/,
    ],
    [
      'a cas without a pair',
      '{"process":0,"type":"invoke","f":"cas","value":3}',
      /^h\.jsonl:1: cas needs \[from, to\], got 3/,
    ],
  ])('%s', (_, text, expected) => {
    expect(problem(text)).toMatch(expected);
  });

  test("the registers model points at a completion's line when the answer is malformed", () => {
    const text = [
      '{"process":0,"type":"invoke","f":"get","key":"k","value":null}',
      '{"process":1,"type":"invoke","f":"get","key":"k","value":null}',
      '{"process":0,"type":"ok","f":"get","key":"k","value":{"value":3,"version":0}}',
    ].join('\n');
    expect(problem(text, 'registers')).toMatch(/^h\.jsonl:3: get's answer must be \{"value"/);
  });

  test('a 409 for a put without ifVersion cannot happen', () => {
    const text = [
      '{"process":0,"type":"invoke","f":"put","key":"k","value":{"value":"a"}}',
      '{"process":0,"type":"fail","f":"put","key":"k","value":{"value":null,"version":0}}',
    ].join('\n');
    expect(problem(text, 'registers')).toMatch(/^h\.jsonl:1: a put without ifVersion cannot be refused/);
  });
});

describe('operations', () => {
  test('an invoke with no completion is pending, its return at +infinity; CRLF and blank lines are fine', () => {
    const h = readHistory('h', `${INVOKE_WRITE}\r\n\r\n{"process":1,"type":"invoke","f":"read"}\r\n`);
    expect(h.operations.map((o) => [o.status, o.line, o.ret])).toEqual([
      ['pending', 1, Number.POSITIVE_INFINITY],
      ['pending', 3, Number.POSITIVE_INFINITY],
    ]);
  });

  test("the nemesis's events are not client operations; they are kept, between the client events, for pictures", () => {
    const h = readHistory('h', '{"process":"nemesis","type":"info","f":"start","value":null}');
    expect(h.operations).toEqual([]);
    expect(h.nemesis).toEqual([{ type: 'info', f: 'start', value: null, line: 1, position: -0.5 }]);
  });
});

describe("Jepsen's EDN", () => {
  const EDN = [
    '{:type :invoke, :f :write, :value 3, :process 0, :time 10, :index 0}',
    '{:type :info, :f :start, :value nil, :process :nemesis, :time 11, :index 1}',
    '{:type :ok, :f :write, :value 3, :process 0, :time 12, :index 2}',
    '{:type :invoke, :f :cas, :value [3 4], :process 1, :time 13, :index 3}',
    '{:type :info, :f :cas, :value [3 4], :process 1, :time 14, :index 4, :error :timeout}',
    '{:type :invoke, :f :read, :value nil, :process 6, :time 15, :index 5}',
    '{:type :ok, :f :read, :value 4, :process 6, :time 16, :index 6}',
  ];

  test('keywords as strings, nil as null, a timed-out cas unknown; the read explained by it', () => {
    const h = readHistory('h.edn', EDN.join('\n'));
    expect(h.nemesis).toEqual([{ type: 'info', f: 'start', value: null, line: 2, position: 0.5 }]);
    expect(h.operations.map((o) => [o.process, o.f, o.value, o.status, o.line])).toEqual([
      [0, 'write', 3, 'ok', 1],
      [1, 'cas', [3, 4], 'info', 4],
      [6, 'read', null, 'ok', 6],
    ]);
    expect(checkHistory(h, MODELS['cas-register'] as Model).verdict).toBe('LINEARIZABLE');
  });

  test('a whole-file vector, and independent keys as [key value] pairs', () => {
    const text = [
      '[{:type :invoke, :f :write, :value [7 3], :process 0}',
      '{:type :ok, :f :write, :value [7 3], :process 0}',
      '{:type :invoke, :f :read, :value [8 nil], :process 1}',
      '{:type :ok, :f :read, :value [8 3], :process 1}]',
    ].join('\n');
    const h = readHistory('h.edn', text);
    expect(h.operations.map((o) => [o.key, o.value, o.result])).toEqual([
      [7, 3, 3],
      [8, null, 3],
    ]);
    const r = checkHistory(h, MODELS['cas-register'] as Model);
    expect(r).toMatchObject({
      verdict: 'NOT_LINEARIZABLE',
      keys: 2,
      failure: { key: 8, operation: { line: 3 } },
    });
  });

  test('an unfinished map names its line', () => {
    expect(() => readHistory('h.edn', `${EDN[0]}\n{:type :ok, :f :write`)).toThrow(
      /^h\.edn:2: expected one EDN map on the line$/,
    );
  });
});
