/**
 * The register peer's faulty variants (PAXOS_FAULT, src/runtime/failpoints.ts): the real
 * peer with one thing wrong, for the nemesis to catch.
 */
import type { AcceptorDurable } from '../../machines/acceptor';
import { decodeRegister } from '../../machines/register';
import type { RegisterStore } from '../storage/store';
import type { Service } from './http';

/**
 * forget-on-restart: the acceptors' state lives in this process's memory only. The store's
 * incarnation is still the durable one, so what is lost at a restart is exactly the promises
 * and acceptances, not the uniqueness of ballots.
 */
export function forgetfulStore(store: RegisterStore): RegisterStore {
  const memory = new Map<string, AcceptorDurable>();
  return {
    incarnation: store.incarnation,
    read: async (key) => memory.get(key),
    write: async (changes) => {
      for (const [key, durable] of changes) memory.set(key, durable);
    },
    close: () => store.close(),
  };
}

/** get-from-one: a get answers what this peer's own acceptor last accepted, with no round. */
export function getFromOne(invoke: Service['invoke'], store: RegisterStore): Service['invoke'] {
  return async (key, operation) => {
    if (operation.kind !== 'get') return invoke(key, operation);
    const durable = await store.read(key);
    return { outcome: 'ok', state: decodeRegister(durable?.acceptedValue ?? null) };
  };
}
