/** Judging peers' stdout: every line must be one of the lab's log lines, exactly. */
import { expect } from 'vitest';

export interface LogLine {
  peer_id: number;
  action: 'sent' | 'received' | 'chose';
  message_type: 'prepare' | 'prepare_ack' | 'accept' | 'accept_ack' | 'chose';
  message_value: string;
  proposal_num: number;
}

const KEYS = ['peer_id', 'action', 'message_type', 'message_value', 'proposal_num'];
const ACTIONS = ['sent', 'received', 'chose'];
const TYPES = ['prepare', 'prepare_ack', 'accept', 'accept_ack', 'chose'];

/** Parses one stdout line, failing the test unless it is compact JSON with exactly the five keys in order. */
export function parseLogLine(line: string, where: string): LogLine {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`${where}: stdout line is not JSON: ${line}`);
  }
  expect(Object.keys(v as object), `${where}: keys of ${line}`).toEqual(KEYS);
  const l = v as LogLine;
  expect(JSON.stringify(l), `${where}: not compact`).toBe(line);
  expect(Number.isInteger(l.peer_id) && l.peer_id >= 1, `${where}: peer_id in ${line}`).toBe(true);
  expect(ACTIONS, `${where}: action in ${line}`).toContain(l.action);
  expect(TYPES, `${where}: message_type in ${line}`).toContain(l.message_type);
  expect(typeof l.message_value, `${where}: message_value in ${line}`).toBe('string');
  expect(Number.isInteger(l.proposal_num), `${where}: proposal_num in ${line}`).toBe(true);
  if (l.action === 'chose') expect(l.message_type, `${where}: ${line}`).toBe('chose');
  return l;
}

/**
 * The contract's promises about one run: `linesByHost` is every stdout line of each peer,
 * `ids` maps hosts to peer ids, `participants` must each print chose exactly once, all
 * with one value. Returns that value.
 */
export function judgeRun(
  linesByHost: ReadonlyMap<string, readonly LogLine[]>,
  ids: ReadonlyMap<string, number>,
  participants: readonly string[],
): string {
  const values = new Set<string>();
  for (const host of participants) {
    const lines = linesByHost.get(host) ?? [];
    const id = ids.get(host);
    for (const l of lines) {
      if (l.action !== 'received')
        expect(l.peer_id, `${host} prints its own id on ${l.action} lines`).toBe(id);
      // A peer holding two roles of one group talks to itself, so a received line may name it.
      else expect([...ids.values()], `${host} received from a peer of the cluster`).toContain(l.peer_id);
    }
    const chose = lines.filter((l) => l.action === 'chose');
    expect(chose, `${host} prints exactly one chose`).toHaveLength(1);
    values.add((chose[0] as LogLine).message_value);
  }
  expect([...values], 'every peer chose the same value').toHaveLength(1);
  return [...values][0] as string;
}

/**
 * Testcase 2's promise beyond agreement: peer5, starting late with Y, hears the accepted X
 * in its prepare_acks and sends accept with X under a number above peer1's.
 */
export function judgeTestcase2Takeover(linesByHost: ReadonlyMap<string, readonly LogLine[]>): void {
  const accepts = (host: string) =>
    (linesByHost.get(host) ?? []).filter((l) => l.action === 'sent' && l.message_type === 'accept');
  const peer1Highest = Math.max(...accepts('peer1').map((l) => l.proposal_num));
  expect(accepts('peer5').length, 'peer5 sends accept').toBeGreaterThan(0);
  for (const a of accepts('peer5')) {
    expect(a.message_value, 'peer5 re-proposes X').toBe('X');
    expect(a.proposal_num, "peer5's number is above peer1's").toBeGreaterThan(peer1Highest);
  }
  const acks = (linesByHost.get('peer5') ?? []).filter(
    (l) => l.action === 'received' && l.message_type === 'prepare_ack',
  );
  expect(
    acks.some((l) => l.message_value === 'X'),
    "peer5's prepare_acks carry X",
  ).toBe(true);
}
