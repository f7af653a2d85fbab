/**
 * What the validator works on: per-peer sequences of observed events, whatever input form
 * they came from. The lab-line reader (labLines.ts) fills only what the lab prints; a reader
 * of richer traces can fill `msgId` to pin a receive to the exact send it delivers, and the
 * search then takes that instead of matching by content.
 */
import type { ClusterConfig } from '../config/cluster';

export type EventAction = 'sent' | 'received' | 'chose';
export type EventType = 'prepare' | 'prepare_ack' | 'accept' | 'accept_ack' | 'chose';

export const EVENT_ACTIONS: readonly EventAction[] = ['sent', 'received', 'chose'];
export const EVENT_TYPES: readonly EventType[] = ['prepare', 'prepare_ack', 'accept', 'accept_ack', 'chose'];

/** Where an event was read: a file and its 1-based physical line. */
interface SourceRef {
  file: string;
  line: number;
}

export interface TraceEvent {
  /** Index into ObservedRun.events. */
  id: number;
  /** The peer whose output holds the event (the printing peer). */
  peer: number;
  /** Position in that peer's own sequence, from 0. */
  index: number;
  action: EventAction;
  type: EventType;
  /** The message's sender: the printing peer on `sent` and `chose` lines, the remote one on `received`. */
  from: number;
  value: string;
  num: number;
  source: SourceRef;
  /** The line as printed (without a compose prefix), for reports. */
  text: string;
  /** Structured traces only: the same id on a send and on each receive of that message. */
  msgId?: string;
}

export interface PeerTrace {
  peer: number;
  host: string;
  /** Where this peer's lines came from (several peers can share a compose log). */
  files: string[];
  /** Event ids, in the peer's own order. */
  events: number[];
}

export interface ObservedRun {
  cluster: ClusterConfig;
  events: TraceEvent[];
  /** One per hostsfile peer, by id - 1; a peer without input has no events. */
  peers: PeerTrace[];
  /** Lines that were not protocol lines (diagnostics on merged stdout/stderr), skipped. */
  skipped: number;
  warnings: string[];
}

export const at = (e: TraceEvent): string => `${e.source.file}:${e.source.line}`;

/** Content identity of a message on the lab's lines: a received line matches a sent line with the same key. */
const messageKey = (from: number, type: EventType, value: string, num: number): string =>
  `${from}|${type}|${value}|${num}`;
export const keyOf = (e: TraceEvent): string => messageKey(e.from, e.type, e.value, e.num);

/** A problem with the input itself (not with the run it shows): reported with file:line, exit 2. */
export class TraceInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
    this.name = 'TraceInputError';
  }
}
