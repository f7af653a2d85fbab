/**
 * The wire format: one message of machines/messages.ts per line, as a JSON object with
 * exactly that message's fields. Decoding trusts nothing: a frame becomes a Message only
 * if its shape is exact and it makes sense in this cluster for this peer (the sender holds
 * the role the message implies, the number is the group's, this peer is an addressee).
 * Anything else is refused with a one-line reason, which the host reports on stderr.
 *
 * A frame may also carry an envelope for tracing: `clock`, the sender's Lamport clock, and
 * `id`, the message's unique id (sender, incarnation, sequence). Both are optional, so
 * frames of peers that omit them are accepted; they never reach the machines.
 */
import type { Message, MessageType, PeerId } from '../../machines/messages';
import { ownsNumber } from '../../machines/proposalNumbers';
import type { ClusterConfig, GroupConfig } from '../config/cluster';

type FieldKind = 'peer' | 'group' | 'number' | 'count' | 'boolean' | 'string' | 'stringOrNull';

/** Field order is the order on the wire; `type` comes first in every frame. */
const SCHEMAS: Record<MessageType, Record<string, FieldKind>> = {
  prepare: { from: 'peer', group: 'group', n: 'number' },
  prepare_ack: {
    from: 'peer',
    group: 'group',
    n: 'number',
    promised: 'boolean',
    minProposal: 'count',
    acceptedProposal: 'count',
    acceptedValue: 'stringOrNull',
  },
  accept: { from: 'peer', group: 'group', n: 'number', value: 'string' },
  accept_ack: { from: 'peer', group: 'group', n: 'number', minProposal: 'count', value: 'stringOrNull' },
  chose: { from: 'peer', group: 'group', n: 'number', value: 'string' },
};

const isMessageType = (t: unknown): t is MessageType => typeof t === 'string' && Object.hasOwn(SCHEMAS, t);

/** What travels beside a message for tracing: never seen by the machines. */
export interface Envelope {
  clock?: number;
  id?: string;
}

const ENVELOPE_KEYS = ['clock', 'id'];
const MAX_ID_LENGTH = 64;

/** A message's fields in wire order, `type` first; `extra` (a register frame's key) follows it. */
export function wireRecord(
  message: Message,
  envelope: Envelope = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const fields = SCHEMAS[message.type];
  const record = message as unknown as Record<string, unknown>;
  const ordered: Record<string, unknown> = { type: message.type, ...extra };
  for (const key of Object.keys(fields)) ordered[key] = record[key];
  if (envelope.clock !== undefined) ordered.clock = envelope.clock;
  if (envelope.id !== undefined) ordered.id = envelope.id;
  return ordered;
}

export function encodeMessage(message: Message, envelope: Envelope = {}): string {
  return `${JSON.stringify(wireRecord(message, envelope))}\n`;
}

export type Decoded = { ok: true; message: Message; envelope: Envelope } | { ok: false; problem: string };

const refuse = (problem: string): Decoded => ({ ok: false, problem });

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
};

function fieldProblem(kind: FieldKind, v: unknown): string | undefined {
  switch (kind) {
    case 'peer':
    case 'group':
    case 'number':
      return Number.isSafeInteger(v) && (v as number) >= 1 ? undefined : 'must be an integer >= 1';
    case 'count':
      return Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be an integer >= 0';
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'must be a boolean';
    case 'string':
      return typeof v === 'string' ? undefined : 'must be a string';
    case 'stringOrNull':
      return v === null || typeof v === 'string' ? undefined : 'must be a string or null';
  }
}

/** What an acceptor can truthfully report; anything else did not come from a correct acceptor. */
function consistencyProblem(m: Message): string | undefined {
  if (m.type === 'prepare_ack') {
    if ((m.acceptedProposal === 0) !== (m.acceptedValue === null))
      return 'acceptedValue must be null exactly when acceptedProposal is 0';
    if (m.acceptedProposal > m.minProposal) return 'acceptedProposal is above minProposal';
    if (m.promised && m.minProposal !== m.n) return 'a promise must report minProposal equal to n';
    if (!m.promised && m.minProposal < m.n) return 'a refusal must report minProposal >= n';
  }
  if (m.type === 'accept_ack') {
    if (m.minProposal < m.n) return 'minProposal is below n';
    if (m.minProposal === m.n && m.value === null) return 'an acceptance must carry the accepted value';
  }
  return undefined;
}

