/**
 * What a register peer (`paxos serve`) needs of its stable storage: per key, the acceptor's
 * durable state (its promise and what it accepted), and per life an incarnation that keeps
 * ballots unique across crashes (machines/register.ts). The host writes a batch of many
 * keys' changes and waits for one fsync before any reply that depends on them leaves
 * (group commit), as the lab peer does for its one state.
 */
import type { AcceptorDurable } from '../../machines/acceptor';

/** Whose data a directory holds: a store refuses to open another cluster's or peer's. */
export interface StoreOwner {
  /** A fingerprint of the hostsfile's shape (hosts and roles), not of its path. */
  cluster: string;
  peer: number;
}

export interface RegisterStore {
  /** This life's incarnation: one more than the last life's (0 for a new directory), durable before `openStore` resolves. */
  readonly incarnation: number;
  /** The key's acceptor state as last written, or undefined if it never was. */
  read(key: string): Promise<AcceptorDurable | undefined>;
  /** Makes every change of the batch durable, with one fsync for all of them, before it resolves. */
  write(changes: ReadonlyMap<string, AcceptorDurable>): Promise<void>;
  close(): Promise<void>;
}

export type OpenStore = (dir: string, owner: StoreOwner) => Promise<RegisterStore>;
