/**
 * The search with worker threads: each worker builds the model from its descriptor and
 * expands the states it discovered itself, level by level; a shared fingerprint table
 * (SharedArrayBuffer, compare-and-swap) decides which worker owns a new state. Fingerprints
 * are made of content hashes, so workers that interned things in different orders agree
 * on them. The coordinator (this thread) runs the levels, grows the table while every
 * worker waits, and rebuilds a trace from the workers' parent records by replay.
 */
import { Worker } from 'node:worker_threads';
import { buildModel, type ModelDescriptor } from './descriptor';
import type { Breach } from './model';
import type { Progress } from './result';
import { checkWord, collisionProbability, type SearchResult, traceByReplay } from './search';
import { SharedFingerprintTable } from './visited';

export interface ParallelOptions {
  workers: number;
  maxStates?: number;
  maxDepth?: number;
  expectedStates?: number;
  /**
   * The shared table's first capacity in slots; when given, the table grows only when it
   * fills, not ahead of a level (tests: the workers then pause in the middle of levels).
   */
  tableCapacity?: number;
  onProgress?: (p: Progress) => void;
  progressIntervalMs?: number;
}

/** Messages from a worker. */
export type FromWorker =
  | {
      type: 'level';
      added: number;
      transitions: number;
      full: boolean;
      truncated: boolean;
      breach: WorkerBreach | null;
      /** After step 0: the level of the states the workers were dealt (the levels run alone). */
      levels: number;
    }
  | { type: 'record'; parent: number; check: number }
  | { type: 'tally'; counts: Float64Array | null }
  | { type: 'closed' };

export interface WorkerBreach {
  kind: 'state' | 'step';
  /** The state's ref (state breach) or the expanded state's ref (step breach). */
  ref: number;
  breach: Breach;
}

/** Messages to a worker. */
export type ToWorker =
  | { type: 'level'; level: number; probing: boolean; table: SharedArrayBuffer | null }
  | { type: 'record'; ref: number }
  | { type: 'tally' }
  | { type: 'close' };

export interface WorkerInit {
  paxosCheckWorker: true;
  descriptor: ModelDescriptor;
  index: number;
  workers: number;
  table: SharedArrayBuffer;
  control: SharedArrayBuffer;
  maxStates: number;
  maxDepth: number;
}

/**
 * control cells: 0 slots used (the table's), STOP the stop flag, and from QUEUED one cell
 * per worker (a cache line apart) where it leaves its queue's length for the progress line.
 * Each thread reads the flag once a state; it sits a cache line away from the count the
 * threads add to.
 */
export const STOP = 16;
const QUEUED = 32;
const LINE = 16;
export const queuedCell = (worker: number) => QUEUED + LINE * worker;
const controlBytes = (workers: number) => 4 * (queuedCell(workers - 1) + 1);

