import { describe, expect, test } from 'vitest';
import type { Message, Send } from '../../machines/messages';
import { createPeerLogic, type PeerState } from '../../src/peer/node';
import { decodeMessage, encodeMessage } from '../../src/runtime/codec';
import { testcase1, testcase2 } from '../support/clusters';

/** Every message the two testcases send over a FIFO network, with its destination. */
function messagesOf(cluster: typeof testcase1, starts: [number, string][]): Send[] {
  const logic = createPeerLogic(cluster);
  const states = new Map<number, PeerState>(cluster.peers.map((p) => [p.id, logic.init(p.id)]));
  const queue: Send[] = [];
  const all: Send[] = [];
  for (const [id, value] of starts) {
    const r = logic.step(id, states.get(id) as PeerState, { type: 'start', value });
    states.set(id, r.state);
    queue.push(...r.sends);
    for (let s = queue.shift(); s; s = queue.shift()) {
      all.push(s);
      const next = logic.step(s.to, states.get(s.to) as PeerState, { type: 'deliver', message: s.message });
      states.set(s.to, next.state);
      queue.push(...next.sends);
    }
  }
  return all;
}

const problemOf = (line: string, self = 2, cluster = testcase2) => {
  const d = decodeMessage(line, cluster, self);
  return d.ok ? 'accepted' : d.problem;
};

const frame = (m: Record<string, unknown>) => JSON.stringify(m);

