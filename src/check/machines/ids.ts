/**
 * Renaming peers inside machine contexts and messages, for symmetry reduction. Peer ids
 * sit in a few named fields; lists of ids and lists of records keyed by a sender are kept
 * sorted by the machines (so snapshots stay canonical), hence re-sorted after renaming.
 * A property test holds renaming and stepping commutative on the real machines.
 */
import type { PeerId } from '../../../machines/messages';

const ID_FIELDS = new Set(['self', 'from', 'to']);
const ID_LIST_FIELDS = new Set(['acceptors', 'members', 'accepted']);
const ID_LIST_RECORD_FIELDS = new Set(['learners', 'groups']);

const renameList = (ids: readonly PeerId[], rename: (id: PeerId) => PeerId) =>
  ids.map(rename).sort((a, b) => a - b);

const byNumberThenSender = (a: unknown, b: unknown) => {
  const x = a as { n?: number; from?: number };
  const y = b as { n?: number; from?: number };
  return (x.n ?? 0) - (y.n ?? 0) || (x.from ?? 0) - (y.from ?? 0);
};

export function renamePeers<T>(value: T, rename: (id: PeerId) => PeerId): T {
  return walk(value, rename, undefined) as T;
}

function walk(value: unknown, rename: (id: PeerId) => PeerId, field: string | undefined): unknown {
  if (typeof value === 'number') return field !== undefined && ID_FIELDS.has(field) ? rename(value) : value;
  if (Array.isArray(value)) {
    if (field !== undefined && ID_LIST_FIELDS.has(field)) return renameList(value as PeerId[], rename);
    const items = value.map((v) => walk(v, rename, undefined));
    if (items.some((v) => typeof v === 'object' && v !== null && 'from' in v)) items.sort(byNumberThenSender);
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
