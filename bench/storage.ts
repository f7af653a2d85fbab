/**
 * The register store's candidates (src/storage/candidates.ts) on this machine's disk, each
 * batch durable before the next starts, as a peer's group commit waits for it: batches of 1,
 * 16 and 128 acceptor states of about 200 bytes, 16 states of 64 KiB values (the contract's
 * largest), and 8 callers each writing batches of 16 (what a store shares between callers).
 * Each workload runs several times on one store after a warm-up run; a row gives the median
 * of the runs' median batch latencies and keys/s, with their min-max.
 *
 * Then reads of cold keys: a store of KEYS keys is closed and reopened (nothing of it in the
 * process; the OS page cache may still hold the file, there is no dropping it without root),
 * and READS random keys are read once each. The reopen's time is a row too (the log scans
 * its file), and for the log the heap its index costs per key.
 *
 *   flock /tmp/paxos-bench.lock npm run bench:storage
 *   BENCH_RUNS=9 BENCH_KEYS=100000 flock /tmp/paxos-bench.lock npm run bench:storage
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AcceptorDurable } from '../machines/acceptor';
import { candidates } from '../src/storage/candidates';
import type { RegisterStore, StoreOwner } from '../src/storage/store';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** A run ends after this many batches or this many ms, whichever comes first. */
const RUN_BATCHES = 200;
const RUN_MS = 400;
const KEYS = Number(process.env.BENCH_KEYS ?? 20_000);
const READS = 2_000;
const KEYSPACE = 10_000;
const owner: StoreOwner = { cluster: 'bench', peer: 1 };

const workloads = [
  { name: '1 key', size: 1, valueBytes: 150 },
  { name: '16 keys', size: 16, valueBytes: 150 },
  { name: '128 keys', size: 128, valueBytes: 150 },
  { name: '16 keys of 64 KiB', size: 16, valueBytes: 64 * 1024 },
  // Eight callers each waiting for its own batch of 16: what a store shares between them.
  { name: '8 writers × 16 keys', size: 16, valueBytes: 150, writers: 8 },
];

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[xs.length >> 1] as number;
const spread = (xs: number[], digits: number) => {
  const s = sorted(xs);
  return `${median(xs).toFixed(digits)} (${(s[0] as number).toFixed(digits)}-${(s.at(-1) as number).toFixed(digits)})`;
};
const scratchDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'paxos-bench-storage-'));

let serial = 0;
const acceptorState = (valueBytes: number): AcceptorDurable => {
  serial++;
  return { minProposal: serial, acceptedProposal: serial, acceptedValue: 'v'.repeat(valueBytes) };
};
const batchOf = (size: number, valueBytes: number): Map<string, AcceptorDurable> => {
  const batch = new Map<string, AcceptorDurable>();
  while (batch.size < size)
    batch.set(`key-${Math.floor(Math.random() * KEYSPACE)}`, acceptorState(valueBytes));
  return batch;
};

/** One run: its median batch latency (ms) and keys made durable per second. */
async function run(
  store: RegisterStore,
  { size, valueBytes, writers = 1 }: (typeof workloads)[number],
): Promise<{ ms: number; rate: number }> {
  const latencies: number[] = [];
  const start = performance.now();
  const writer = async () => {
    while (latencies.length < RUN_BATCHES * writers && performance.now() - start < RUN_MS) {
      const batch = batchOf(size, valueBytes);
      const t = performance.now();
      await store.write(batch);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  const elapsed = (performance.now() - start) / 1000;
  return { ms: median(latencies), rate: (latencies.length * size) / elapsed };
}

async function writes(
  name: string,
  open: (dir: string, o: StoreOwner) => Promise<RegisterStore>,
): Promise<void> {
  for (const w of workloads) {
    const dir = scratchDir();
    const store = await open(dir, owner);
    try {
      await run(store, w);
      const runs: { ms: number; rate: number }[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await run(store, w));
      const ms = spread(
        runs.map((r) => r.ms),
        2,
      );
      const rate = spread(
        runs.map((r) => r.rate),
        0,
      );
      console.log(`| ${name} | ${w.name} | ${ms} | ${rate} |`);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** A store of KEYS keys, written in batches of 128. */
async function fill(
  open: (dir: string, o: StoreOwner) => Promise<RegisterStore>,
  dir: string,
): Promise<void> {
  const store = await open(dir, owner);
  for (let k = 0; k < KEYS; k += 128) {
    const batch = new Map<string, AcceptorDurable>();
    for (let i = k; i < Math.min(KEYS, k + 128); i++) batch.set(`cold-${i}`, acceptorState(150));
    await store.write(batch);
  }
  await store.close();
}

const heap = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};

async function coldReads(
  name: string,
  open: (dir: string, o: StoreOwner) => Promise<RegisterStore>,
): Promise<void> {
  const dir = scratchDir();
  try {
    await fill(open, dir);
    const opens: number[] = [];
    const reads: number[] = [];
    const heaps: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const before = heap();
      const t = performance.now();
      const store = await open(dir, owner);
      opens.push(performance.now() - t);
      heaps.push((heap() - before) / KEYS);
      const r = performance.now();
      for (let j = 0; j < READS; j++) await store.read(`cold-${Math.floor(Math.random() * KEYS)}`);
      reads.push(((performance.now() - r) * 1000) / READS);
      await store.close();
    }
    console.log(`| ${name} | ${spread(opens, 1)} | ${spread(reads, 1)} | ${spread(heaps, 0)} |`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fdatasync = promisify(fs.fdatasync);

/**
 * The disk's floor: one append of an acceptor state's size and one fdatasync, nothing else,
 * blocking the main thread (as the lab peer does) and on libuv's pool (as the stores do).
 */
async function floor(): Promise<string> {
  const dir = scratchDir();
  const fd = fs.openSync(path.join(dir, 'probe'), 'w');
  try {
    fs.writeSync(fd, Buffer.alloc(1024 * 1024));
    fs.fsyncSync(fd);
    const blocking: number[] = [];
    const pooled: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      fs.writeSync(fd, Buffer.alloc(200, 1), 0, 200, i * 200);
      if (i % 2 === 0) fs.fdatasyncSync(fd);
      else await fdatasync(fd);
      (i % 2 === 0 ? blocking : pooled).push(performance.now() - t);
    }
    return `blocking ${spread(blocking, 3)}, on the pool ${spread(pooled, 3)}`;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `# bench:storage, ${new Date().toISOString().slice(0, 10)}, ${RUNS} runs each, node ${process.version}`,
);
console.log(`disk floor (200-byte write + fdatasync into allocated blocks), ms: ${await floor()}\n`);
console.log('| store | batch | batch latency, ms: median (min-max of runs) | keys/s: median (min-max) |');
console.log('|---|---|---|---|');
const chosen = candidates.filter(
  (c) => !process.env.BENCH_STORES || process.env.BENCH_STORES.split(',').includes(c.name),
);
for (const c of chosen) await writes(c.name, c.open);
console.log(`\n${KEYS} keys written, store closed, reopened; ${READS} random reads after each reopen:\n`);
console.log('| store | reopen, ms | cold read, µs | heap after reopen, bytes per key |');
console.log('|---|---|---|---|');
for (const c of chosen) await coldReads(c.name, c.open);
