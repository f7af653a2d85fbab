/**
 * A typed client of the register service (interface.md, "The register service's outside
 * contract"). Requests are spread over the endpoints in turn; one that fails goes to the
 * next endpoint only when repeating it cannot apply an operation twice:
 *   - a get, always (it changes nothing);
 *   - a put or delete when the service said `indeterminate: false` (it certainly did not
 *     take effect), or when the connection was refused (nothing was sent).
 * Any other failure of a write is returned as a 503 with `indeterminate: true`: it may or
 * may not take effect, and only a later read tells.
 */

export interface Register {
  key: string;
  /** null when never written or deleted. */
  value: string | null;
  version: number;
}

export type RegisterAnswer =
  | { status: 200 | 404 | 409; register: Register }
  | { status: 503; error: string; indeterminate: boolean }
  | { status: 400 | 413; error: string };

export interface RegisterClientOptions {
  /** Tries per request over the endpoints, the first included (default: two rounds of them). */
  attempts?: number;
  /** Per try; a write whose try times out is indeterminate (default 10 s). */
  timeoutMs?: number;
}

type Kind = 'get' | 'put' | 'delete';

interface Try {
  answer: RegisterAnswer;
  /** Whether another endpoint may be asked the same. */
  retry: boolean;
}

const baseUrl = (endpoint: string) => (/^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`);

const refusedBeforeSending = (err: unknown): boolean =>
  (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function answerOf(status: number, body: Record<string, unknown>): RegisterAnswer {
  if (status === 200 || status === 404 || status === 409)
    return { status, register: body as unknown as Register };
  const error = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
  if (status === 400 || status === 413) return { status, error };
  return { status: 503, error, indeterminate: status !== 503 || body.indeterminate !== false };
}

export class RegisterClient {
  private readonly endpoints: string[];
  private next = 0;

  constructor(
    endpoints: readonly string[],
    private readonly options: RegisterClientOptions = {},
  ) {
    if (endpoints.length === 0) throw new Error('a RegisterClient needs at least one endpoint');
    this.endpoints = endpoints.map(baseUrl);
  }

  get(key: string): Promise<RegisterAnswer> {
    return this.request('get', key, 'GET');
  }

  /** With `ifVersion`, only if the register's version is that (0: never written). */
  put(key: string, value: string, options: { ifVersion?: number } = {}): Promise<RegisterAnswer> {
    const body = JSON.stringify({ value, ...options });
    return this.request('put', key, 'PUT', body);
  }

  delete(key: string, options: { ifVersion?: number } = {}): Promise<RegisterAnswer> {
    const query = options.ifVersion === undefined ? '' : `?ifVersion=${options.ifVersion}`;
    return this.request('delete', key, 'DELETE', undefined, query);
  }

  private async request(kind: Kind, key: string, method: string, body?: string, query = '') {
    const attempts = this.options.attempts ?? 2 * this.endpoints.length;
    const first = this.next++;
    let last: Try | undefined;
    for (let i = 0; i < attempts; i++) {
      if (i >= this.endpoints.length) await pause(50 * i);
      const endpoint = this.endpoints[(first + i) % this.endpoints.length] as string;
      const url = `${endpoint}/v1/registers/${encodeURIComponent(key)}${query}`;
      last = await this.try(kind, url, method, body);
      if (!last.retry) break;
    }
    return (last as Try).answer;
  }

  private async try(kind: Kind, url: string, method: string, body?: string): Promise<Try> {
    try {
      const response = await fetch(url, {
        method,
        ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      const answer = answerOf(response.status, (await response.json()) as Record<string, unknown>);
      const retry = answer.status === 503 && (kind === 'get' || !answer.indeterminate);
      return { answer, retry };
    } catch (err) {
      const safe = kind === 'get' || refusedBeforeSending(err);
      const error = `${url}: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`;
      return { answer: { status: 503, error, indeterminate: !safe }, retry: safe };
    }
  }
}
