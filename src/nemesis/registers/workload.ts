/**
 * The register workload: clients, each operation at a serving peer drawn afresh, run random gets, puts,
 * puts-if-version and deletes on a few keys, and increment counters (a get, then a put of
 * the value plus one if the version is still the one read). Every operation goes into one
 * history in interface.md's form, in the order this process saw the events, which is the
 * real-time order the checker relies on. A client never repeats a write: a request whose
 * outcome it cannot know is recorded `info`, and its process is retired (Jepsen's rule: a
 * process with an operation in doubt never invokes again), so the history stays honest.
 */
import { type RegisterAnswer, RegisterClient } from '../../client/index';
import { mulberry32, type Prng } from '../../sim/prng';
import { mixSeed } from '../plan';

const PLAIN_KEYS = ['r0', 'r1', 'r2', 'r3'];
const COUNTER_KEYS = ['c0', 'c1'];
export const ALL_KEYS = [...PLAIN_KEYS, ...COUNTER_KEYS];

export interface HistoryEvent {
  process: number | 'nemesis';
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: string;
  key?: string;
  value: unknown;
  /** Why a request failed or is in doubt: the service's 503 message, or the client's. */
  error?: string;
  /** ms since the workload started, for people (the checker's clock is the order of lines). */
  time?: number;
}

type Op =
  | { f: 'get' }
  | { f: 'put'; value: string; ifVersion?: number }
  | { f: 'delete'; ifVersion?: number };

/** Increments of one counter, by what the client was told. */
export interface CounterTally {
  acknowledged: number;
  unknown: number;
}

export interface WorkloadOptions {
  seed: number;
  /** The serving peers' client ports. */
  endpoints: readonly string[];
  clients: number;
  requestTimeoutMs: number;
}

const invokeValue = (op: Op): unknown => {
  if (op.f === 'get') return null;
  if (op.f === 'put')
    return op.ifVersion === undefined ? { value: op.value } : { value: op.value, ifVersion: op.ifVersion };
  return op.ifVersion === undefined ? null : { ifVersion: op.ifVersion };
};

/** The completion as the history records it (interface.md, "Histories"; the `registers` model). */
function completion(answer: RegisterAnswer): {
  type: 'ok' | 'fail' | 'info';
  value: unknown;
  error?: string;
} {
  if (answer.status === 200 || answer.status === 404) {
    const { value, version } = answer.register;
    return { type: 'ok', value: { value, version } };
  }
  if (answer.status === 409)
    return { type: 'fail', value: { value: answer.register.value, version: answer.register.version } };
  // Why, for whoever reads the history; the checker reads no more than type and value.
  const error = 'error' in answer ? answer.error : `HTTP ${answer.status}`;
  if (answer.status === 503 && answer.indeterminate) return { type: 'info', value: null, error };
  return { type: 'fail', value: null, error };
}

function send(client: RegisterClient, key: string, op: Op): Promise<RegisterAnswer> {
  if (op.f === 'get') return client.get(key);
  const options = op.ifVersion === undefined ? {} : { ifVersion: op.ifVersion };
  if (op.f === 'put') return client.put(key, op.value, options);
  return client.delete(key, options);
}

