/**
 * Runs one peer of the cluster: the pure peer logic of src/peer/node.ts, fed by the
 * network and by timers, in the shape of etcd-io/raft's Ready loop. Inputs that arrive
 * together form a batch, and for each batch the host
 *   1. steps the machines once per input, in arrival order (a message a peer sends to
 *      itself joins the same batch),
 *   2. puts the durable state on stable storage, once for the whole batch, if it changed,
 *   3. only then prints the batch's lines and hands its messages to the transport,
 *   4. arms the timers the machines asked for.
 * Nothing a step produced is seen outside before the state it depends on is durable
 * (persist before send), and a burst of answers costs one write and one fdatasync.
 */
import type { GroupId, PeerId, Send, Value } from '../../machines/messages';
import { type Timer, timerDelayMs } from '../../machines/timers';
import type { PeerConfig } from '../config/cluster';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../peer/logLine';
import type { PeerDurable, PeerInput, PeerLogic, PeerState, TimerEffect } from '../peer/node';
import type { TraceRecord, TraceSink } from '../trace/record';
import type { Random } from './backoff';
import { decodeMessage, type Envelope, encodeMessage } from './codec';
import {
  type BatchTiming,
  type Effects,
  type Frame,
  plainEffects,
  timed,
  withCrashPoints,
  withFault,
} from './effects';
import { choseOnAccept, fault } from './failpoints';
import { RateLimitedLog } from './reports';
import { Tracer } from './tracer';

export type { BatchTiming } from './effects';

export interface Outbox {
  send(to: PeerId, frame: string): void;
}

/** Stable storage: `save` returns once the state is durable (written and synced). */
interface DurableSink {
  save(durable: PeerDurable): void;
}

/** What one batch asks of the host, as etcd's Ready: the lines, the frames and the timers, and whether to save first. */
interface Ready {
  save: boolean;
  lines: string[];
  frames: Frame[];
  timers: TimerEffect[];
}

const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

export interface HostOptions {
  logic: PeerLogic;
  self: PeerConfig;
  store: DurableSink;
  /** State recovered from storage, if any. */
  durable?: PeerDurable;
  outbox: Outbox;
  /** Protocol lines (without newlines) for stdout, all of one batch at once. */
  print: (lines: readonly string[]) => void;
  /** One diagnostic line for stderr. */
  log: (text: string) => void;
  /** A step could not be made durable: the peer must stop rather than answer unsafely. */
  fatal: (err: Error) => void;
  /** Multiplies every timer's duration (tests run the machines' timers faster). */
  timeScale?: number;
  random?: Random;
  /** Called after each batch (the latency benchmark's breakdown). */
  onBatch?: (timing: BatchTiming) => void;
  /** Where the structured trace goes (`--trace`); off when absent. */
  trace?: TraceSink;
  /** A warm-up host (src/runtime/warmup.ts): crash points do not count its steps. */
  rehearsal?: boolean;
  /** The data directory's name, for the trace's boot record (see storage.ts). */
  storeId?: string;
}

interface Queued {
  input: PeerInput;
  envelope?: Envelope;
  /** For a timeout: the arming it belongs to, so a timer replaced after it fired is not taken for the new one. */
  arming?: number;
}

interface Armed {
  handle: NodeJS.Timeout;
  arming: number;
}

export class PeerHost {
  private state: PeerState;
  private inbox: Queued[] = [];
  private scheduled = false;
  private arrived = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private stopped = false;
  private startTimer: NodeJS.Timeout | undefined;
  private readonly timers = new Map<GroupId, Armed>();
  private armings = 0;
  private readonly logic: PeerLogic;
  private readonly effects: Effects;
  private readonly tracer: Tracer | undefined;
  private readonly id: PeerId;
  private readonly random: Random;
  /** Lamport clock: above every clock this peer has seen, carried on every frame it sends. */
  private clock = 0;
  /** This incarnation's token: message ids stay unique across restarts without stored counters. */
  private readonly boot = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
  private sends = 0;
  private batches = 0;
  private readonly badInputs: RateLimitedLog;

  constructor(private readonly options: HostOptions) {
    this.logic = fault === 'chose-on-accept' ? choseOnAccept(options.logic) : options.logic;
    this.effects = effectsOf(options);
    this.id = options.self.id;
    this.random = options.random ?? Math.random;
    this.badInputs = new RateLimitedLog(options.log);
    this.state = this.logic.init(this.id, options.durable);
    if (options.trace) {
      this.tracer = new Tracer(options.trace, options.self, this.boot, (s) => this.logic.durable(s));
      this.tracer.started(this.state, options.storeId);
    }
  }

  /** Starts this peer's proposers with `value` after `delayMs` (the lab's -t). */
  start(value: Value, delayMs: number): void {
    if (this.options.self.proposer.length === 0) return;
    if (delayMs <= 0) this.enqueue({ input: { type: 'start', value } });
    else this.startTimer = setTimeout(() => this.enqueue({ input: { type: 'start', value } }), delayMs);
  }

  /** A frame from the network: decoded and checked here, dropped with a report if bad. Returns the sender of a good one. */
  receive(line: string, remote: string): PeerId | undefined {
    const decoded = decodeMessage(line, this.logic.cluster, this.id);
    if (!decoded.ok) {
      this.badInput(decoded.problem, remote, line);
      return undefined;
    }
    this.enqueue({ input: { type: 'deliver', message: decoded.message }, envelope: decoded.envelope });
    return decoded.message.from;
  }

