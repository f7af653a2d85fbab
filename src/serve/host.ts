/**
 * Runs one register peer (src/registers/peer.ts) on the network, as src/runtime/host.ts
 * runs a lab peer: inputs that arrive together form a batch; the host steps each, writes
 * every key whose acceptor changed with ONE `store.write` (one fsync), and only once it
 * resolved lets the batch's frames and answers out (persist before send, group commit).
 * Inputs that come in during the write form the next batch.
 *
 * Keys come and go: a key's acceptor is read from the store when a prepare or accept for it
 * first arrives (the inputs of the key wait for the read; other keys go on), and is dropped
 * once the key has been idle for a while, so memory follows the working set.
 *
 * Time is the machines': a round's timers last what machines/timers.ts says, and what an
 * abandoned request may have done is the round machine's answer (`mayTakeEffect`). The
 * host only counts down a request's time limit and asks.
 */
import { acceptorDurable } from '../../machines/acceptor';
import type { PeerId } from '../../machines/messages';
import type { Operation, RegisterState } from '../../machines/register';
import { type Timer, timerDelayMs } from '../../machines/timers';
import type { ClusterConfig } from '../config/cluster';
import {
  type Completion,
  type KeyedSend,
  leavesBeforeWrite,
  type RegisterPeerInput,
  type RegisterPeerLogic,
  type RegisterPeerState,
} from '../registers/peer';
import { failpoint, fault } from '../runtime/failpoints';
import type { Outbox } from '../runtime/host';
import { RateLimitedLog } from '../runtime/reports';
import type { RegisterStore } from '../storage/store';
import { decodeKeyed, encodeKeyed } from './frames';
import type { ServeMetrics } from './metrics';
import type { ServeTracer } from './tracer';

/** What a client is told: the register's state (after the operation, or the one that refused it), or no answer in time. */
export type Answer =
  | { outcome: 'ok' | 'mismatch'; state: RegisterState }
  | { outcome: 'unavailable'; indeterminate: boolean };

export interface RegisterHostOptions {
  logic: RegisterPeerLogic;
  cluster: ClusterConfig;
  self: PeerId;
  store: RegisterStore;
  outbox: Outbox;
  log: (text: string) => void;
  /** The store failed: the peer must stop rather than answer on state that is not durable. */
  fatal: (err: Error) => void;
  /** A request not answered by then is abandoned and answered 503. */
  requestTimeoutMs: number;
  metrics: ServeMetrics;
  /** A key untouched this long, with nothing under way, is dropped from memory. */
  idleMs?: number;
  random?: () => number;
  /** `paxos serve --trace`: every step, load, drop and write recorded for `paxos trace`. */
  tracer?: ServeTracer;
}

/** An input as the host holds it: a delivered message keeps the id it came with, for the trace. */
type HostInput = RegisterPeerInput & { msgId?: string | null };

interface Waiting {
  resolve: (answer: Answer) => void;
  deadline: NodeJS.Timeout;
  started: number;
  op: Operation['kind'];
}

const keyOf = (input: RegisterPeerInput): string => (input.type === 'invoke' ? input.request.key : input.key);

export class RegisterHost {
  private state: RegisterPeerState;
  private inbox: HostInput[] = [];
  private batchNo = 0;
  private running = false;
  private scheduled = false;
  private stopped = false;
  /** Inputs waiting for their key's acceptor to be read from the store. */
  private readonly loading = new Map<string, HostInput[]>();
  private readonly waiting = new Map<number, Waiting>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastUsed = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly reports: RateLimitedLog;
  private readonly idleMs: number;
  private readonly holdsAcceptors: boolean;
  private nextId = 1;
  /** The deliver-to-last-key fault's memory: the key the last prepare or accept was for. */
  private lastKey: string | undefined;

  constructor(private readonly options: RegisterHostOptions) {
    this.state = options.logic.start(options.store.incarnation);
    this.reports = new RateLimitedLog(options.log);
    this.idleMs = options.idleMs ?? 30_000;
    this.holdsAcceptors =
      (options.cluster.peers.find((p) => p.id === options.self)?.acceptor.length ?? 0) > 0;
    this.sweeper = setInterval(() => this.sweep(), Math.max(100, this.idleMs / 2));
    this.sweeper.unref();
  }

