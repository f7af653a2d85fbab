/**
 * How an implementation spells "nothing accepted" in a prepare_ack: the lab fixes the keys,
 * not the number beside an empty value. Logs of our own making in each form, made from one
 * other-implementation run by rewriting its empty prepare_acks (sent and received alike).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadHostsfile } from '../../src/config/hostsfile';
import { readLabRun, validateRun } from '../../src/trace/index';
import { fixture, hostsfile } from './support';

const tc2 = loadHostsfile(hostsfile(2));
const NAME = 'other-implementation-testcase2.log';
const original = readFileSync(fixture(NAME), 'utf8');

type Line = Record<string, unknown>;

/** Rewrites each protocol line that `pick` selects; the compose prefix and other lines stay. */
function rewrite(pick: (l: Line, host: string) => boolean, change: (l: Line) => Line): string {
  return original
    .split('\n')
    .map((raw) => {
      const m = /^(\S+\s+\|\s)(\{.*\})$/.exec(raw);
      if (!m) return raw;
      let line: Line;
      try {
        line = JSON.parse(m[2] as string) as Line;
      } catch {
        return raw;
      }
      return pick(line, (m[1] as string).split(' ')[0] as string)
        ? `${m[1]}${JSON.stringify(change(line))}`
        : raw;
    })
    .join('\n');
}

const emptyAck = (l: Line) => l.message_type === 'prepare_ack' && l.message_value === '';
const validate = (text: string) => validateRun(readLabRun(tc2, [{ file: NAME, text }]));

describe('a prepare_ack with an empty value reports nothing accepted, whatever its number', () => {
  test.each([0, -1, 0.5, 7])('("", %s) passes, with a warning naming the form', (num) => {
    const r = validate(rewrite(emptyAck, (l) => ({ ...l, proposal_num: num })));
    expect(r.verdict).toBe('PASS');
    expect(r.chosen.map((c) => c.value)).toEqual(['X', 'X']);
    const forms = r.warnings.filter((w) => w.includes('report nothing accepted'));
    expect(forms.length).toBe(3);
    expect(forms[0]).toMatch(new RegExp(`peer2's prepare_acks report nothing accepted as \\("", ${num}\\)`));
  });

  test("the lab's own form (the prepare's number) gives no such warning", () => {
    const r = validate(original);
    expect(r.verdict).toBe('PASS');
    expect(r.warnings.filter((w) => w.includes('report nothing accepted'))).toEqual([]);
  });

  test.each([0, -1, 0.5])(
    'an acceptor that had accepted X and reports ("", %s) fails at that line',
    (num) => {
      const lied = (l: Line, host: string) =>
        l.message_type === 'prepare_ack' &&
        l.proposal_num === 1.5 &&
        ((host === 'peer2' && l.action === 'sent') || (host === 'peer5' && l.peer_id === 2));
      const r = validate(rewrite(lied, (l) => ({ ...l, message_value: '', proposal_num: num })));
      expect(r.verdict).toBe('FAIL');
      expect(r.failure?.rule).toBe('prepare-ack-reports-accepted');
      expect(r.failure?.peer).toBe('peer2');
      expect(r.failure?.message).toMatch(/reports no accepted proposal, but peer2 had accepted \(1.1, X\)/);
    },
  );
});
