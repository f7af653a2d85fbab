/**
 * One worker thread of the parallel search (parallel.ts): it builds the model, keeps the
 * queue and parent records of the states it owns, and expands them a level at a time.
 * A state's ref is its local number * workers + the worker's index.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { buildModel } from './descriptor';
import type { FromWorker, ToWorker, WorkerBreach, WorkerInit } from './parallel';
import { ParentLog, StateQueue } from './spill';
import { SharedFingerprintTable } from './visited';

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

  let expanded = 0;
  const expandLevel = () => {
    while (pending || levelLeft > 0) {
      if (Atomics.load(control, 1) !== 0) return;
      if (!pending) {
        curLength = queue.shift(cur);
        curRef = refOf(expanded++);
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
    if (m.level === 0) {
      // Every worker offers the initial states; the table gives each to one of them.
      if (!resumed) model.initial(out, (n) => void (breach ? null : admit(-1, out, n)));
    } else {
      if (!resumed) {
        levelLeft = nextLevel;
        nextLevel = 0;
      }
      expandLevel();
    }
    port.postMessage({ type: 'level', added, transitions, full, truncated, breach } satisfies FromWorker);
  });
}

if (!isMainThread && (workerData as WorkerInit | undefined)?.paxosCheckWorker) run(workerData as WorkerInit);