  /** Reported at once the first time a kind of problem is seen, then summed up: garbage cannot flood stderr. */
  badInput(problem: string, remote: string, line?: string): void {
    const sample =
      line === undefined ? '' : `: ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line)}`;
    const kind = `bad input (${problem
      .split(', got')[0]
      ?.replace(/'[^']*'|"[^"]*"|\d+/g, '_')
      .slice(0, 48)})`;
    this.badInputs.report(kind, `bad input from ${remote} dropped: ${problem}${sample}`);
  }

  /** Resolves once every input queued so far has been handled. */
  idle(): Promise<void> {
    if (!this.scheduled && this.inbox.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    if (this.startTimer) clearTimeout(this.startTimer);
    for (const t of this.timers.values()) clearTimeout(t.handle);
    this.timers.clear();
    this.badInputs.close();
    this.inbox.length = 0;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  get snapshot(): PeerState {
    return this.state;
  }

  /** The timer the group's proposer has armed, if any (for tests and diagnostics). */
  armedTimer(group: GroupId): Timer | undefined {
    return this.timers.has(group) ? this.state.timers[group] : undefined;
  }

  private enqueue(queued: Queued): void {
    if (this.stopped) return;
    if (this.inbox.length === 0) this.arrived = monotonicMs();
    this.inbox.push(queued);
    if (this.scheduled) return;
    this.scheduled = true;
    // Everything that arrives in the same turn of the event loop (frames of one chunk,
    // several sockets ready at once) is handled as one batch.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const batch = this.inbox;
    this.inbox = [];
    const arrived = this.arrived;
    try {
      this.handle(batch, arrived);
    } catch (err) {
      this.stop();
      this.options.fatal(err as Error);
      return;
    }
    if (this.inbox.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** etcd's loop: step the batch, save if told, print, send, arm the timers. */
  private handle(batch: Queued[], arrived: number): void {
    this.effects.begin(arrived);
    const ready = this.stepBatch(batch);
    // The trace goes first: a step it shows whose save did not complete let nothing out.
    this.tracer?.flush();
    if (ready.save) this.effects.save(this.logic.durable(this.state));
    this.effects.print(ready.lines);
    this.effects.send(ready.frames);
    for (const { group, timer } of ready.timers) this.arm(group, timer);
    this.effects.end(batch.length);
  }

  /** Steps every input of the batch in order; a message to itself joins the batch. */
  private stepBatch(batch: Queued[]): Ready {
    const ready: Ready = { save: false, lines: [], frames: [], timers: [] };
    this.batches++;
    for (let i = 0; i < batch.length; i++) {
      const { input, arming, envelope } = batch[i] as Queued;
      if (input.type === 'timeout' && this.timers.get(input.group)?.arming !== arming) continue;
      if (input.type === 'timeout') this.timers.delete(input.group);
      if (input.type === 'deliver') ready.lines.push(formatLogLine(receivedLine(input.message)));
      const timer = input.type === 'timeout' ? (this.state.timers[input.group] ?? null) : null;
      const result = this.logic.step(this.id, this.state, input);
      this.state = result.state;
      ready.save ||= result.save;
      this.clock = Math.max(this.clock, envelope?.clock ?? 0) + 1;
      const sent = this.stamped(result.sends, ready, batch);
      const chose = result.learned ? { n: result.learned.n, value: result.learned.value } : null;
      if (chose) ready.lines.push(formatLogLine(choseLine(this.id, chose)));
      ready.timers.push(...result.timers);
      this.tracer?.step(
        { clock: this.clock, batch: this.batches },
        { input, envelope, timer },
        sent,
        result,
        chose,
      );
    }
    return ready;
  }

  /** Each message with its clock and id, as a line and a frame (or, to itself, as an input of this batch). */
  private stamped(sends: readonly Send[], ready: Ready, batch: Queued[]): TraceRecord['sent'] {
    const sent: TraceRecord['sent'] = [];
    for (const send of sends) {
      const meta = { clock: this.clock, id: `${this.id}.${this.boot}.${++this.sends}` };
      sent.push({ to: send.to, id: meta.id, message: send.message });
      ready.lines.push(formatLogLine(sentLine(this.id, send.message)));
      // A peer that holds two roles of one group talks to itself without the network.
      if (send.to === this.id)
        batch.push({ input: { type: 'deliver', message: send.message }, envelope: meta });
      else ready.frames.push({ to: send.to, frame: encodeMessage(send.message, meta) });
    }
    return sent;
  }

  private arm(group: GroupId, timer: Timer): void {
    const previous = this.timers.get(group);
    if (previous) clearTimeout(previous.handle);
    const arming = ++this.armings;
    const ms = timerDelayMs(timer, this.random()) * (this.options.timeScale ?? 1);
    const handle = setTimeout(() => this.enqueue({ input: { type: 'timeout', group }, arming }), ms);
    this.timers.set(group, { handle, arming });
  }
}

/** The host's effects on its sinks, wrapped by what this run asks for (see effects.ts). */
function effectsOf(options: HostOptions): Effects {
  let effects = plainEffects({
    save: (d) => options.store.save(d),
    print: options.print,
    send: (to, frame) => options.outbox.send(to, frame),
  });
  // A warm-up host's steps are not the peer's: crash points do not count them.
  if (!options.rehearsal) effects = withCrashPoints(effects);
  effects = withFault(effects, fault);
  return options.onBatch ? timed(effects, options.onBatch) : effects;
}
