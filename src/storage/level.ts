/**
 * Candidate: LevelDB through `classic-level` (an LSM tree: a write-ahead log, then sorted
 * tables compacted in the background). `sync: true` makes each batch's log write fsynced
 * before its callback. Memory: LevelDB's block cache and memtable, bounded by its options.
 */
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { AcceptorDurable } from '../../machines/acceptor';
import { StorageError } from '../runtime/storage';
import { checkStamp, nextStamp } from './owner';
import type { RegisterStore, StoreOwner } from './store';

const DIR = 'registers.level';
/** The stamp's key: registers' keys all start with "k:", so no register can collide with it. */
const STAMP = 'stamp';
const keyOf = (key: string): string => `k:${key}`;

type Db = ClassicLevel<string, unknown>;

class LevelStore implements RegisterStore {
  constructor(
    private readonly db: Db,
    readonly incarnation: number,
  ) {}

  async read(key: string): Promise<AcceptorDurable | undefined> {
    return (await this.db.get(keyOf(key))) as AcceptorDurable | undefined;
  }

  async write(changes: ReadonlyMap<string, AcceptorDurable>): Promise<void> {
    const ops = [...changes].map(([k, v]) => ({ type: 'put' as const, key: keyOf(k), value: v }));
    await this.db.batch(ops, { sync: true });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export async function openLevelStore(dir: string, owner: StoreOwner): Promise<RegisterStore> {
  const where = path.join(dir, DIR);
  const db: Db = new ClassicLevel<string, unknown>(where, { valueEncoding: 'json' });
  try {
    await db.open();
  } catch (err) {
    throw new StorageError(`data dir ${dir}: ${(err as Error).message}`);
  }
  try {
    const found = await db.get(STAMP);
    const stamp = nextStamp(found === undefined ? undefined : checkStamp(found, owner, where), owner);
    await db.put(STAMP, stamp, { sync: true });
    return new LevelStore(db, stamp.incarnation);
  } catch (err) {
    await db.close();
    throw err;
  }
}
