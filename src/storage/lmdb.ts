/**
 * Candidate: LMDB through the `lmdb` package (a B+tree in a memory map, copy-on-write, so a
 * crash leaves the last committed tree). Commits are synced before their promise resolves:
 * `overlappingSync` off (its commits resolve before the flush), `noSync` left off.
 * Reads are synchronous from the map; memory is the OS page cache, not ours.
 */
import path from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import type { AcceptorDurable } from '../../machines/acceptor';
import { StorageError } from '../runtime/storage';
import { checkStamp, nextStamp } from './owner';
import type { RegisterStore, StoreOwner } from './store';

const FILE = 'registers.mdb';
/** The stamp's key: registers' keys all start with "k:", so no register can collide with it. */
const STAMP = 'stamp';
const keyOf = (key: string): string => `k:${key}`;

class LmdbStore implements RegisterStore {
  constructor(
    private readonly db: RootDatabase,
    readonly incarnation: number,
  ) {}

  read(key: string): Promise<AcceptorDurable | undefined> {
    return Promise.resolve(this.db.get(keyOf(key)) as AcceptorDurable | undefined);
  }

  async write(changes: ReadonlyMap<string, AcceptorDurable>): Promise<void> {
    await this.db.transaction(() => {
      for (const [k, v] of changes) void this.db.put(keyOf(k), v);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export async function openLmdbStore(dir: string, owner: StoreOwner): Promise<RegisterStore> {
  const where = path.join(dir, FILE);
  let db: RootDatabase;
  try {
    db = open({ path: where, overlappingSync: false, noSync: false });
  } catch (err) {
    throw new StorageError(`data dir ${dir}: ${(err as Error).message}`);
  }
  try {
    const found = db.get(STAMP);
    const stamp = nextStamp(found === undefined ? undefined : checkStamp(found, owner, where), owner);
    await db.put(STAMP, stamp);
    return new LmdbStore(db, stamp.incarnation);
  } catch (err) {
    await db.close();
    throw err;
  }
}
