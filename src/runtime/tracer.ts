/**
 * The structured trace of one incarnation (`paxos peer --trace`): a record per step, kept
 * per batch and written before the batch is saved, so that a step the trace shows whose
 * save did not complete let nothing out, and the validator recognises it by the state the
 * next incarnation recovers.
 */
import type { Timer } from '../../machines/timers';
import type { PeerConfig } from '../config/cluster';
import type { PeerDurable, PeerInput, PeerState, PeerStep } from '../peer/node';
import type { TraceRecord, TraceSink } from '../trace/record';
import type { Envelope } from './codec';

/** Where a record stands: the Lamport clock after its step and its batch's number. */
interface Stamp {
  clock: number;
  batch: number;
}

export class Tracer {
  private seq = 0;
  private pending: TraceRecord[] = [];

  constructor(
    private readonly sink: TraceSink,
    private readonly self: PeerConfig,
    private readonly boot: string,
    private readonly durable: (state: PeerState) => PeerDurable,
  ) {}

  /** The incarnation's first record: what it recovered, from which data directory. */
  started(state: PeerState, storeId: string | undefined): void {
    const input =
      storeId === undefined ? { kind: 'boot' as const } : { kind: 'boot' as const, store: storeId };
    this.sink.write([this.record({ clock: 0, batch: 0 }, input, [], state, [], null)]);
  }

  /** One step of the batch: its input, the messages it sent (with their ids), what it did. */
  step(
    at: Stamp,
    taken: { input: PeerInput; envelope?: Envelope | undefined; timer: Timer | null },
    sent: TraceRecord['sent'],
    result: PeerStep,
    chose: TraceRecord['chose'],
  ): void {
    const { input, envelope, timer } = taken;
    const traced: TraceRecord['input'] =
      input.type === 'deliver'
        ? { kind: 'receive', from: input.message.from, id: envelope?.id ?? null, message: input.message }
        : input.type === 'start'
          ? { kind: 'start', value: input.value }
          : { kind: 'timeout', group: input.group, timer };
    this.pending.push(this.record(at, traced, sent, result.state, result.timers, chose));
  }

  /** Writes the batch's records. */
  flush(): void {
    if (this.pending.length > 0) this.sink.write(this.pending);
    this.pending = [];
  }

  private record(
    at: Stamp,
    input: TraceRecord['input'],
    sent: TraceRecord['sent'],
    state: PeerState,
    timers: PeerStep['timers'],
    chose: TraceRecord['chose'],
  ): TraceRecord {
    return {
      peer: this.self.host,
      id: this.self.id,
      boot: this.boot,
      seq: this.seq++,
      clock: at.clock,
      batch: at.batch,
      input,
      sent,
      timers: [...timers],
      chose,
      durable: this.durable(state),
    };
  }
}
