/**
 * `paxos serve --trace FILE`: what the register host did, recorded as it did it (the
 * records of src/trace/serveRecord.ts), so that `paxos trace` can replay a real run key by
 * key through the machines and the spec. A batch's steps are written before its write to
 * the store begins, its `saved` record once the write is done and before anything but its
 * accepts leaves.
 */
import type { AcceptorDurable } from '../../machines/acceptor';
import type { PeerId } from '../../machines/messages';
import { TraceFile } from '../runtime/traceFile';
import type { ServeTraceRecord } from '../trace/serveRecord';

type Body = ServeTraceRecord extends infer R
  ? R extends unknown
    ? Omit<R, 'serve' | 'peer' | 'id' | 'boot' | 'seq' | 'batch'>
    : never
  : never;

export class ServeTracer {
  private seq = 0;
  private sent = 0;
  private pending: ServeTraceRecord[] = [];
  private readonly file: TraceFile<ServeTraceRecord>;

  constructor(
    file: string,
    private readonly peer: string,
    private readonly id: PeerId,
    private readonly boot: number,
  ) {
    this.file = new TraceFile(file);
    this.write(0, { kind: 'boot' });
  }

  /** A unique id for the next message this incarnation sends. */
  nextMessageId(): string {
    this.sent += 1;
    return `${this.id}.${this.boot}.${this.sent}`;
  }

  load(batch: number, key: string, durable: AcceptorDurable | undefined): void {
    this.write(batch, { kind: 'load', key, durable: durable ?? null });
  }

  drop(batch: number, key: string): void {
    this.write(batch, { kind: 'drop', key });
  }

  /** A step of the batch under way: kept until the batch's write begins. */
  step(batch: number, body: Extract<Body, { kind: 'step' }>): void {
    this.pending.push(this.record(batch, body));
  }

  /** The batch's steps, before its write begins. */
  flush(): void {
    if (this.pending.length > 0) this.file.write(this.pending.splice(0));
  }

  saved(batch: number, keys: ReadonlyMap<string, AcceptorDurable>): void {
    this.write(batch, { kind: 'saved', keys: Object.fromEntries(keys) });
  }

  private write(batch: number, body: Body): void {
    this.flush();
    this.file.write([this.record(batch, body)]);
  }

  private record(batch: number, body: Body): ServeTraceRecord {
    const stamp = {
      serve: 1 as const,
      peer: this.peer,
      id: this.id,
      boot: this.boot,
      seq: this.seq++,
      batch,
    };
    return { ...stamp, ...body } as ServeTraceRecord;
  }
}
