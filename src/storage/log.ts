/**
 * The register store as a log of our own: one file, `registers.log`, framed as the lab peer's
 * log ([length u32 LE][CRC-32 u32 LE][body], src/runtime/storage.ts), preallocated with zeros
 * so that the log ends at the first zero header.
 *
 * Bodies: a stamp (kind 1, then JSON: format, cluster, peer, incarnation; the first record,
 * and one more per life) or a batch (kind 2, then entries). An entry is itself a frame whose
 * body is [key length u16 LE][key UTF-8][acceptor state JSON]: its own checksum lets a read
 * check the few bytes it fetches without the batch around them.
 *
 * A write() appends one batch record with one write and one fdatasync; writes that arrive
 * while one is in flight are merged into the next (group commit across callers).
 *
 * Memory: an index of key -> where its last entry is (offset and size packed in one number),
 * no values: about 100 bytes per key ever written plus the key itself (bench/storage.ts
 * measures it). The log is rewritten as a snapshot of the live entries once most of it is dead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import type { AcceptorDurable } from '../../machines/acceptor';
import { frameRecord, StorageError, scanFrames, syncDirectory, writeAll } from '../runtime/storage';
import { checkStamp, nextStamp, type Stamp } from './owner';
import type { RegisterStore, StoreOwner } from './store';

export const LOG = 'registers.log';
const COMPACTING = 'registers.log.compact';
const FRAME = 8;
const STAMP = 1;
const BATCH = 2;
/** The file grows by this much at least, so that most appends write into allocated blocks. */
const GROW = 8 * 1024 * 1024;
/** Below this a log is never compacted: rewriting it would cost more than the space. */
const COMPACT_FROM = 4 * 1024 * 1024;
/** An entry's size fits below this (a 64 KiB value JSON-escaped stays far below 1 MiB). */
const SIZE_LIMIT = 2 ** 20;
/** Compaction writes the live entries in batch records of about this size. */
const SNAPSHOT_CHUNK = 1024 * 1024;

const write = promisify(fs.write);
const fdatasync = promisify(fs.fdatasync);

/** Where an entry is: offset and size in one number, so the index holds no object per key. */
const pack = (offset: number, size: number): number => offset * SIZE_LIMIT + size;
const sizeOf = (packed: number): number => packed % SIZE_LIMIT;
const offsetOf = (packed: number): number => Math.floor(packed / SIZE_LIMIT);

function encodeEntry(key: string, durable: AcceptorDurable): Buffer {
  const keyBytes = Buffer.from(key, 'utf8');
  const value = Buffer.from(JSON.stringify(durable), 'utf8');
  const body = Buffer.allocUnsafe(2 + keyBytes.length + value.length);
  body.writeUInt16LE(keyBytes.length, 0);
  keyBytes.copy(body, 2);
  value.copy(body, 2 + keyBytes.length);
  const entry = frameRecord(body);
  if (entry.length >= SIZE_LIMIT) throw new StorageError(`the state of ${key} is too large to store`);
  return entry;
}

const stampRecord = (stamp: Stamp): Buffer =>
  frameRecord(Buffer.concat([Buffer.from([STAMP]), Buffer.from(JSON.stringify(stamp), 'utf8')]));

/** A batch record of `entries`, and where each entry starts within it. */
function batchRecord(entries: Buffer[]): { record: Buffer; starts: number[] } {
  const starts: number[] = [];
  let at = FRAME + 1;
  for (const e of entries) {
    starts.push(at);
    at += e.length;
  }
  return { record: frameRecord(Buffer.concat([Buffer.from([BATCH]), ...entries])), starts };
}

interface Loaded {
  stamp: Stamp | undefined;
  index: Map<string, number>;
  live: number;
}

/** The keys of one batch record's entries, into the index; damage inside a checked record is a bug or a foreign writer. */
function indexBatch(body: Buffer, offset: number, where: string, loaded: Loaded): void {
  let at = 1;
  while (at < body.length) {
    const size = FRAME + body.readUInt32LE(at);
    const keyLength = at + FRAME + 2 <= body.length ? body.readUInt16LE(at + FRAME) : -1;
    if (keyLength < 0 || at + size > body.length || FRAME + 2 + keyLength > size)
      throw new StorageError(`${where}: record at offset ${offset} holds a malformed entry at ${at}`);
    const key = body.toString('utf8', at + FRAME + 2, at + FRAME + 2 + keyLength);
    const old = loaded.index.get(key);
    if (old !== undefined) loaded.live -= sizeOf(old);
    loaded.index.set(key, pack(offset + FRAME + at, size));
    loaded.live += size;
    at += size;
  }
}

