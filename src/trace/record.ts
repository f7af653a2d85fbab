/**
 * The structured trace's record: what `paxos peer --trace` writes (src/runtime/host.ts) and
 * `paxos trace` and `paxos view` read (src/trace/structured.ts). Its own module, so that
 * neither side owns the format the other depends on.
 */
import type { GroupId, Message, PeerId, Value } from '../../machines/messages';
import type { Timer } from '../../machines/timers';
import type { PeerDurable, TimerEffect } from '../peer/node';

/**
 * One step of a peer as `paxos peer --trace` records it (one NDJSON line each): what came
 * in, what the machines did, and the durable state after it. `boot` starts an incarnation.
 */
export interface TraceRecord {
  peer: string;
  id: PeerId;
  /** The incarnation (one process run); `seq` counts its records from 0. */
  boot: string;
  seq: number;
  /** Lamport clock after the step. */
  clock: number;
  /** Steps of one batch share its number; the batch is durable only as a whole. */
  batch: number;
  input:
    | { kind: 'boot'; store?: string }
    | { kind: 'receive'; from: PeerId; id: string | null; message: Message }
    | { kind: 'start'; value: Value }
    | { kind: 'timeout'; group: GroupId; timer: Timer | null };
  sent: { to: PeerId; id: string; message: Message }[];
  timers: TimerEffect[];
  chose: { n: number; value: Value } | null;
  durable: PeerDurable;
}

export interface TraceSink {
  write(records: readonly TraceRecord[]): void;
}
