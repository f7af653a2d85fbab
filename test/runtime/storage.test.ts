import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createPeerLogic, type PeerDurable } from '../../src/peer/node';
import {
  DurableStore,
  encodeRecord,
  ForeignStateError,
  LOG_BYTES,
  LOG_FILE,
  StorageError,
  scanLog,
} from '../../src/runtime/storage';
import { testcase1, testcase2 } from '../support/clusters';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paxos-storage-test-'));
  dirs.push(dir);
  return path.join(dir, 'peer2');
};
const stores: DurableStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const peer2 = testcase1.peers[1] as (typeof testcase1.peers)[number];
const open = (dir: string, cluster = testcase1, peer = peer2) => {
  const opened = DurableStore.open(dir, cluster, peer);
  stores.push(opened.store);
  return opened;
};
const acceptor = (
  minProposal: number,
  acceptedProposal = 0,
  acceptedValue: string | null = null,
): PeerDurable => ({
  proposers: {},
  acceptor: { minProposal, acceptedProposal, acceptedValue },
});

describe('durable store: an append-only log, one write and one fdatasync a save', () => {
  test('a fresh directory holds nothing; a saved state comes back whole', () => {
    const dir = freshDir();
    const first = open(dir);
    expect(first.durable).toBeUndefined();
    const logic = createPeerLogic(testcase1);
    const state = logic.step(2, logic.init(2), {
      type: 'deliver',
      message: { type: 'accept', from: 1, group: 1, n: 4, value: 'X' },
    }).state;
    first.store.save(logic.durable(state));
    first.store.close();
    stores.splice(0);
    const again = open(dir);
    expect(again.durable).toEqual({
      proposers: {},
      acceptor: { minProposal: 4, acceptedProposal: 4, acceptedValue: 'X' },
      learner: { learned: null },
    });
    expect(readdirSync(dir)).toEqual([LOG_FILE]);
  });

  test('the last record is the state; each save adds exactly one record, in a file that does not grow', () => {
    const dir = freshDir();
    const { store } = open(dir);
    const records = () => scanLog(readFileSync(store.file), store.file).payloads.length;
    expect(records()).toBe(1);
    for (const n of [1, 3, 5]) store.save(acceptor(n));
    expect(records()).toBe(4);
    expect(statSync(store.file).size).toBe(LOG_BYTES);
    expect(open(dir).durable).toEqual(acceptor(5));
  });

  test('state left by another cluster or another peer is refused, not reused', () => {
    const dir = freshDir();
    open(dir).store.save(acceptor(1));
    expect(() => open(dir, testcase2, testcase2.peers[1] as typeof peer2)).toThrow(ForeignStateError);
    expect(() => open(dir, testcase2, testcase2.peers[1] as typeof peer2)).toThrow(
      /another cluster.*remove it or use a fresh --data-dir for a new run/,
    );
    expect(() => open(dir, testcase1, testcase1.peers[2] as typeof peer2)).toThrow(StorageError);
  });

  test('a save torn at any byte is discarded, and the state before it stands', () => {
    const dir = freshDir();
    const { store } = open(dir);
    store.save(acceptor(1));
    store.save(acceptor(3, 3, 'X'));
    const file = readFileSync(store.file);
    const end = scanLog(file, store.file).end;
    const whole = file.subarray(0, end);
    const last = encodeRecord(acceptor(3, 3, 'X')).length;
    store.close();
    stores.splice(0);
    for (let cut = whole.length - last + 1; cut < whole.length; cut++) {
      // As a crash leaves it: the first bytes of the record written, zeros after them.
      const torn = Buffer.alloc(LOG_BYTES);
      whole.copy(torn, 0, 0, cut);
      writeFileSync(path.join(dir, LOG_FILE), torn);
      const again = open(dir);
      expect(again.durable, `cut at ${cut}`).toEqual(acceptor(1));
      expect(again.tornBytes).toBeGreaterThan(0);
      // The torn tail is cut off, so the next save follows the good records.
      again.store.save(acceptor(5));
      again.store.close();
      stores.splice(0);
      expect(open(dir).durable).toEqual(acceptor(5));
      stores.splice(0)[0]?.close();
    }
  });

  test('a last record whose checksum fails (its sectors written out of order) is a torn write', () => {
    const dir = freshDir();
    const { store } = open(dir);
    store.save(acceptor(1));
    store.save(acceptor(3));
    const bytes = readFileSync(store.file);
    const end = scanLog(bytes, store.file).end;
    bytes.writeUInt8((bytes.at(end - 2) ?? 0) ^ 0xff, end - 2);
    writeFileSync(store.file, bytes);
    expect(open(dir).durable).toEqual(acceptor(1));
  });

  test('a damaged record with records after it stops the peer, naming the file and offset', () => {
    const dir = freshDir();
    const { store } = open(dir);
    store.save(acceptor(1));
    const offset = scanLog(readFileSync(store.file), store.file).end;
    store.save(acceptor(3));
    store.save(acceptor(5));
    const bytes = readFileSync(store.file);
    bytes.writeUInt8((bytes.at(offset + 12) ?? 0) ^ 0xff, offset + 12);
    writeFileSync(store.file, bytes);
    expect(() => open(dir)).toThrow(
      new RegExp(
        `${LOG_FILE.replace('.', '\\.')}: record at offset ${offset} fails its checksum and a good record follows`,
      ),
    );
  });

  test('bad field types in a stored state are refused', () => {
    const dir = freshDir();
    const { store } = open(dir);
    const header = readFileSync(store.file).subarray(0, scanLog(readFileSync(store.file), store.file).end);
    store.close();
    stores.splice(0);
    const bad = { proposers: {}, acceptor: { minProposal: '1', acceptedProposal: 0, acceptedValue: null } };
    writeFileSync(path.join(dir, LOG_FILE), Buffer.concat([header, encodeRecord(bad)]));
    expect(() => open(dir)).toThrow(/record at offset \d+: bad acceptor state/);
  });

  test("an older version's state.json is not silently forgotten", () => {
    const dir = freshDir();
    open(dir);
    writeFileSync(path.join(dir, 'state.json'), '{}');
    expect(() => open(dir)).toThrow(/state\.json was written by an older version/);
  });

  test('a full log is compacted to the header and the current state', () => {
    const dir = freshDir();
    const { store } = open(dir);
    for (let n = 1; n <= 3000; n++) store.save(acceptor(n));
    expect(statSync(store.file).size).toBe(LOG_BYTES);
    expect(scanLog(readFileSync(store.file), store.file).payloads.length).toBeLessThan(3000);
    expect(readdirSync(dir)).toEqual([LOG_FILE]);
    expect(open(dir).durable).toEqual(acceptor(3000));
  });

  test('a file cut inside the header record counts as fresh', () => {
    const dir = freshDir();
    const { store } = open(dir);
    store.close();
    stores.splice(0);
    truncateSync(path.join(dir, LOG_FILE), 5);
    const again = open(dir);
    expect(again.durable).toBeUndefined();
    again.store.save(acceptor(2));
    expect(open(dir).durable).toEqual(acceptor(2));
  });
});