function startWorker(workerData: WorkerInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./checkWorker.js', here), { workerData });
  // Under tsx (tests, benches) the worker is the TypeScript source, loaded through tsx's API.
  const api = import.meta.resolve('tsx/esm/api');
  const source = new URL('./worker.ts', here).href;
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(source)}, ${JSON.stringify(here)}))`;
  return new Worker(code, { eval: true, workerData });
}

class Channel {
  private waiting: { resolve: (m: FromWorker) => void; reject: (e: unknown) => void }[] = [];
  private inbox: FromWorker[] = [];
  private failure: unknown = null;
  constructor(readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      const w = this.waiting.shift();
      if (w) w.resolve(m);
      else this.inbox.push(m);
    });
    worker.on('error', (e) => {
      this.failure = e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    });
  }
  send(m: ToWorker): void {
    this.worker.postMessage(m);
  }
  next(): Promise<FromWorker> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
    });
  }
}

/** One worker per `options.workers`, each told its index and handed the shared table. */
function startChannels(
  descriptor: ModelDescriptor,
  options: ParallelOptions,
  table: SharedArrayBuffer,
  control: SharedArrayBuffer,
): Channel[] {
  const W = options.workers;
  return Array.from({ length: W }, (_, index) => {
    const workerData: WorkerInit = {
      paxosCheckWorker: true,
      descriptor,
      index,
      workers: W,
      table,
      control,
      maxStates: options.maxStates ?? 2 ** 31 - 1,
      maxDepth: options.maxDepth ?? Number.POSITIVE_INFINITY,
    };
    return new Channel(startWorker(workerData));
  });
}

/** The breach's trace: its chain of records, each from the worker that holds it, replayed. */
async function counterexample(
  descriptor: ModelDescriptor,
  channels: readonly Channel[],
  found: WorkerBreach,
): Promise<SearchResult['violations'][number]> {
  const W = channels.length;
  const checks: number[] = [];
  for (let ref = found.ref; ref >= 0; ) {
    const c = channels[ref % W] as Channel;
    c.send({ type: 'record', ref });
    const r = await c.next();
    if (r.type !== 'record') throw new Error('internal error: worker out of step');
    checks.push(r.check);
    ref = r.parent;
  }
  checks.reverse();
  const model = buildModel(descriptor);
  return {
    invariant: found.breach.invariant,
    trace: traceByReplay(
      model,
      checks,
      found.kind === 'step' ? found.breach.invariant : null,
      checkWord(model, false),
    ),
  };
}

/** What the workers' models counted (coverage), summed. */
async function sumTallies(channels: readonly Channel[]): Promise<Float64Array | undefined> {
  let tally: Float64Array | undefined;
  for (const c of channels) {
    c.send({ type: 'tally' });
    const r = await c.next();
    if (r.type !== 'tally') throw new Error('internal error: worker out of step');
    if (!r.counts) continue;
    if (!tally) tally = r.counts;
    else for (let i = 0; i < tally.length; i++) tally[i] = (tally[i] as number) + (r.counts[i] as number);
  }
  return tally;
}

function resultOf(
  descriptor: ModelDescriptor,
  r: {
    distinct: number;
    deepest: number;
    transitions: number;
    seconds: number;
    complete: boolean;
    violations: SearchResult['violations'];
    table: SharedFingerprintTable;
    tally: Float64Array | undefined;
  },
): SearchResult {
  return {
    model: descriptor.kind,
    distinctStates: r.distinct,
    depth: r.deepest,
    transitions: r.transitions,
    seconds: r.seconds,
    complete: r.complete,
    violations: r.violations,
    search: {
      visitedBytes: r.table.capacity * 8,
      parentBytes: 0,
      spilledBytes: 0,
      collisionProbability: collisionProbability(r.distinct, r.transitions),
    },
    visited: r.table,
    goals: [],
    ...(r.tally ? { tally: r.tally } : {}),
  };
}

export async function searchParallel(
  descriptor: ModelDescriptor,
  options: ParallelOptions,
): Promise<SearchResult> {
  const started = performance.now();
  const W = options.workers;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const control = new SharedArrayBuffer(controlBytes(W));
  const cells = new Int32Array(control);
  let table = SharedFingerprintTable.create(
    options.tableCapacity ?? Math.max(1 << 16, Math.ceil((options.expectedStates ?? 1 << 20) / 0.6)),
    control,
  );
  const channels = startChannels(descriptor, options, table.buffer, control);

  let transitions = 0;
  let deepest = 1;
  /** The level being expanded and the count before it: new states past that are one deeper. */
  let expanding = 0;
  let countBefore = 0;
  let truncated = false;
  let found: WorkerBreach | null = null;
  let lastAdded = 0;
  let newTable: SharedArrayBuffer | null = null;
  const progress = setInterval(() => {
    const distinctStates = Atomics.load(cells, 0);
    let queued = 0;
    for (let w = 0; w < W; w++) queued += Atomics.load(cells, queuedCell(w));
    options.onProgress?.({
      distinctStates,
      depth: expanding > 0 && distinctStates > countBefore ? expanding + 1 : deepest,
      queued,
      seconds: (performance.now() - started) / 1000,
    });
  }, options.progressIntervalMs ?? 2000);

  try {
    // Step 0: the levels each worker runs alone; then step L expands the states of level L.
    for (let expand = 0; ; expand++) {
      const probing = expand >= maxDepth;
      let added = 0;
      let full = false;
      if (expand !== expanding) countBefore = Atomics.load(cells, 0);
      expanding = expand;
      for (const c of channels) c.send({ type: 'level', level: expand, probing, table: newTable });
      newTable = null;
      const replies = await Promise.all(channels.map((c) => c.next()));
      for (const r of replies) {
        if (r.type !== 'level') throw new Error('internal error: worker out of step');
        added += r.added;
        transitions += r.transitions;
        full ||= r.full;
        truncated ||= r.truncated;
        if (r.breach && !found) found = r.breach;
      }
      // A level that filled the table is resumed after the table grows; its states stay theirs.
      if (full) {
        table = table.grown(Math.ceil(table.capacity * 2));
        newTable = table.buffer;
        expand--;
        lastAdded += added;
        continue;
      }
      added += lastAdded;
      lastAdded = 0;
      if (expand === 0) {
        deepest = replies[0]?.type === 'level' ? replies[0].levels : 1;
        expand = deepest - 1;
      } else if (added > 0) deepest = expand + 1;
      if (found || truncated || added === 0) break;
      // Room for a next level twice this one, so pauses stay rare and the table near full.
      if (options.tableCapacity === undefined && Atomics.load(cells, 0) + 2 * added > table.limit) {
        table = table.grown(Math.ceil((Atomics.load(cells, 0) + 2 * added) / 0.75));
        newTable = table.buffer;
      }
    }
    const distinct = Atomics.load(cells, 0);
    const violations: SearchResult['violations'] = found
      ? [await counterexample(descriptor, channels, found)]
      : [];
    const tally = await sumTallies(channels);
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({ distinctStates: distinct, depth: deepest, queued: 0, seconds });
    const complete = !truncated && !found;
    return resultOf(descriptor, {
      distinct,
      deepest,
      transitions,
      seconds,
      complete,
      violations,
      table,
      tally,
    });
  } finally {
    clearInterval(progress);
    for (const c of channels) c.send({ type: 'close' });
    await Promise.all(channels.map((c) => c.worker.terminate()));
  }
}
