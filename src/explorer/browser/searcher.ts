/// <reference lib="dom" />
/**
 * Search from here, off the page's thread: the page's own script, started again as a Web
 * Worker from a blob of its text (nothing is fetched), runs the checker's search from the
 * end of the path (../search.ts); the page stays usable meanwhile and takes the path found.
 */
import type { GroupId, Value } from '../../../machines/messages';
import type { ClusterConfig } from '../../config/cluster';
import { type SearchOutcome, type SearchRequest, searchFrom } from '../search';
import type { Step } from '../session';

interface SearchJob {
  cluster: ClusterConfig;
  values: Record<GroupId, Value>;
  path: Step[];
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
    const started = performance.now();
    const outcome = searchFrom(cluster, values, path, request);
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