function randomOp(r: Prng, value: string, lastVersion: number): Op {
  const x = r.next();
  if (x < 0.4) return { f: 'get' };
  if (x < 0.65) return { f: 'put', value };
  if (x < 0.9) return { f: 'put', value, ifVersion: lastVersion };
  return r.next() < 0.5 ? { f: 'delete' } : { f: 'delete', ifVersion: lastVersion };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Workload {
  readonly events: HistoryEvent[] = [];
  readonly counters = new Map(COUNTER_KEYS.map((k) => [k, { acknowledged: 0, unknown: 0 } as CounterTally]));
  private running = false;
  private startedAt = performance.now();
  private readonly now = () => Math.round(performance.now() - this.startedAt);
  private loops: Promise<void>[] = [];
  /** The next free process number: clients start at 0..clients-1; a retired process and each final read take the next. */
  private nextProcess: number;

  constructor(private readonly options: WorkloadOptions) {
    this.nextProcess = options.clients;
  }

  /** For the fault injector's lines (`start-kill-peer2`, ...), which the picture draws as bands. */
  note(f: string, value: unknown): void {
    this.events.push({ process: 'nemesis', type: 'info', f, value, time: this.now() });
  }

  /** One operation, invoke and completion recorded around the request. */
  private async perform(client: RegisterClient, process: number, key: string, op: Op) {
    this.events.push({ process, type: 'invoke', f: op.f, key, value: invokeValue(op), time: this.now() });
    const answer = await send(client, key, op);
    const done = completion(answer);
    const error = done.error === undefined ? {} : { error: done.error };
    this.events.push({
      process,
      type: done.type,
      f: op.f,
      key,
      value: done.value,
      ...error,
      time: this.now(),
    });
    return { ...done, answer };
  }

  start(): void {
    this.running = true;
    this.startedAt = performance.now();
    const { endpoints, clients } = this.options;
    this.loops = Array.from({ length: clients }, (_, c) => this.clientLoop(c, endpoints));
  }

  /** Lets every client finish the operation it is in, then resolves. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async clientLoop(c: number, endpoints: readonly string[]): Promise<void> {
    const r = mulberry32(mixSeed(this.options.seed, 0x636c, c));
    // One endpoint and one attempt per request: a write is never sent twice. Each operation
    // goes to a serving peer drawn afresh, so that one peer down stalls no client for long.
    const clients = endpoints.map(
      (e) => new RegisterClient([e], { attempts: 1, timeoutMs: this.options.requestTimeoutMs }),
    );
    let process = c;
    const lastVersion = new Map<string, number>();
    for (let n = 0; this.running; n++) {
      const counter = r.next() < 0.35;
      const key = r.pick(counter ? COUNTER_KEYS : PLAIN_KEYS);
      const client = r.pick(clients);
      const last = counter
        ? await this.increment(client, process, key)
        : await this.plain(
            client,
            process,
            key,
            randomOp(r, `${c}.${n}`, lastVersion.get(key) ?? 0),
            lastVersion,
          );
      if (last.type === 'info') process = this.nextProcess++;
      // A peer that is down refuses at once: waiting a little keeps the history from filling with refusals.
      await sleep(last.type === 'fail' && last.value === null ? 20 + r.below(40) : r.below(15));
    }
  }

  /** A plain operation; its completion. */
  private async plain(
    client: RegisterClient,
    process: number,
    key: string,
    op: Op,
    lastVersion: Map<string, number>,
  ) {
    const done = await this.perform(client, process, key, op);
    if ('register' in done.answer) lastVersion.set(key, done.answer.register.version);
    return done;
  }

  /** Read, then put the value plus one if the version is still the one read; the last completion. */
  private async increment(client: RegisterClient, process: number, key: string) {
    const read = await this.perform(client, process, key, { f: 'get' });
    if (read.type !== 'ok' || !('register' in read.answer)) return read;
    const { value, version } = read.answer.register;
    const next = String(Number(value ?? '0') + 1);
    const put = await this.perform(client, process, key, { f: 'put', value: next, ifVersion: version });
    const tally = this.counters.get(key) as CounterTally;
    if (put.type === 'ok') tally.acknowledged += 1;
    if (put.type === 'info') tally.unknown += 1;
    return put;
  }

  /**
   * Once healed, one read of every key that succeeds, asked of the endpoints in turn until
   * one answers or `withinMs` is over. Returns each key's final state (absent if none came).
   */
  async finalReads(withinMs: number): Promise<Map<string, { value: string | null; version: number }>> {
    const clients = this.options.endpoints.map(
      (e) => new RegisterClient([e], { attempts: 1, timeoutMs: this.options.requestTimeoutMs }),
    );
    const finals = new Map<string, { value: string | null; version: number }>();
    const until = Date.now() + withinMs;
    let turn = 0;
    for (const key of ALL_KEYS) {
      let process = this.nextProcess++;
      while (Date.now() < until) {
        const client = clients[turn++ % clients.length] as RegisterClient;
        const done = await this.perform(client, process, key, { f: 'get' });
        if (done.type === 'ok' && 'register' in done.answer) {
          finals.set(key, { value: done.answer.register.value, version: done.answer.register.version });
          break;
        }
        if (done.type === 'info') process = this.nextProcess++;
        await sleep(200);
      }
    }
    return finals;
  }
}
