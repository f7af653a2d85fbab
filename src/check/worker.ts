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
import { isMainThread, type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { buildModel } from './descriptor';
import {
  type FromWorker,
  queuedCell,
  STOP,
  type ToWorker,
  type WorkerBreach,
  type WorkerInit,
} from './parallel';
import { Explorer } from './search';
import { FingerprintSet, FULL, SharedFingerprintTable } from './visited';

/** The first level dealt out holds at least this many states per worker. */
const PREFIX_PER_WORKER = 256;

/** Every message but a level: close, the model's tally, or one parent record. */
function answer(
  m: Exclude<ToWorker, { type: 'level' }>,
  port: MessagePort,
  explorer: Explorer,
  model: ReturnType<typeof buildModel>,
  W: number,
): void {
  if (m.type === 'close') {
    explorer.queue.close();
    explorer.parents.close();
    return;
  }
  if (m.type === 'tally') {
    model.explored?.();
    port.postMessage({ type: 'tally', counts: model.tally?.read() ?? null } satisfies FromWorker);
    return;
  }
  const [parent, check] = explorer.parents.get(Math.floor(m.ref / W));
  port.postMessage({ type: 'record', parent, check } satisfies FromWorker);
}

/** The explorer's breach, its state or step named by this worker's ref. */
const workerBreach = (b: Explorer['breach']): WorkerBreach | null =>
  b
    ? b.kind === 'state'
      ? { kind: 'state', ref: b.index, breach: b.breach }
      : { kind: 'step', ref: b.parent, breach: b.breach }
    : null;

/** This worker's explorer: its refs interleave with the other workers', and it stops when told. */
function workerExplorer(
  init: WorkerInit,
  model: ReturnType<typeof buildModel>,
  own: FingerprintSet,
  control: Int32Array,
): Explorer {
  const W = init.workers;
  const me = init.index;
  const explorer: Explorer = new Explorer(model, own, {
    maxStates: init.maxStates,
    exact: false,
    refOf: (local) => local * W + me,
    queueMemoryChunks: 16,
    parentMemoryChunks: 4,
    stopped: () => Atomics.load(control, STOP) !== 0,
    // Every 1,024 states: what the coordinator's progress line says is queued.
    tick: () => Atomics.store(control, queuedCell(me), explorer.queued),
  });
  return explorer;
}

function run(init: WorkerInit): void {
  const port = parentPort;
  if (!port) return;
  const model = buildModel(init.descriptor);
  const W = init.workers;
  const me = init.index;
  const control = new Int32Array(init.control);
  let table = new SharedFingerprintTable(init.table, init.control);
  // The first levels go into a set of this worker's own; every worker runs them alike.
  const own = new FingerprintSet();
  const explorer = workerExplorer(init, model, own, control);
  let currentLevel = -1;

  /** Levels run alone (once), -1 before. */
  let prefixLevels = -1;

  /**
   * The first levels, alone, then their states into the shared table and this worker's
   * share of the last one kept. False when the table filled first: it is grown and this is
   * called again (the levels are not run again).
   */
  const prefix = (): boolean => {
    if (prefixLevels < 0) {
      explorer.seed();
      prefixLevels = 1;
      while (
        !explorer.breach &&
        explorer.queued > 0 &&
        explorer.queued < PREFIX_PER_WORKER * W &&
        prefixLevels < init.maxDepth
      ) {
        explorer.beginLevel();
        if (explorer.expandLevel() !== 'done' || explorer.queued === 0) break;
        prefixLevels++;
      }
    }
    let full = false;
    own.forEach((fp) => {
      if (!full && table.add(fp) === FULL) full = true;
    });
    table.publish();
    if (full) return false;
    // The states dealt out become this worker's share of the next level to expand.
    explorer.keepShare(W, me);
    explorer.store = table;
    if (me !== 0) {
      explorer.added = 0;
      explorer.transitions = 0;
      model.tally?.clear();
    }
    return true;
  };

  port.on('message', (m: ToWorker) => {
    if (m.type !== 'level') {
      answer(m, port, explorer, model, W);
      return;
    }
    if (m.table) {
      table = new SharedFingerprintTable(m.table, init.control);
      // After the first levels the explorer works on the shared table, now this one.
      if (explorer.store !== own) explorer.store = table;
    }
    // The coordinator sends a level again to resume it after growing the table.
    const resumed = m.level === currentLevel;
    currentLevel = m.level;
    let levels = 0;
    let full = false;
    explorer.probing = m.probing;
    if (m.level === 0) {
      full = !prefix();
      levels = prefixLevels;
    } else {
      explorer.added = 0;
      explorer.transitions = 0;
      if (!resumed) explorer.beginLevel();
      full = explorer.expandLevel() === 'full';
      if (explorer.breach || (explorer.truncated && !explorer.probing)) Atomics.store(control, STOP, 1);
    }
    // The coordinator reads the shared count between levels: it must be exact then.
    table.publish();
    Atomics.store(control, queuedCell(me), explorer.queued);
    const breach = workerBreach(explorer.breach);
    // The first levels' counts go with the reply that ends them.
    const counted = !(full && m.level === 0);
    port.postMessage({
      type: 'level',
      added: counted ? explorer.added : 0,
      transitions: counted ? explorer.transitions : 0,
      full,
      truncated: explorer.truncated,
      breach,
      levels,
    } satisfies FromWorker);
  });
}

if (!isMainThread && (workerData as WorkerInit | undefined)?.paxosCheckWorker) run(workerData as WorkerInit);
