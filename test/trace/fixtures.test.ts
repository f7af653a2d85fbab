/**
 * Hand-made logs: faulty runs that must FAIL at the named line, other implementations' forms
 * that must PASS, and input errors that must name file:line.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadHostsfile } from '../../src/config/hostsfile';
import { readLabRun, TraceInputError, validateRun } from '../../src/trace/index';
import { fixture, hostsfile } from './support';

const tc1 = loadHostsfile(hostsfile(1));
const tc2 = loadHostsfile(hostsfile(2));
const validate = (cluster: typeof tc1, name: string, options = {}) =>
  validateRun(readLabRun(cluster, [{ file: name, text: readFileSync(fixture(name), 'utf8') }]), options);

describe('faulty runs fail at the line that cannot be explained', () => {
  test.each([
    [1, 'acceptor-chose-on-accept.log', 15, 'chose-known'],
    [1, 'learner-two-values.log', 26, 'chose-once'],
    [1, 'accept-without-majority.log', 10, 'accept-after-promises'],
    [2, 'promise-lower.log', 19, 'accept-after-promises'],
    [2, 'accept-below-promise.log', 14, 'accept-above-promise'],
    [2, 'accept-own-value.log', 32, 'accept-value'],
    [2, 'same-number.log', 22, 'unique-proposal-numbers'],
    [2, 'received-unmatched.log', 11, 'receive-matches-send'],
  ] as const)('testcase %i: %s fails at line %i (%s)', (tc, name, line, rule) => {
    const r = validate(tc === 1 ? tc1 : tc2, name);
    expect(r.verdict).toBe('FAIL');
    expect(r.failure?.at).toBe(`${name}:${line}`);
    expect(r.failure?.rule).toBe(rule);
  });

  test('a lower promise is named with the promise it undercuts', () => {
    const r = validate(tc2, 'promise-lower.log');
    expect(r.failure?.events.map((e) => e.note).join('\n')).toMatch(
      /peer2 had already promised 2 at promise-lower.log:4/,
    );
  });
});

describe("other implementations' forms pass", () => {
  test('diagnostics, key order, spacing, 1.1 numbers, valued prepares, per-broadcast and per-destination sends, a duplicate receive, no chose messages, a cut-off last line', () => {
    const r = validate(tc2, 'other-implementation-testcase2.log');
    expect(r.verdict).toBe('PASS');
    expect(r.chosen).toEqual([
      { value: 'X', n: 1.1 },
      { value: 'X', n: 1.5 },
    ]);
    expect(r.skipped).toBe(5);
    expect(r.warnings).toEqual([
      expect.stringMatching(/other-implementation-testcase2.log:46: last line of peer3 is cut off/),
    ]);
  });

  test('--expect-decided then asks for chose lines the acceptors never print', () => {
    const r = validate(tc2, 'other-implementation-testcase2.log', { expectDecided: true });
    expect(r.verdict).toBe('FAIL');
    expect(r.failure?.rule).toBe('expect-decided');
  });

  test("a learner's file left out is no violation; an empty file given is an input error", () => {
    const text = readFileSync(fixture('acceptor-chose-on-accept.log'), 'utf8')
      .split('\n')
      .filter((l) => !l.includes('chose'));
    const rest = { file: 'all.log', text: text.filter((l) => !l.startsWith('peer5')).join('\n') };
    expect(validateRun(readLabRun(tc1, [rest])).verdict).toBe('PASS');
    expect(() => readLabRun(tc1, [rest, { file: 'peer5.log', text: '' }])).toThrow(
      /^peer5.log: no lab line in this file \(it is empty\)/,
    );
  });

  test('promises that print the same vote for several prepares need a later match, which the search finds', () => {
    const r = validate(tc2, 'later-match.log');
    expect(r.verdict).toBe('PASS');
    expect(r.interleavings).toBeGreaterThan(1);
  });

  test('a search budget that is too small is undecided, never a pass', () => {
    const r = validate(tc2, 'later-match.log', { maxInterleavings: 1 });
    expect(r.verdict).toBe('UNDECIDED');
    expect(r.undecided).toMatch(/^undecided after 1 interleavings/);
  });
});

describe('input errors name file:line and the expected form', () => {
  const line = (fields: Record<string, unknown>) =>
    JSON.stringify({
      peer_id: 1,
      action: 'sent',
      message_type: 'prepare',
      message_value: '',
      proposal_num: 1,
      ...fields,
    });
  const error = (text: string, file = 'peer1.log') => {
    try {
      readLabRun(tc1, [{ file, text }]);
    } catch (err) {
      if (err instanceof TraceInputError) return err.message;
      throw err;
    }
    return 'no error';
  };
  test.each([
    [
      line({ message_type: 'prepare ack' }),
      /^peer1.log:2: unknown message_type "prepare ack"; expected a line like \{/,
    ],
    [line({ action: 'chosen' }), /^peer1.log:2: unknown action "chosen"/],
    [
      line({ action: 'received', message_type: 'prepare_ack' }),
      /^peer1.log:2: a received line names the sender; peer_id 1 is peer1 itself/,
    ],
    [line({ proposal_num: 'one' }), /^peer1.log:2: proposal_num "one" is not a number/],
    [line({ peer_id: 9 }), /^peer1.log:2: peer_id 9 is not a peer/],
  ])('%s', (bad, message) => {
    expect(error(`${line({})}\n${bad}\n${line({})}\n`)).toMatch(message);
  });

  test('a cut-off line in the middle is an error; at the end, a warning', () => {
    const cut = line({}).slice(0, 30);
    expect(error(`${line({})}\n${cut}\n${line({})}\n`)).toMatch(/^peer1.log:2: not valid JSON/);
    const run = readLabRun(tc1, [{ file: 'peer1.log', text: `${line({})}\n${cut}\n` }]);
    expect(run.warnings).toEqual([expect.stringMatching(/^peer1.log:2: last line of peer1 is cut off/)]);
  });

  test('a file that names no peer and has no compose prefixes', () => {
    expect(error(`${line({})}\n`, 'run.txt')).toMatch(/^run.txt: cannot tell which peer printed this file/);
  });
});
