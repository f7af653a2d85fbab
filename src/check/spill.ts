/**
 * What the search keeps per state beyond the visited set, in chunks that go to a
 * temporary file once memory holds enough of them: the breadth-first queue (a FIFO of
 * states, read back in order) and the parent records (per state in discovery order: the
 * record of the state it was reached from, and a check word that tells which successor
 * it was). Neither is ever searched, so a file read back sequentially or by offset is as
 * good as memory, and the only per-state memory that must stay is the visited set.
 */

/**
 * Node's file system, reached for when a first chunk goes to a file rather than imported:
 * the same search runs in the explorer's Web Worker (src/explorer/search.ts), where there is
 * no file system and whose bounds keep every chunk in memory.
 */
function fileSystem() {
  const host = (globalThis as { process?: NodeJS.Process }).process;
  if (!host?.getBuiltinModule)
    throw new Error('the search outgrew its memory where there is no file to spill to');
  return {
    fs: host.getBuiltinModule('node:fs'),
    os: host.getBuiltinModule('node:os'),
    path: host.getBuiltinModule('node:path'),
  };
}

class SpillFile {
  private fd = -1;
  private dir = '';
  private end = 0;
  private files: ReturnType<typeof fileSystem> | null = null;

  write(chunk: Int32Array, ints: number): number {
    if (this.fd < 0) {
      this.files = fileSystem();
      const { fs, os, path } = this.files;
      this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paxos-check-'));
      this.fd = fs.openSync(path.join(this.dir, 'spill'), 'w+');
    }
    const at = this.end;
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, 4 * ints);
    let done = 0;
    const { writeSync } = (this.files as ReturnType<typeof fileSystem>).fs;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, at + done);
    this.end += bytes.length;
    return at;
  }

  read(at: number, out: Int32Array, ints: number): void {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, 4 * ints);
    let done = 0;
    const { readSync } = (this.files as ReturnType<typeof fileSystem>).fs;
    while (done < bytes.length) done += readSync(this.fd, bytes, done, bytes.length - done, at + done);
  }

  get bytesOnDisk(): number {
    return this.end;
  }

  close(): void {
    if (this.fd >= 0) {
      const { fs } = this.files as ReturnType<typeof fileSystem>;
      fs.closeSync(this.fd);
      fs.rmSync(this.dir, { recursive: true, force: true });
      this.fd = -1;
    }
  }
}

const QUEUE_CHUNK = 1 << 20;

/** A FIFO of int records ([length, ...ints]); at most `memoryChunks` chunks of 4 MiB stay in memory. */
export class StateQueue {
  private readonly chunks: { data: Int32Array | null; at: number; ints: number }[] = [];
  private tail = new Int32Array(QUEUE_CHUNK);
  private tailUsed = 0;
  private head: Int32Array | null = null;
  private headUsed = 0;
  private headEnd = 0;
  private inMemory = 0;
  private readonly file = new SpillFile();
  length = 0;

  constructor(private readonly memoryChunks = 32) {}

  /** Appends s[0..length), then `tag` if given (the record is then one int longer). */
  push(s: Int32Array, length: number, tag?: number): void {
    const ints = tag === undefined ? length : length + 1;
    if (this.tailUsed + ints + 1 > QUEUE_CHUNK) this.seal();
    const t = this.tail;
    t[this.tailUsed++] = ints;
    for (let i = 0; i < length; i++) t[this.tailUsed + i] = s[i] as number;
    if (tag !== undefined) t[this.tailUsed + length] = tag;
    this.tailUsed += ints;
    this.length++;
  }

  /** Copies the oldest record into out and removes it; returns its length. */
  shift(out: Int32Array): number {
    if (this.head === null || this.headUsed === this.headEnd) this.nextHead();
    const h = this.head as Int32Array;
    const length = h[this.headUsed++] as number;
    for (let i = 0; i < length; i++) out[i] = h[this.headUsed + i] as number;
    this.headUsed += length;
    this.length--;
    return length;
  }

  get bytesOnDisk(): number {
    return this.file.bytesOnDisk;
  }

  close(): void {
    this.file.close();
  }

  private seal(): void {
    const chunk = { data: this.tail as Int32Array | null, at: 0, ints: this.tailUsed };
    if (this.inMemory >= this.memoryChunks) {
      chunk.at = this.file.write(this.tail, this.tailUsed);
      chunk.data = null;
    } else {
      this.inMemory++;
      this.tail = new Int32Array(QUEUE_CHUNK);
    }
    this.chunks.push(chunk);
    this.tailUsed = 0;
  }

  private nextHead(): void {
    const next = this.chunks.shift();
    if (next === undefined) {
      // The records still in the tail chunk: take them over as the head.
      this.head = this.tail.slice(0, this.tailUsed);
      this.headUsed = 0;
      this.headEnd = this.tailUsed;
      this.tailUsed = 0;
      return;
    }
    if (next.data) {
      this.inMemory--;
      this.head = next.data;
    } else {
      const data = this.head && this.head.length === QUEUE_CHUNK ? this.head : new Int32Array(QUEUE_CHUNK);
      this.file.read(next.at, data, next.ints);
      this.head = data;
    }
    this.headUsed = 0;
    this.headEnd = next.ints;
  }
}

const RECORD_BITS = 20;
const RECORDS = 1 << RECORD_BITS;

/** Two ints per state in discovery order: the parent's number (-1: initial) and a check word. */
export class ParentLog {
  private readonly chunks: (Int32Array | null)[] = [];
  private readonly offsets: number[] = [];
  private readonly file = new SpillFile();
  private inMemory = 0;
  private readBuffer = new Int32Array(2 * RECORDS);
  private readChunk = -1;
  size = 0;

  constructor(private readonly memoryChunks = 16) {}

  add(parent: number, check: number): void {
    const c = this.size >>> RECORD_BITS;
    if (c === this.chunks.length) {
      const full = this.chunks[c - 1];
      if (full && this.inMemory >= this.memoryChunks) {
        this.offsets[c - 1] = this.file.write(full, 2 * RECORDS);
        this.chunks[c - 1] = null;
        this.inMemory--;
        this.chunks.push(full);
      } else this.chunks.push(new Int32Array(2 * RECORDS));
      this.inMemory++;
    }
    const chunk = this.chunks[c] as Int32Array;
    const at = 2 * (this.size & (RECORDS - 1));
    chunk[at] = parent;
    chunk[at + 1] = check;
    this.size++;
  }

  /** [parent, check] of state `index`. */
  get(index: number): [number, number] {
    const c = index >>> RECORD_BITS;
    let chunk = this.chunks[c];
    if (!chunk) {
      if (this.readChunk !== c) {
        this.file.read(this.offsets[c] as number, this.readBuffer, 2 * RECORDS);
        this.readChunk = c;
      }
      chunk = this.readBuffer;
    }
    const at = 2 * (index & (RECORDS - 1));
    return [chunk[at] as number, chunk[at + 1] as number];
  }

  /** Bytes of records held in memory. */
  get bytes(): number {
    return this.inMemory * 8 * RECORDS;
  }

  get bytesOnDisk(): number {
    return this.file.bytesOnDisk;
  }

  close(): void {
    this.file.close();
  }
}