function load(bytes: Buffer, where: string, owner: StoreOwner): Loaded & { end: number; torn: boolean } {
  const frames = scanFrames(bytes, where);
  const loaded: Loaded = { stamp: undefined, index: new Map(), live: 0 };
  for (const { offset, body } of frames.bodies) {
    const kind = body[0];
    if (kind === STAMP) loaded.stamp = checkStamp(parseStamp(body, offset, where), owner, where);
    else if (loaded.stamp === undefined || kind !== BATCH)
      throw new StorageError(`${where}: record at offset ${offset} is not a register store's record`);
    else indexBatch(body, offset, where, loaded);
  }
  return { ...loaded, end: frames.end, torn: frames.torn };
}

function parseStamp(body: Buffer, offset: number, where: string): unknown {
  try {
    return JSON.parse(body.toString('utf8', 1));
  } catch {
    throw new StorageError(`${where}: record at offset ${offset} is not JSON though its checksum holds`);
  }
}

/** Zeros from `from` to `to`, then an fsync: the file's new size is metadata. */
function extend(fd: number, from: number, to: number): void {
  const zeros = Buffer.alloc(Math.min(to - from, 1024 * 1024));
  for (let at = from; at < to; at += zeros.length)
    writeAll(fd, zeros.subarray(0, Math.min(zeros.length, to - at)), at);
  fs.fsyncSync(fd);
}

/** How far to grow a file of `allocated` bytes so that `needed` fit: by a quarter, at least GROW. */
const grownSize = (allocated: number, needed: number): number =>
  Math.max(needed, allocated + Math.max(GROW, allocated >> 2));

/** The torn tail becomes zeros again, so that no later scan reads its remains as part of the log. */
function clearTail(fd: number, bytes: Buffer, end: number): void {
  let last = bytes.length;
  while (last > end && bytes[last - 1] === 0) last--;
  if (last > end) writeAll(fd, Buffer.alloc(last - end), end);
  fs.fdatasyncSync(fd);
}

interface Waiter {
  changes: ReadonlyMap<string, AcceptorDurable>;
  resolve: () => void;
  reject: (err: Error) => void;
}