/** Whether `self` is one of the peers a message of this type in this group is sent to. */
function isAddressee(m: Message, group: GroupConfig, self: PeerId): boolean {
  switch (m.type) {
    case 'prepare':
    case 'accept':
      return group.acceptors.includes(self);
    case 'prepare_ack':
      return group.proposer === self;
    case 'accept_ack':
      return group.proposer === self || group.learners.includes(self);
    case 'chose':
      return group.acceptors.includes(self) || group.learners.includes(self);
  }
}

/** The role the sender must hold in the group for this message type. */
function senderProblem(m: Message, group: GroupConfig): string | undefined {
  switch (m.type) {
    case 'prepare':
    case 'accept':
    case 'chose':
      return group.proposer === m.from ? undefined : `peer ${m.from} is not proposer${group.id}`;
    case 'prepare_ack':
    case 'accept_ack':
      return group.acceptors.includes(m.from) ? undefined : `peer ${m.from} is not acceptor${group.id}`;
  }
}

/** A frame's JSON object, or why it is none. */
export function parseFrame(line: string): Record<string, unknown> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  return parsed as Record<string, unknown>;
}

export function decodeMessage(line: string, cluster: ClusterConfig, self: PeerId): Decoded {
  const record = parseFrame(line);
  return typeof record === 'string' ? refuse(record) : decodeRecord(record, cluster, self);
}

/** As decodeMessage, for a frame already parsed (a register frame, once its key is taken out). */
export function decodeRecord(record: Record<string, unknown>, cluster: ClusterConfig, self: PeerId): Decoded {
  if (!isMessageType(record.type)) return refuse(`unknown message type ${show(record.type)}`);
  const type = record.type;
  const fields = SCHEMAS[type];
  for (const [key, kind] of Object.entries(fields)) {
    if (!Object.hasOwn(record, key)) return refuse(`${type}: missing field '${key}'`);
    const problem = fieldProblem(kind, record[key]);
    if (problem) return refuse(`${type}: field '${key}' ${problem}, got ${show(record[key])}`);
  }
  const envelope: Envelope = {};
  for (const key of Object.keys(record)) {
    if (key === 'type' || Object.hasOwn(fields, key)) continue;
    if (!ENVELOPE_KEYS.includes(key)) return refuse(`${type}: unexpected field '${key}'`);
  }
  if (record.clock !== undefined) {
    if (!Number.isSafeInteger(record.clock) || (record.clock as number) < 0)
      return refuse(`${type}: field 'clock' must be an integer >= 0, got ${show(record.clock)}`);
    envelope.clock = record.clock as number;
  }
  if (record.id !== undefined) {
    if (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > MAX_ID_LENGTH)
      return refuse(
        `${type}: field 'id' must be a string of 1 to ${MAX_ID_LENGTH} characters, got ${show(record.id)}`,
      );
    envelope.id = record.id;
  }
  const m = Object.fromEntries(
    Object.entries(record).filter(([k]) => !ENVELOPE_KEYS.includes(k)),
  ) as unknown as Message;

  if (!cluster.peers.some((p) => p.id === m.from)) return refuse(`${type}: unknown sender peer ${m.from}`);
  const group = cluster.groups.find((g) => g.id === m.group);
  if (!group) return refuse(`${type}: no proposer group ${m.group}`);
  const sender = senderProblem(m, group);
  if (sender) return refuse(`${type}: ${sender}`);
  // A decision is announced in every group whose proposer learns it, under the number it was
  // chosen with, which may belong to another group (testcase 2's peer5 may learn X from
  // group 1 and tell group 2): it must be some group's number, not the announcer's own.
  if (type === 'chose') {
    if (!cluster.groups.some((g) => ownsNumber(g.id, cluster.groupCount, m.n)))
      return refuse(`${type}: ${m.n} is not a proposal number of any group`);
  } else if (!ownsNumber(group.id, cluster.groupCount, m.n))
    return refuse(`${type}: ${m.n} is not a proposal number of group ${group.id}`);
  const inconsistent = consistencyProblem(m);
  if (inconsistent) return refuse(`${type}: ${inconsistent}`);
  if (!isAddressee(m, group, self)) return refuse(`${type}: not for peer ${self} (group ${group.id})`);
  return { ok: true, message: m, envelope };
}
