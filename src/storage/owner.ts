/**
 * What every candidate store writes about itself: whose data the directory holds (refused
 * when it is another cluster's or peer's) and the incarnation of the life that opened it last.
 */
import { ForeignStateError, StorageError } from '../runtime/storage';
import type { StoreOwner } from './store';

/** Names the data's layout; a store refuses a directory written in another one. */
const FORMAT = 'paxos-registers/1';

export interface Stamp extends StoreOwner {
  format: string;
  incarnation: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The stamp found in `where`, checked against `owner`: a foreign or unreadable stamp throws,
 * since opening it would either mix two clusters' promises or forget this peer's.
 */
export function checkStamp(found: unknown, owner: StoreOwner, where: string): Stamp {
  if (!isObject(found) || found.format !== FORMAT)
    throw new StorageError(`${where}: not a register store of format ${FORMAT}`);
  if (found.cluster !== owner.cluster || found.peer !== owner.peer)
    throw new ForeignStateError(
      `${where} holds the registers of peer ${String(found.peer)} of cluster ${String(found.cluster)}, ` +
        `not of peer ${owner.peer} of cluster ${owner.cluster}; remove it or use a fresh --data-dir`,
    );
  const incarnation = found.incarnation;
  if (!Number.isSafeInteger(incarnation) || (incarnation as number) < 0)
    throw new StorageError(`${where}: bad incarnation ${String(incarnation)}`);
  return { format: FORMAT, cluster: owner.cluster, peer: owner.peer, incarnation: incarnation as number };
}

/** The stamp of the life being opened: a new directory starts at 0, a reopened one goes up by one. */
export function nextStamp(found: Stamp | undefined, owner: StoreOwner): Stamp {
  const incarnation = found === undefined ? 0 : found.incarnation + 1;
  return { format: FORMAT, cluster: owner.cluster, peer: owner.peer, incarnation };
}
