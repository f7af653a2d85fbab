import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AcceptorDurable } from '../../machines/acceptor';
import type { RegisterStore, StoreOwner } from '../../src/storage/store';

export const owner: StoreOwner = { cluster: 'c0ffee', peer: 2 };

/** Temp dirs and open stores of a test, removed and closed after it whatever its outcome. */
export function scratch(): {
  dir: () => string;
  keep: (s: RegisterStore) => RegisterStore;
  cleanup: () => Promise<void>;
} {
  const dirs: string[] = [];
  const stores: RegisterStore[] = [];
  return {
    dir: () => {
      const d = mkdtempSync(path.join(os.tmpdir(), 'paxos-store-test-'));
      dirs.push(d);
      return d;
    },
    keep: (s) => {
      stores.push(s);
      return s;
    },
    cleanup: async () => {
      for (const s of stores.splice(0)) await s.close();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export const state = (n: number, value: string | null = `v${n}`): AcceptorDurable => ({
  minProposal: n,
  acceptedProposal: value === null ? 0 : n,
  acceptedValue: value,
});
