/// <reference lib="dom" />
/**
 * Search from here, off the page's thread: the page's own script, started again as a Web
 * Worker from a blob of its text (nothing is fetched), replays the path and runs the
 * bounded search (../search.ts); the page stays usable meanwhile and takes the path found.
 */
import type { GroupId, Value } from '../../../machines/messages';
import type { ClusterConfig } from '../../config/cluster';
import { createPeerLogic } from '../../peer/node';
import type { Action } from '../../world/action';
import { createSimulator } from '../../world/world';
import { type SearchOutcome, type SearchRequest, searchFrom } from '../search';

interface SearchJob {
  cluster: ClusterConfig;
  values: Record<GroupId, Value>;
  path: Action[];
  request: SearchRequest;
}

/** The worker's side: one job a message, its outcome the answer. */
export function serveSearches(): void {
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent<SearchJob>) => void) | null;
    postMessage(m: unknown): void;
  };
  scope.onmessage = (e) => {
    const { cluster, values, path, request } = e.data;
    const sim = createSimulator(createPeerLogic(cluster));
    const world = sim.initial();
    for (const a of path) sim.apply(world, a);
    const started = performance.now();
    const outcome = searchFrom(sim, world, values, request);
    scope.postMessage({ ...outcome, ms: performance.now() - started });
  };
}

let worker: Worker | undefined;

/** The page's side: runs a job in the worker (started on first use) and resolves with its outcome. */
export function search(job: SearchJob): Promise<SearchOutcome & { ms: number }> {
  if (!worker) {
    const code = document.querySelector('script[type=module]')?.textContent ?? '';
    // A classic worker: the bundle has no import or export, and a module worker from a blob failed to start in a file:// page.
    worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
  }
  const w = worker;
  return new Promise((resolve, reject) => {
    w.onmessage = (e) => resolve(e.data);
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(job);
  });
}
