import { afterEach, describe, expect, test } from 'vitest';
import { ForeignStateError } from '../../src/runtime/storage';
import { candidates } from '../../src/storage/candidates';
import { openStore } from '../../src/storage/index';
import { owner, scratch, state } from './support';

const s = scratch();
afterEach(s.cleanup);

describe.each(candidates)('the $name store', ({ open: openStore }) => {
  const open = async (dir: string, who = owner) => s.keep(await openStore(dir, who));

  test('what a batch wrote is read back, after a reopen too', async () => {
    const dir = s.dir();
    const store = await open(dir);
    expect(store.incarnation).toBe(0);
    expect(await store.read('k')).toBeUndefined();
    const batch = new Map([
      ['k', state(3)],
      ['clé ✓', state(5, null)],
      ['big', state(7, 'x'.repeat(64 * 1024))],
    ]);
    await store.write(batch);
    await store.write(new Map([['k', state(4)]]));
    for (const [k, v] of batch) if (k !== 'k') expect(await store.read(k)).toEqual(v);
    expect(await store.read('k')).toEqual(state(4));
    await store.close();
    const again = await open(dir);
    expect(await again.read('k')).toEqual(state(4));
    expect(await again.read('big')).toEqual(batch.get('big'));
  });

  test('the incarnation goes up by one each life', async () => {
    const dir = s.dir();
    for (let life = 0; life < 3; life++) {
      const store = await open(dir);
      expect(store.incarnation).toBe(life);
      await store.close();
    }
  });

  test('writes made at once are all durable when each resolves', async () => {
    const dir = s.dir();
    const store = await open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.write(new Map([[`k${i % 7}`, state(i)]]))));
    await store.close();
    const again = await open(dir);
    // The last of the 20 writes to each key wins: i = 13..19 hit k = 6, 0, 1, ..., 5.
    for (let i = 13; i < 20; i++) expect(await again.read(`k${i % 7}`)).toEqual(state(i));
  });

  test('a directory of another peer or cluster is refused', async () => {
    const dir = s.dir();
    await (await open(dir)).close();
    await expect(openStore(dir, { ...owner, peer: 9 })).rejects.toBeInstanceOf(ForeignStateError);
  });
});

test('the store a peer opens is one of the measured candidates', () => {
  expect(candidates.map((c) => c.open)).toContain(openStore);
});
