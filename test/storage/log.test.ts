import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ForeignStateError, StorageError } from '../../src/runtime/storage';
import { LOG, openLogStore } from '../../src/storage/log';
import { owner, scratch, state } from './support';

const s = scratch();
afterEach(s.cleanup);
const open = async (dir: string, who = owner) => s.keep(await openLogStore(dir, who));

/** Where the records end: the log is preallocated with zeros after them. */
const recordsEnd = (bytes: Buffer): number => {
  let at = 0;
  while (at + 8 <= bytes.length && bytes.readUInt32LE(at) !== 0) at += 8 + bytes.readUInt32LE(at);
  return at;
};

describe('the register log', () => {
  test('the last tail record that was torn by a crash is skipped, the rest stands', async () => {
    const dir = s.dir();
    const store = await open(dir);
    await store.write(new Map([['a', state(1)]]));
    await store.close();
    const file = path.join(dir, LOG);
    const bytes = readFileSync(file);
    const end = recordsEnd(bytes);
    // Half of a record: its header claims more bytes than follow, as when the fsync never returned.
    const torn = Buffer.alloc(16);
    torn.writeUInt32LE(400, 0);
    torn.writeUInt32LE(0xdeadbeef, 4);
    torn.fill(7, 8);
    torn.copy(bytes, end);
    writeFileSync(file, bytes);
    const again = await open(dir);
    expect(await again.read('a')).toEqual(state(1));
    expect(again.incarnation).toBe(1);
    await again.write(new Map([['b', state(2)]]));
    await again.close();
    const third = await open(dir);
    expect(await third.read('b')).toEqual(state(2));
  });

  test('a damaged record with good records after it stops the open, naming the file and offset', async () => {
    const dir = s.dir();
    const store = await open(dir);
    await store.write(new Map([['a', state(1)]]));
    await store.write(new Map([['b', state(2)]]));
    await store.close();
    const file = path.join(dir, LOG);
    const bytes = readFileSync(file);
    // The first batch record follows the first life's stamp; the second batch follows it.
    const first = 8 + bytes.readUInt32LE(0);
    bytes[first + 12] = (bytes[first + 12] as number) ^ 0xff;
    writeFileSync(file, bytes);
    await expect(openLogStore(dir, owner)).rejects.toThrow(
      new RegExp(`${LOG}: record at offset ${first} fails its checksum`),
    );
    await expect(openLogStore(dir, owner)).rejects.toBeInstanceOf(StorageError);
  });

  test('a directory of another peer or cluster is refused', async () => {
    const dir = s.dir();
    await (await open(dir)).close();
    await expect(openLogStore(dir, { ...owner, peer: 3 })).rejects.toBeInstanceOf(ForeignStateError);
    await expect(openLogStore(dir, { ...owner, cluster: 'other' })).rejects.toThrow(
      /peer 2 of cluster c0ffee/,
    );
  });
});