class LogStore implements RegisterStore {
  private waiting: Waiter[] = [];
  private flushing = false;
  /** Set when a write or fsync failed: what reached the disk is unknown, so no later write is acknowledged. */
  private failed: Error | undefined;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly stamp: Stamp,
    private fd: number,
    private index: Map<string, number>,
    private live: number,
    private end: number,
    private allocated: number,
  ) {}

  get incarnation(): number {
    return this.stamp.incarnation;
  }

  read(key: string): Promise<AcceptorDurable | undefined> {
    const packed = this.index.get(key);
    if (packed === undefined) return Promise.resolve(undefined);
    return Promise.resolve(this.readEntry(key, offsetOf(packed), sizeOf(packed)));
  }

  /** Synchronous: the entry is usually in the page cache, and the fd cannot be swapped by compaction under it. */
  private readEntry(key: string, offset: number, size: number): AcceptorDurable {
    const entry = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = fs.readSync(this.fd, entry, done, size - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    const where = `${path.join(this.dir, LOG)}: entry of ${JSON.stringify(key)} at offset ${offset}`;
    if (
      done < size ||
      entry.readUInt32LE(0) !== size - FRAME ||
      crc32(entry.subarray(FRAME)) !== entry.readUInt32LE(4)
    )
      throw new StorageError(`${where} fails its checksum`);
    const keyLength = entry.readUInt16LE(FRAME);
    if (entry.toString('utf8', FRAME + 2, FRAME + 2 + keyLength) !== key)
      throw new StorageError(`${where} names another key`);
    return JSON.parse(entry.toString('utf8', FRAME + 2 + keyLength)) as AcceptorDurable;
  }

  write(changes: ReadonlyMap<string, AcceptorDurable>): Promise<void> {
    if (this.closed) return Promise.reject(new StorageError('the register store is closed'));
    if (changes.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ changes, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** One append and one fdatasync for everything that waits, until nothing does. */
  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      try {
        if (this.failed) throw this.failed;
        const merged = new Map<string, AcceptorDurable>();
        for (const w of batch) for (const [k, v] of w.changes) merged.set(k, v);
        await this.append(merged);
        for (const w of batch) w.resolve();
        if (this.end > COMPACT_FROM && this.live * 2 < this.end) this.compact();
      } catch (err) {
        this.failed ??= err as Error;
        for (const w of batch) w.reject(err as Error);
      }
    }
    this.flushing = false;
  }

  private async append(changes: ReadonlyMap<string, AcceptorDurable>): Promise<void> {
    const keys = [...changes.keys()];
    const entries = keys.map((k) => encodeEntry(k, changes.get(k) as AcceptorDurable));
    const { record, starts } = batchRecord(entries);
    const at = this.end;
    if (at + record.length > this.allocated) {
      const size = grownSize(this.allocated, at + record.length);
      extend(this.fd, this.allocated, size);
      this.allocated = size;
    }
    for (let done = 0; done < record.length; )
      done += (await write(this.fd, record, done, record.length - done, at + done)).bytesWritten;
    await fdatasync(this.fd);
    for (const [i, key] of keys.entries())
      this.place(key, at + (starts[i] as number), (entries[i] as Buffer).length);
    this.end = at + record.length;
  }

  private place(key: string, offset: number, size: number): void {
    const old = this.index.get(key);
    if (old !== undefined) this.live -= sizeOf(old);
    this.index.set(key, pack(offset, size));
    this.live += size;
  }

  /**
   * Rewrites the log as the stamp and the live entries (a snapshot), synced, then swapped in by
   * rename. Synchronous, so no read or write sees half of it; a crash before the rename leaves
   * the old log, which the next open uses (and removes the half-written snapshot).
   */
  private compact(): void {
    const temp = path.join(this.dir, COMPACTING);
    const fd = fs.openSync(temp, 'w');
    try {
      const stamp = stampRecord(this.stamp);
      writeAll(fd, stamp, 0);
      const snapshot = this.writeSnapshot(fd, stamp.length);
      const allocated = grownSize(snapshot.end, snapshot.end);
      extend(fd, snapshot.end, allocated);
      fs.renameSync(temp, path.join(this.dir, LOG));
      syncDirectory(this.dir);
      fs.closeSync(this.fd);
      this.fd = fd;
      this.index = snapshot.index;
      this.end = snapshot.end;
      this.allocated = allocated;
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** The live entries, copied from the log into batch records of `fd` from `from` on. */
  private writeSnapshot(fd: number, from: number): { index: Map<string, number>; end: number } {
    const index = new Map<string, number>();
    let end = from;
    let chunk: [string, Buffer][] = [];
    let bytes = 0;
    const flush = (): void => {
      const { record, starts } = batchRecord(chunk.map(([, entry]) => entry));
      writeAll(fd, record, end);
      chunk.forEach(([key, entry], i) => {
        index.set(key, pack(end + (starts[i] as number), entry.length));
      });
      end += record.length;
      chunk = [];
      bytes = 0;
    };
    for (const [key, packed] of this.index) {
      const entry = Buffer.allocUnsafe(sizeOf(packed));
      fs.readSync(this.fd, entry, 0, entry.length, offsetOf(packed));
      chunk.push([key, entry]);
      bytes += entry.length;
      if (bytes >= SNAPSHOT_CHUNK) flush();
    }
    if (chunk.length > 0) flush();
    return { index, end };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await new Promise((r) => setImmediate(r));
    fs.closeSync(this.fd);
  }
}

/** Opens (creating if needed) the log in `dir`: see the file's comment for what it holds. */
export async function openLogStore(dir: string, owner: StoreOwner): Promise<RegisterStore> {
  const where = path.join(dir, LOG);
  let fd: number;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(path.join(dir, COMPACTING), { force: true });
    fd = fs.openSync(where, fs.constants.O_RDWR | fs.constants.O_CREAT);
  } catch (err) {
    throw new StorageError(`data dir ${dir}: ${(err as Error).message}`);
  }
  try {
    return startLife(dir, fd, owner);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** Reads the log, clears a torn tail and appends this life's stamp, synced before the store is handed out. */
function startLife(dir: string, fd: number, owner: StoreOwner): LogStore {
  const where = path.join(dir, LOG);
  const bytes = fs.readFileSync(fd);
  const loaded = load(bytes, where, owner);
  if (loaded.torn) clearTail(fd, bytes, loaded.end);
  const stamp = nextStamp(loaded.stamp, owner);
  const record = stampRecord(stamp);
  let allocated = bytes.length;
  if (loaded.end + record.length > allocated) {
    const size = grownSize(allocated, loaded.end + record.length);
    extend(fd, allocated, size);
    allocated = size;
  }
  writeAll(fd, record, loaded.end);
  fs.fdatasyncSync(fd);
  if (loaded.stamp === undefined) syncDirectory(dir);
  return new LogStore(dir, stamp, fd, loaded.index, loaded.live, loaded.end + record.length, allocated);
}
