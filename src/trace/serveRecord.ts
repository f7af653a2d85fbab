/**
 * The register peer's structured trace (`paxos serve --trace FILE`), one NDJSON record per
 * event, written by src/serve/tracer.ts and read by src/trace/serve/. Every record names
 * its key, so a run of many keys is validated key by key.
 *
 * A batch is its `step` records followed by one `saved` record, written once the batch's
 * one write to the store has completed and before anything of the batch leaves. A batch
 * without its `saved` record (the process was killed during the write) let nothing out.
 */
import type { AcceptorDurable } from '../../machines/acceptor';
import type { Message, PeerId } from '../../machines/messages';
import type { Timer } from '../../machines/timers';
import type { Completion, RegisterPeerInput } from '../registers/peer';

interface Stamp {
  /** Marks the register form (the lab's structured records have no such field). */
  serve: 1;
  peer: string;
  id: PeerId;
  /** The incarnation this record belongs to; `seq` counts its records from 0. */
  boot: number;
  seq: number;
  batch: number;
}

/** A received message carries the id its sender gave it, as sent on the wire. */
type TracedInput =
  | RegisterPeerInput
  | { type: 'deliver'; key: string; message: Message; msgId: string | null };

export type ServeTraceRecord = Stamp &
  (
    | { kind: 'boot' }
    /** The key's acceptor as the store gave it (null: never written). */
    | { kind: 'load'; key: string; durable: AcceptorDurable | null }
    | { kind: 'drop'; key: string }
    | {
        kind: 'step';
        key: string;
        input: TracedInput;
        /** As framed for the wire: the key and id each message went out with. */
        sent: { to: PeerId; key: string; id: string; message: Message }[];
        timers: { key: string; timer: Timer }[];
        completed: Completion[];
      }
    /** What the batch's one write made durable, key by key. */
    | { kind: 'saved'; keys: Record<string, AcceptorDurable> }
  );
