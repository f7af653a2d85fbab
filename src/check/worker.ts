/**
 * One worker thread of the parallel search (parallel.ts): it builds the model, keeps the
 * queue and parent records of the states it owns, and expands them a level at a time.
 * A state's ref is its local number * workers + the worker's index.
 *
 * States hold ids this thread interned, so they never move between workers. To start
 * every worker with a share of the work, each runs the same first levels alone (the same
 * code in the same order finds the same states under the same ids), until a level is
 * large enough to be dealt out: worker w keeps every W-th state of it. From there each
 * owns what it finds first.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { buildModel } from './descriptor';
import type { FromWorker, ToWorker, WorkerBreach, WorkerInit } from './parallel';
import { ParentLog, StateQueue } from './spill';
import { FingerprintSet, SharedFingerprintTable } from './visited';

/** The first level dealt out holds at least this many states per worker. */
const PREFIX_PER_WORKER = 256;

function run(init: WorkerInit): void {
  const port = parentPort;
  if (!port) return;
  const model = buildModel(init.descriptor);
  const W = init.workers;
  const me = init.index;
  const control = new Int32Array(init.control);
  let table = new SharedFingerprintTable(init.table, init.control);
  const queue = new StateQueue(16);
  const parents = new ParentLog(4);
  const L = model.maxLength;
  const cur = new Int32Array(L);
  const out = new Int32Array(L);
  const fp = new Int32Array(2);
  const refOf = (local: number) => local * W + me;

  /** States of the level being expanded still in the queue; the one being expanded, if a pause cut it. */
  let levelLeft = 0;
  let pending = false;
  let curLength = 0;
  let curRef = -1;
  let nextLevel = 0;
  let currentLevel = -1;

  let added = 0;
  let transitions = 0;
  let full = false;
  let truncated = false;
  let probing = false;
  let breach: WorkerBreach | null = null;

  const admit = (parent: number, s: Int32Array, n: number): boolean => {
    model.fingerprint(s, n, fp);
    if (probing || Atomics.load(control, 0) >= init.maxStates) {
      if (table.has(fp)) return false;
      truncated = true;
      return !probing;
    }
    const r = table.add(fp);
    if (r < 0) {
      full = true;
      return true;
    }
    if (r === 0) return false;
    parents.add(parent, fp[1] as number);
    queue.push(s, n);
    added++;
    nextLevel++;
    const bad = model.checkState(s, n);
    if (bad) {
      breach = { kind: 'state', ref: refOf(parents.size - 1), breach: bad };
      return true;
    }
    return false;
  };

  const visit = (step: number, n: number): boolean => {
    transitions++;
    const b = model.checkStep(cur, curLength, step, out, n);
    if (b) {
      breach = { kind: 'step', ref: curRef, breach: b };
      return true;
    }
    return admit(curRef, out, n);
  };

  /** The first levels, alone; returns the level of the states dealt out. */
  const prefix = (): number => {
    const seen = new FingerprintSet();
    const fps: number[] = [];
    let frontier: { s: Int32Array; ref: number }[] = [];
    const found = (parent: number, s: Int32Array, n: number, into: typeof frontier): boolean => {
      model.fingerprint(s, n, fp);
      if (!seen.add(fp)) return false;
      fps.push(fp[0] as number, fp[1] as number);
      parents.add(parent, fp[1] as number);
      const ref = refOf(parents.size - 1);
      expanded++;
      into.push({ s: s.slice(0, n), ref });
      const bad = model.checkState(s, n);
      if (bad) breach = { kind: 'state', ref, breach: bad };
      return breach !== null;
    };
    model.initial(out, (n) => void (breach ? null : found(-1, out, n, frontier)));
    let levels = 1;
    while (
      !breach &&
      frontier.length > 0 &&
      frontier.length < PREFIX_PER_WORKER * W &&
      levels < init.maxDepth
    ) {
      if (seen.size >= init.maxStates) {
        truncated = true;
        break;
      }
      const next: typeof frontier = [];
      for (const f of frontier) {
        cur.set(f.s);
        curLength = f.s.length;
        curRef = f.ref;
        const stutters = model.successors(cur, curLength, out, (step, n) => {
          transitions++;
          const b = model.checkStep(cur, curLength, step, out, n);
          if (b) {
            breach = { kind: 'step', ref: curRef, breach: b };
            return true;
          }
          return found(curRef, out, n, next);
        });
        transitions += stutters;
        if (breach) break;
      }
      if (next.length === 0) break;
      frontier = next;
      levels++;
    }
    for (let i = 0; i < fps.length; i += 2) {
      fp[0] = fps[i] as number;
      fp[1] = fps[i + 1] as number;
      table.add(fp);
    }
    // The states dealt out become this worker's queue, and their numbers its own again.
    const mine = frontier.filter((_, i) => i % W === me);
    nextLevel = 0;
    for (const f of mine) {
      queue.push(f.s, f.s.length);
      nextLevel++;
    }
    dealt = mine.map((f) => f.ref);
    added = me === 0 ? seen.size : 0;
    if (me !== 0) transitions = 0;
    return levels;
  };
  /** Refs of the dealt-out states, in queue order (their records were made in the prefix). */
  let dealt: number[] = [];

  let expanded = 0;
  const expandLevel = () => {
    while (pending || levelLeft > 0) {
      if (Atomics.load(control, 1) !== 0) return;
      if (!pending) {
        curLength = queue.shift(cur);
        const d = dealt.shift();
        curRef = d ?? refOf(expanded++);
        levelLeft--;
      }
      pending = false;
      const before = transitions;
      // Not `+=`: visit counts into `transitions` meanwhile.
      const stutters = model.successors(cur, curLength, out, visit);
      transitions += stutters;
      if (full) {
        // Expanded again after the table grows: its successors found so far are then known.
        transitions = before;
        pending = true;
        return;
      }
      if (breach || (truncated && !probing)) {
        Atomics.store(control, 1, 1);
        return;
      }
    }
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      queue.close();
      parents.close();
      return;
    }
    if (m.type === 'record') {
      const [parent, check] = parents.get(Math.floor(m.ref / W));
      port.postMessage({ type: 'record', parent, check } satisfies FromWorker);
      return;
    }
    if (m.table) table = new SharedFingerprintTable(m.table, init.control);
    added = 0;
    transitions = 0;
    full = false;
    probing = m.probing;
    // The coordinator sends a level again to resume it after growing the table.
    const resumed = m.level === currentLevel;
    currentLevel = m.level;
    let levels = 0;
    if (m.level === 0) {
      if (!resumed) levels = prefix();
    } else {
      if (!resumed) {
        levelLeft = nextLevel;
        nextLevel = 0;
      }
      expandLevel();
    }
    port.postMessage({
      type: 'level',
      added,
      transitions,
      full,
      truncated,
      breach,
      levels,
    } satisfies FromWorker);
  });
}

if (!isMainThread && (workerData as WorkerInit | undefined)?.paxosCheckWorker) run(workerData as WorkerInit);
