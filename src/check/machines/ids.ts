/**
 * Renaming peers inside machine contexts and messages, for symmetry reduction. Peer ids
 * sit in a few named fields. The machines keep lists of ids sorted, and lists of records
 * sorted by their fields in order (promises by sender, acceptances by group, number and
 * sender), so that snapshots stay canonical; renamed lists are re-sorted the same way.
 * A property test holds renaming and stepping commutative on the real machines.
 */
import type { PeerId } from '../../../machines/messages';

const ID_FIELDS = new Set(['self', 'from', 'to']);
const ID_LIST_FIELDS = new Set(['acceptors', 'members', 'accepted']);
const ID_LIST_RECORD_FIELDS = new Set(['learners', 'groups']);

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