  /** Runs `operation` on `key` as one round; resolves with the client's answer. */
  invoke(key: string, operation: Operation): Promise<Answer> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const deadline = setTimeout(
        () => this.enqueue({ type: 'cancel', key, id }),
        this.options.requestTimeoutMs,
      );
      this.waiting.set(id, { resolve, deadline, started: performance.now(), op: operation.kind });
      this.enqueue({ type: 'invoke', request: { id, key, operation } });
    });
  }

  /** A frame from the network; returns its sender if it was a valid message. */
  receive(line: string, remote: string): PeerId | undefined {
    const decoded = decodeKeyed(line, this.options.cluster, this.options.self);
    if (!decoded.ok) {
      this.reports.report('frames refused', `frame from ${remote} refused: ${decoded.problem}`);
      return undefined;
    }
    const key = this.faultyKey(decoded.key, decoded.message.type);
    this.enqueue({ type: 'deliver', key, message: decoded.message, msgId: decoded.id ?? null });
    return decoded.message.from;
  }

  /** The key a message is handed to: its own, unless the deliver-to-last-key fault is on. */
  private faultyKey(key: string, type: string): string {
    if (fault !== 'deliver-to-last-key' || (type !== 'prepare' && type !== 'accept')) return key;
    const last = this.lastKey ?? key;
    this.lastKey = key;
    return last;
  }

  badInput(problem: string, remote: string): void {
    this.reports.report('bad input', `from ${remote}: ${problem}`);
  }

  /** Keys whose acceptor is held in memory now. */
  get heldKeys(): number {
    return Object.keys(this.state.acceptors).length;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.sweeper);
    for (const t of this.timers.values()) clearTimeout(t);
    for (const w of this.waiting.values()) clearTimeout(w.deadline);
    this.reports.close();
  }

  /**
   * Whether the input must wait for its key's acceptor to be read: a prepare or accept for
   * it, and a client's operation on it at a peer that holds acceptors. The acceptor's
   * promise is at least every number this peer sent on the key in any life (its own
   * prepare reaches it in the same batch, saved before the prepares leave), so a round begun
   * after it is read starts above them: a restarted peer's numbers on a key still rise,
   * and its first round is not refused for a number below its own old promise.
   */
  private needsLoad(input: RegisterPeerInput): boolean {
    if (Object.hasOwn(this.state.acceptors, keyOf(input))) return false;
    if (input.type === 'invoke') return this.holdsAcceptors;
    if (input.type !== 'deliver') return false;
    const { type } = input.message;
    return type === 'prepare' || type === 'accept';
  }

  private enqueue(input: HostInput): void {
    if (this.stopped) return;
    if (this.needsLoad(input)) this.loadThen(input);
    else {
      this.inbox.push(input);
      this.schedule();
    }
  }

  /** Reads the key's acceptor once; the key's inputs wait for it, in order. */
  private loadThen(input: HostInput): void {
    const key = keyOf(input);
    const queued = this.loading.get(key);
    if (queued) {
      queued.push(input);
      return;
    }
    this.loading.set(key, [input]);
    this.options.store.read(key).then((durable) => {
      const inputs = this.loading.get(key) ?? [];
      this.loading.delete(key);
      this.options.tracer?.load(this.batchNo, key, durable);
      this.state = this.options.logic.load(this.options.self, this.state, key, durable);
      this.inbox.push(...inputs);
      this.schedule();
    }, this.options.fatal);
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => void this.pump());
  }

  private async pump(): Promise<void> {
    this.scheduled = false;
    if (this.running) return;
    this.running = true;
    try {
      while (this.inbox.length > 0 && !this.stopped) await this.batch(this.inbox.splice(0));
    } catch (err) {
      this.options.fatal(err as Error);
      return;
    }
    this.running = false;
  }

  /**
   * Steps a batch, saves it with one write, then lets out its frames, timers and answers:
   * all but the accepts whose key has nothing unwritten in the batch, which leave at once
   * (see leavesBeforeWrite).
   */
  private async batch(inputs: HostInput[]): Promise<void> {
    this.batchNo += 1;
    const sends: (KeyedSend & { id?: string })[] = [];
    const timers: { key: string; timer: Timer }[] = [];
    const completed: Completion[] = [];
    const changed = new Set<string>();
    const now = performance.now();
    // A message to itself joins the batch: no answer of its own acceptor leaves, or counts
    // in a round that sends, before the batch's write.
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i] as HostInput;
      if (this.needsLoad(input)) {
        this.loadThen(input);
        continue;
      }
      const out = this.options.logic.step(this.options.self, this.state, input);
      this.state = out.state;
      this.lastUsed.set(keyOf(input), now);
      if (out.save) changed.add(keyOf(input));
      if (input.type === 'timeout' && out.handled) this.options.metrics.retries.inc();
      const identified = this.identify(out.sends);
      this.options.tracer?.step(this.batchNo, {
        kind: 'step',
        key: keyOf(input),
        input,
        ...traced(identified, out),
      });
      for (const s of identified)
        if (s.to === this.options.self)
          inputs.push({ type: 'deliver', key: s.key, message: s.message, msgId: s.id ?? null });
        else if (leavesBeforeWrite(s) && !changed.has(s.key)) this.send(s);
        else sends.push(s);
      timers.push(...out.timers);
      completed.push(...out.completed);
    }
    await this.save(changed);
    this.options.metrics.batchInputs.observe(inputs.length);
    for (const s of sends) this.send(s);
    for (const t of timers) this.arm(t.key, t.timer);
    for (const c of completed) this.answer(c);
  }

  private send(s: KeyedSend & { id?: string }): void {
    this.options.outbox.send(s.to, encodeKeyed(s.key, s.message, s.id));
  }

  /** Gives each message an id when tracing, so both ends' traces name it. */
  private identify(sends: readonly KeyedSend[]): (KeyedSend & { id?: string })[] {
    const tracer = this.options.tracer;
    return tracer ? sends.map((s) => ({ ...s, id: tracer.nextMessageId() })) : [...sends];
  }

  private async save(changed: ReadonlySet<string>): Promise<void> {
    const changes = new Map<string, ReturnType<typeof acceptorDurable>>();
    for (const key of changed) {
      const acceptor = Object.hasOwn(this.state.acceptors, key) ? this.state.acceptors[key] : undefined;
      if (acceptor) changes.set(key, acceptorDurable(acceptor.context));
    }
    if (fault === 'save-wrong-key') rotateKeys(changes);
    this.options.tracer?.flush();
    if (changes.size > 0) {
      failpoint('before-write');
      await this.options.store.write(changes);
      this.options.metrics.fsyncs.inc();
      this.options.metrics.batchKeys.observe(changes.size);
    }
    this.options.tracer?.saved(this.batchNo, changes);
  }

  private arm(key: string, timer: Timer): void {
    clearTimeout(this.timers.get(key));
    const delay = timerDelayMs(timer, (this.options.random ?? Math.random)());
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.enqueue({ type: 'timeout', key });
      }, delay),
    );
  }

  private answer(c: Completion): void {
    const w = this.waiting.get(c.request.id);
    if (!w) return;
    this.waiting.delete(c.request.id);
    clearTimeout(w.deadline);
    const labels = { op: w.op, outcome: c.outcome };
    this.options.metrics.rounds.inc(labels);
    this.options.metrics.latency.observe(labels, (performance.now() - w.started) / 1000);
    w.resolve(answerOf(c));
  }

  /** Drops keys idle for `idleMs`, between batches (never one whose write is under way). */
  private sweep(): void {
    if (this.running) return;
    const now = performance.now();
    for (const [key, used] of this.lastUsed) {
      if (now - used < this.idleMs || this.loading.has(key)) continue;
      if (!this.options.logic.idle(this.state, key)) continue;
      clearTimeout(this.timers.get(key));
      this.timers.delete(key);
      this.lastUsed.delete(key);
      this.options.tracer?.drop(this.batchNo, key);
      this.state = this.options.logic.drop(this.state, key);
    }
  }
}

/** The save-wrong-key fault: each key's acceptor goes under the next key of the batch. */
function rotateKeys(changes: Map<string, ReturnType<typeof acceptorDurable>>): void {
  const keys = [...changes.keys()];
  const values = [...changes.values()];
  for (const [i, k] of keys.entries())
    changes.set(k, values[(i + 1) % values.length] as ReturnType<typeof acceptorDurable>);
}

/** A step's effects as the trace records them: the messages with the ids they went out with. */
function traced(
  sends: readonly (KeyedSend & { id?: string })[],
  out: { timers: { key: string; timer: Timer }[]; completed: Completion[] },
) {
  return {
    sent: sends.map((s) => ({ to: s.to, key: s.key, id: s.id ?? '', message: s.message })),
    timers: out.timers,
    completed: out.completed,
  };
}

function answerOf(c: Completion): Answer {
  switch (c.outcome) {
    case 'ok':
    case 'mismatch':
      return { outcome: c.outcome, state: c.state };
    case 'uncertain':
      return { outcome: 'unavailable', indeterminate: true };
    case 'expired':
      return { outcome: 'unavailable', indeterminate: c.mayTakeEffect };
  }
}
