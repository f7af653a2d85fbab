/**
 * Renaming peers inside machine contexts and messages, for symmetry reduction. Which fields
 * hold peer ids is declared once per type in `PEER_ID_FIELDS`, checked by the compiler
 * against the machines' context and message types (a field added to a context and not
 * declared here fails the typecheck), and the walk renames by field name, which a test
 * holds unambiguous across the types. The machines keep lists of ids sorted, and lists of
 * records sorted by their fields in order (promises by sender, acceptances by group,
 * number and sender), so that snapshots stay canonical; renamed lists are re-sorted the
 * same way. A property test holds renaming and stepping commutative on the real machines.
 */
import type { AcceptorContext } from '../../../machines/acceptor';
import type { Acceptance, LearnerContext } from '../../../machines/learner';
import type { Accept, AcceptAck, Chose, PeerId, Prepare, PrepareAck, Send } from '../../../machines/messages';
import type { PromiseHeard, ProposerContext } from '../../../machines/proposer';

/**
 * `id`: a peer id; `ids`: a sorted list of them; `idsByGroup`: a record of such lists by
 * group; `records`: a list of records that hold ids (walked, then re-sorted); `message`: a
 * message (walked); `none`: no peer id inside.
 */
export type IdField = 'id' | 'ids' | 'idsByGroup' | 'records' | 'message' | 'none';

type Fields<T> = { [K in keyof Required<T>]: IdField };

export const PEER_ID_FIELDS = {
  proposer: {
    self: 'id',
    group: 'none',
    groupCount: 'none',
    acceptors: 'ids',
    members: 'ids',
    value: 'none',
    n: 'none',
    highestSeen: 'none',
    promises: 'records',
    proposal: 'none',
    accepted: 'ids',
    refusals: 'none',
    announcements: 'none',
    chosen: 'none',
  } satisfies Fields<ProposerContext>,
  promise: { from: 'id', acceptedProposal: 'none', acceptedValue: 'none' } satisfies Fields<PromiseHeard>,
  acceptor: {
    self: 'id',
    learners: 'idsByGroup',
    minProposal: 'none',
    acceptedProposal: 'none',
    acceptedValue: 'none',
  } satisfies Fields<AcceptorContext>,
  learner: {
    self: 'id',
    groups: 'idsByGroup',
    acceptances: 'records',
    learned: 'none',
  } satisfies Fields<LearnerContext>,
  acceptance: { group: 'none', n: 'none', from: 'id', value: 'none' } satisfies Fields<Acceptance>,
  send: { type: 'none', to: 'id', message: 'message' } satisfies Fields<Send>,
  prepare: { type: 'none', from: 'id', group: 'none', n: 'none' } satisfies Fields<Prepare>,
  prepareAck: {
    type: 'none',
    from: 'id',
    group: 'none',
    n: 'none',
    promised: 'none',
    minProposal: 'none',
    acceptedProposal: 'none',
    acceptedValue: 'none',
  } satisfies Fields<PrepareAck>,
  accept: { type: 'none', from: 'id', group: 'none', n: 'none', value: 'none' } satisfies Fields<Accept>,
  acceptAck: {
    type: 'none',
    from: 'id',
    group: 'none',
    n: 'none',
    minProposal: 'none',
    value: 'none',
  } satisfies Fields<AcceptAck>,
  chose: { type: 'none', from: 'id', group: 'none', n: 'none', value: 'none' } satisfies Fields<Chose>,
} as const;

/** Each field name's kind, over every declared type (the test holds them consistent). */
export const fieldKinds = (): Map<string, IdField[]> => {
  const kinds = new Map<string, IdField[]>();
  for (const fields of Object.values(PEER_ID_FIELDS))
    for (const [k, kind] of Object.entries(fields)) kinds.set(k, [...(kinds.get(k) ?? []), kind as IdField]);
  return kinds;
};

const named = (kind: IdField) =>
  new Set([...fieldKinds()].filter(([, kinds]) => kinds.includes(kind)).map(([k]) => k));
const ID_FIELDS = named('id');
const ID_LIST_FIELDS = named('ids');
const ID_LIST_RECORD_FIELDS = named('idsByGroup');

const renameList = (ids: readonly PeerId[], rename: (id: PeerId) => PeerId) =>
  ids.map(rename).sort((a, b) => a - b);

/** Records compared field by field, in the order of their fields. */
const byFields = (a: unknown, b: unknown): number => {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of Object.keys(x)) {
    const u = x[k];
    const v = y[k];
    if (u === v) continue;
    if (typeof u === 'number' && typeof v === 'number') return u - v;
    const su = JSON.stringify(u) ?? '';
    const sv = JSON.stringify(v) ?? '';
    if (su !== sv) return su < sv ? -1 : 1;
  }
  return 0;
};

export function renamePeers<T>(value: T, rename: (id: PeerId) => PeerId): T {
  return walk(value, rename, undefined) as T;
}

function walk(value: unknown, rename: (id: PeerId) => PeerId, field: string | undefined): unknown {
  if (typeof value === 'number') return field !== undefined && ID_FIELDS.has(field) ? rename(value) : value;
  if (Array.isArray(value)) {
    if (field !== undefined && ID_LIST_FIELDS.has(field)) return renameList(value as PeerId[], rename);
    const items = value.map((v) => walk(v, rename, undefined));
    if (items.some((v) => typeof v === 'object' && v !== null && 'from' in v)) items.sort(byFields);
    return items;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        field !== undefined && ID_LIST_RECORD_FIELDS.has(field)
          ? renameList(v as PeerId[], rename)
          : walk(v, rename, k);
    }
    return out;
  }
  return value;
}
