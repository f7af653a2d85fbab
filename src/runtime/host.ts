/**
 * Runs one peer of the cluster: the pure peer logic of src/peer/node.ts, fed by the
 * network and by timers, one input at a time. For every input it
 *   1. prints the `received` line (for a message),
 *   2. steps the machines,
 *   3. puts the durable state on stable storage if it changed, and waits for that,
 *   4. prints the `sent` lines and hands the messages to the transport,
 *   5. prints the `chose` line if the peer learned the decision in this step,
 *   6. arms or clears the proposers' timers.
 * Inputs are handled strictly in order: a save in progress must not interleave with the
 * next step, or a reply could leave before the promise it depends on is stored.
 */
import type { GroupId, Message, PeerId, Value } from '../../machines/messages';
import type { PeerConfig } from '../config/cluster';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../peer/logLine';
import type { PeerDurable, PeerInput, PeerLogic, PeerState } from '../peer/node';
import type { Random } from './backoff';
import { decodeMessage, encodeMessage } from './codec';
import { DEFAULT_TIMER_POLICY, ProposerTimers, type TimerPolicy } from './proposerTimers';

export interface Outbox {
  send(to: PeerId, frame: string): void;
}

export interface DurableSink {
  save(durable: PeerDurable): Promise<void>;
}

export interface HostOptions {
  logic: PeerLogic;
  self: PeerConfig;
  store: DurableSink;
  /** State recovered from storage, if any. */
  durable?: PeerDurable;
  outbox: Outbox;
  /** One protocol line (without newline) for stdout. */
  print: (line: string) => void;
  /** One diagnostic line for stderr. */
  log: (text: string) => void;
  /** A step could not be made durable: the peer must stop rather than answer unsafely. */
  fatal: (err: Error) => void;
  timers?: TimerPolicy;
  random?: Random;
}

export class PeerHost {
  private state: PeerState;
  private persisted: string;
  private readonly inbox: PeerInput[] = [];
  private draining = false;
  private readonly idleWaiters: (() => void)[] = [];
  private stopped = false;
  private startTimer: NodeJS.Timeout | undefined;
  private readonly timers: ProposerTimers;
  private readonly logic: PeerLogic;
  private readonly id: PeerId;

  constructor(private readonly options: HostOptions) {
    this.logic = options.logic;
    this.id = options.self.id;
    this.state = this.logic.init(this.id, options.durable);
    this.persisted = JSON.stringify(this.logic.durable(this.state));
    this.timers = new ProposerTimers(
      this.id,
      (group) => this.enqueue({ type: 'timeout', group }),
      options.timers ?? DEFAULT_TIMER_POLICY,
      options.random,
    );
  }

  /** Starts this peer's proposers with `value` after `delayMs` (the lab's -t). */
  start(value: Value, delayMs: number): void {
    if (this.options.self.proposer.length === 0) return;
    if (delayMs <= 0) this.enqueue({ type: 'start', value });
    else this.startTimer = setTimeout(() => this.enqueue({ type: 'start', value }), delayMs);
  }

  /** A frame from the network: decoded and checked here, dropped with a report if bad. */
  receive(line: string, remote: string): void {
    const decoded = decodeMessage(line, this.logic.cluster, this.id);
    if (!decoded.ok) {
      this.badInput(decoded.problem, remote, line);
      return;
    }
    this.enqueue({ type: 'deliver', message: decoded.message });
  }

  badInput(problem: string, remote: string, line?: string): void {
    const sample =
      line === undefined ? '' : `: ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line)}`;
    this.options.log(`bad input from ${remote} dropped: ${problem}${sample}`);
  }

  /** Resolves once every input queued so far has been handled. */
  idle(): Promise<void> {
    if (!this.draining && this.inbox.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    if (this.startTimer) clearTimeout(this.startTimer);
    this.timers.stop();
    this.inbox.length = 0;
  }

  get snapshot(): PeerState {
    return this.state;
  }

  /** Whether the group's proposer has a retry pending. */
  timerPending(group: GroupId): boolean {
    return this.timers.pending(group);
  }

  private enqueue(input: PeerInput): void {
    if (this.stopped) return;
    this.inbox.push(input);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let input = this.inbox.shift(); input && !this.stopped; input = this.inbox.shift()) {
        await this.handle(input);
      }
    } catch (err) {
      this.stop();
      this.options.fatal(err as Error);
    } finally {
      this.draining = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async handle(input: PeerInput): Promise<void> {
    const { print } = this.options;
    if (input.type === 'deliver') print(formatLogLine(receivedLine(input.message)));
    const result = this.logic.step(this.id, this.state, input);
    this.state = result.state;

    const durable = this.logic.durable(this.state);
    const text = JSON.stringify(durable);
    if (text !== this.persisted) {
      await this.options.store.save(durable);
      this.persisted = text;
    }
    if (this.stopped) return;

    for (const send of result.sends) {
      print(formatLogLine(sentLine(this.id, send.message)));
      if (send.to === this.id) this.deliverLocally(send.message);
      else this.options.outbox.send(send.to, encodeMessage(send.message));
    }
    if (result.learned) print(formatLogLine(choseLine(this.id, result.learned)));
    this.timers.update(this.state, result.sends);
  }

  /** A peer that holds two roles of one group (proposer and acceptor) talks to itself without the network. */
  private deliverLocally(message: Message): void {
    this.inbox.push({ type: 'deliver', message });
  }
}