describe('wire codec', () => {
  test('the encoder writes the message fields and nothing else, type first, one line', () => {
    const ack = { type: 'accept_ack', from: 3, group: 1, n: 1, minProposal: 1, value: 'X\nY' } as const;
    const line = encodeMessage({ ...ack, extra: 1 } as Message);
    expect(line).toBe('{"type":"accept_ack","from":3,"group":1,"n":1,"minProposal":1,"value":"X\\nY"}\n');
    expect(line.slice(0, -1)).not.toContain('\n');
  });

  test('every message of both testcases decodes, unchanged, at its destination', () => {
    const runs: [typeof testcase1, [number, string][]][] = [
      [testcase1, [[1, 'X']]],
      [
        testcase2,
        [
          [1, 'X'],
          [5, 'Y'],
        ],
      ],
    ];
    const seen = new Set<string>();
    for (const [cluster, starts] of runs) {
      for (const { to, message } of messagesOf(cluster, starts)) {
        seen.add(message.type);
        expect(decodeMessage(encodeMessage(message), cluster, to)).toEqual({
          ok: true,
          message,
          envelope: {},
        });
        const envelope = { clock: 7, id: `${message.from}.b.3` };
        expect(decodeMessage(encodeMessage(message, envelope), cluster, to)).toEqual({
          ok: true,
          message,
          envelope,
        });
      }
    }
    expect([...seen].sort()).toEqual(['accept', 'accept_ack', 'chose', 'prepare', 'prepare_ack']);
  });

  test('the tracing envelope is optional and checked', () => {
    const prepare = { type: 'prepare', from: 1, group: 1, n: 1 } as const;
    const line = (extra: Record<string, unknown>) => JSON.stringify({ ...prepare, ...extra });
    expect(decodeMessage(line({ clock: -1 }), testcase1, 2)).toEqual({
      ok: false,
      problem: "prepare: field 'clock' must be an integer >= 0, got -1",
    });
    expect(decodeMessage(line({ id: 'x'.repeat(65) }), testcase1, 2)).toMatchObject({ ok: false });
    expect(decodeMessage(line({ id: 3 }), testcase1, 2)).toMatchObject({ ok: false });
    expect(decodeMessage(line({ lamport: 3 }), testcase1, 2)).toEqual({
      ok: false,
      problem: "prepare: unexpected field 'lamport'",
    });
  });

  test('refuses what is not a well-formed message, saying what is wrong', () => {
    const prepare = { type: 'prepare', from: 1, group: 1, n: 1 };
    expect(problemOf('hello')).toBe('not JSON');
    expect(problemOf('[1,2]')).toBe('not a JSON object');
    expect(problemOf('null')).toBe('not a JSON object');
    expect(problemOf('{"type":"promise"}')).toBe('unknown message type "promise"');
    expect(problemOf('{"type":"__proto__"}')).toBe('unknown message type "__proto__"');
    expect(problemOf(frame({ type: 'prepare', from: 1, group: 1 }))).toBe("prepare: missing field 'n'");
    expect(problemOf(frame({ ...prepare, n: 1.5 }))).toBe(
      "prepare: field 'n' must be an integer >= 1, got 1.5",
    );
    expect(problemOf(frame({ ...prepare, n: '1' }))).toBe(
      `prepare: field 'n' must be an integer >= 1, got "1"`,
    );
    expect(problemOf(frame({ ...prepare, n: 0 }))).toMatch(/field 'n' must be an integer >= 1/);
    expect(problemOf(frame({ ...prepare, n: 2 ** 60 }))).toMatch(/field 'n' must be an integer >= 1/);
    expect(problemOf(frame({ ...prepare, to: 2 }))).toBe("prepare: unexpected field 'to'");
    expect(problemOf(frame({ type: 'accept', from: 1, group: 1, n: 1, value: 7 }))).toBe(
      "accept: field 'value' must be a string, got 7",
    );
    expect(problemOf(frame(prepare))).toBe('accepted');
  });

  test('refuses messages that do not fit the cluster or this peer', () => {
    expect(problemOf(frame({ type: 'prepare', from: 9, group: 1, n: 1 }))).toBe(
      'prepare: unknown sender peer 9',
    );
    expect(problemOf(frame({ type: 'prepare', from: 1, group: 3, n: 3 }))).toBe(
      'prepare: no proposer group 3',
    );
    expect(problemOf(frame({ type: 'prepare', from: 5, group: 1, n: 1 }))).toBe(
      'prepare: peer 5 is not proposer1',
    );
    expect(problemOf(frame({ type: 'prepare', from: 1, group: 1, n: 2 }))).toBe(
      'prepare: 2 is not a proposal number of group 1',
    );
    expect(problemOf(frame({ type: 'prepare', from: 5, group: 2, n: 4 }))).toBe('accepted');
    // A decision keeps the number it was chosen under: peer5 tells group 2 of group 1's X.
    expect(problemOf(frame({ type: 'chose', from: 5, group: 2, n: 1, value: 'X' }))).toBe('accepted');
    expect(problemOf(frame({ type: 'chose', from: 5, group: 2, n: 0, value: 'X' }))).toBe(
      "chose: field 'n' must be an integer >= 1, got 0",
    );
    // peer1 is no acceptor: a prepare is not for it.
    expect(problemOf(frame({ type: 'prepare', from: 5, group: 2, n: 2 }), 1)).toBe(
      'prepare: not for peer 1 (group 2)',
    );
    const ack = {
      type: 'prepare_ack',
      from: 3,
      group: 1,
      n: 1,
      promised: true,
      minProposal: 1,
      acceptedProposal: 0,
      acceptedValue: null,
    };
    expect(problemOf(frame(ack), 1)).toBe('accepted');
    expect(problemOf(frame(ack), 5)).toBe('prepare_ack: not for peer 5 (group 1)');
    expect(problemOf(frame({ ...ack, from: 1 }), 1)).toBe('prepare_ack: peer 1 is not acceptor1');
    expect(problemOf(frame({ ...ack, acceptedValue: 'X' }), 1)).toMatch(/acceptedValue must be null/);
    expect(problemOf(frame({ ...ack, minProposal: 3 }), 1)).toMatch(/a promise must report minProposal/);
    expect(problemOf(frame({ ...ack, promised: false, minProposal: 0 }), 1)).toMatch(/a refusal must report/);
    expect(problemOf(frame({ ...ack, acceptedProposal: 2, acceptedValue: 'Y' }), 1)).toMatch(
      /acceptedProposal is above minProposal/,
    );
    const acceptAck = { type: 'accept_ack', from: 2, group: 1, n: 1, minProposal: 1, value: null };
    expect(problemOf(frame(acceptAck), 1)).toMatch(/an acceptance must carry the accepted value/);
    expect(problemOf(frame({ ...acceptAck, minProposal: 0 }), 1)).toMatch(/minProposal is below n/);
    // testcase 1's learner hears acceptances; it is no acceptor, so a prepare is not for it.
    expect(problemOf(frame({ ...acceptAck, value: 'X' }), 5, testcase1)).toBe('accepted');
    expect(problemOf(frame({ type: 'chose', from: 1, group: 1, n: 1, value: 'X' }), 5, testcase1)).toBe(
      'accepted',
    );
    expect(problemOf(frame({ type: 'chose', from: 1, group: 1, n: 1, value: 'X' }), 1, testcase1)).toMatch(
      /not for peer 1/,
    );
  });
});
