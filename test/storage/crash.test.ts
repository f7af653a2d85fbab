/**
 * Crash safety on a real disk: a child process writes random batches to a store and is
 * SIGKILLed at a random moment; the store is reopened here and every acknowledged write
 * must be there (crashModel.ts), the incarnation one higher. A few kills per candidate by
 * default, many with PAXOS_STORAGE_DEEP=1; PAXOS_STORAGE_SEED=N replays a run.
 *
 * SIGKILL loses the process, not the page cache, so a store that never fsyncs passes this
 * test; a power cut would be needed to catch it. What it does catch is a store that
 * acknowledges before it writes (the last test shows it, deterministically).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { mulberry32 } from '../../src/sim/prng';
import { candidates } from '../../src/storage/candidates';
import { openLogStore } from '../../src/storage/log';
import type { OpenStore } from '../../src/storage/store';
import { CrashModel, crashOwner } from './crashModel';
import { scratch } from './support';

const deep = process.env.PAXOS_STORAGE_DEEP === '1';
const seed = Number(process.env.PAXOS_STORAGE_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`crash test seed ${seed} (replay: PAXOS_STORAGE_SEED=${seed})`);
const KILLS: Record<string, number> = deep
  ? { log: 200, lmdb: 40, level: 40 }
  : { log: 6, lmdb: 2, level: 2 };

const s = scratch();
const children = new Set<ChildProcess>();
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  await s.cleanup();
});

/**
 * Runs one writer life: until it has been up `killAfterMs` (then SIGKILL), or until it dies
 * by itself (the die-after-ack modes). Every line it printed goes into the model.
 */
async function life(
  name: string,
  dir: string,
  model: CrashModel,
  lifeSeed: number,
  killAfterMs: number,
  mode?: string,
) {
  const args = [
    '--import',
    'tsx',
    'test/storage/crashChild.ts',
    name,
    dir,
    String(lifeSeed),
    String(model.nextSeq),
  ];
  const child = spawn(process.execPath, mode ? [...args, mode] : args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_, signal) => r(signal)));
  // Whole lines only: a line cut by the kill announced a write that had not started.
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() as string;
    for (const l of lines) {
      model.line(l);
      if (l === 'ready') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    }
  });
  // Only a kill ends a writer: an exit of its own is a failure of the store or of the test.
  expect(await exited).toBe('SIGKILL');
  children.delete(child);
}

async function reopenAndCheck(open: OpenStore, dir: string, model: CrashModel) {
  const store = s.keep(await open(dir, crashOwner));
  expect(await model.problems(store)).toEqual([]);
  if (model.incarnation >= 0) expect(store.incarnation).toBe(model.incarnation + 1);
  model.incarnation = store.incarnation;
  await store.close();
}

describe.each(candidates)('the $name store killed under load', ({ name, open }) => {
  test(
    `keeps every acknowledged write through ${KILLS[name]} kills (seed ${seed})`,
    async () => {
      const rng = mulberry32(seed);
      const dir = s.dir();
      const model = new CrashModel();
      for (let kill = 0; kill < (KILLS[name] as number); kill++) {
        await life(name, dir, model, rng.below(2 ** 31), rng.below(300));
        await reopenAndCheck(open, dir, model);
      }
      expect(model.acks).toBeGreaterThan(0);
    },
    60_000 + (KILLS[name] as number) * 5_000,
  );
});

describe('the crash check', () => {
  test('passes a store killed right after its first acknowledgement, and catches one that acknowledges before writing', async () => {
    const honest = new CrashModel();
    const dir = s.dir();
    await life('log', dir, honest, seed, 10_000, 'die-after-ack');
    await reopenAndCheck(openLogStore, dir, honest);
    expect(honest.acks).toBeGreaterThan(0);

    const faulty = new CrashModel();
    const other = s.dir();
    await life('log', other, faulty, seed, 10_000, 'ack-first');
    const store = s.keep(await openLogStore(other, crashOwner));
    expect((await faulty.problems(store)).join('\n')).toMatch(/acknowledged write \d+ lost/);
  });
});
