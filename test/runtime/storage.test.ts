import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createPeerLogic } from '../../src/peer/node';
import { DurableStore, StorageError } from '../../src/runtime/storage';
import { testcase1, testcase2 } from '../support/clusters';

const dirs: string[] = [];
const freshDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-storage-test-'));
  dirs.push(dir);
  return path.join(dir, 'peer2');
};
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const peer2 = testcase1.peers[1] as (typeof testcase1.peers)[number];

describe('durable store', () => {
  test('a fresh directory holds nothing; a saved state comes back whole', async () => {
    const dir = await freshDir();
    const first = await DurableStore.open(dir, testcase1, peer2);
    expect(first.durable).toBeUndefined();
    const logic = createPeerLogic(testcase1);
    const state = logic.step(2, logic.init(2), {
      type: 'deliver',
      message: { type: 'accept', from: 1, group: 1, n: 4, value: 'X' },
    }).state;
    await first.store.save(logic.durable(state));
    const again = await DurableStore.open(dir, testcase1, peer2);
    expect(again.durable).toEqual({
      proposers: {},
      acceptor: { minProposal: 4, acceptedProposal: 4, acceptedValue: 'X' },
      learner: { learned: null },
    });
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  test('state left by another cluster or another peer is refused, not reused', async () => {
    const dir = await freshDir();
    const { store } = await DurableStore.open(dir, testcase1, peer2);
    await store.save({
      proposers: {},
      acceptor: { minProposal: 1, acceptedProposal: 0, acceptedValue: null },
    });
    await expect(DurableStore.open(dir, testcase2, testcase2.peers[1] as typeof peer2)).rejects.toThrow(
      /another cluster/,
    );
    await expect(DurableStore.open(dir, testcase1, testcase1.peers[2] as typeof peer2)).rejects.toThrow(
      StorageError,
    );
  });

  test('a corrupt state file stops the peer instead of forgetting its promises', async () => {
    const dir = await freshDir();
    const { store } = await DurableStore.open(dir, testcase1, peer2);
    await store.save({ proposers: {} });
    const file = path.join(dir, 'state.json');
    await writeFile(file, '{"format":1,');
    await expect(DurableStore.open(dir, testcase1, peer2)).rejects.toThrow(/not JSON/);
  });

  test('bad field types in a stored state are refused', async () => {
    const dir = await freshDir();
    const { store } = await DurableStore.open(dir, testcase1, peer2);
    await store.save({
      proposers: {},
      acceptor: { minProposal: 1, acceptedProposal: 0, acceptedValue: null },
    });
    const file = path.join(dir, 'state.json');
    const stored = JSON.parse(await readFile(file, 'utf8'));
    stored.durable.acceptor.minProposal = '1';
    await writeFile(file, JSON.stringify(stored));
    await expect(DurableStore.open(dir, testcase1, peer2)).rejects.toThrow(/bad acceptor state/);
  });

  test('an interrupted save (a leftover temporary file) is discarded; the last complete state stands', async () => {
    const dir = await freshDir();
    const { store } = await DurableStore.open(dir, testcase1, peer2);
    const durable = { proposers: {}, acceptor: { minProposal: 3, acceptedProposal: 0, acceptedValue: null } };
    await store.save(durable);
    await writeFile(path.join(dir, 'state.json.tmp'), '{"half');
    const again = await DurableStore.open(dir, testcase1, peer2);
    expect(again.durable).toEqual(durable);
    expect(await readdir(dir)).toEqual(['state.json']);
  });
});
