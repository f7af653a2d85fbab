/**
 * Linearizable histories by construction: clients invoke, each operation takes effect at one
 * instant (its linearization point) on a sequential register written here apart from the
 * checker's models, and completes some time later; so each interval holds its point and the
 * points' order explains every answer. Some operations time out (info) before or after their
 * point, some are cut off with no completion at all. Random choices come from a seed; fast-check
 * shrinks a failing history through its shape (fewer operations, processes, keys).
 */
import type { Event } from './support';

export type ModelName = 'cas-register' | 'kv' | 'registers';

/** A sequential data type: a random operation, and what it does to a key's state. */
interface Spec {
  init(): unknown;
  operation(choose: Choose, state: unknown): { f: string; value: unknown };
  apply(state: unknown, f: string, value: unknown): { state: unknown; type: 'ok' | 'fail'; result: unknown };
  /** A read's answer no execution can give: what a corrupted history reports. */
  impossible: unknown;
  isRead(f: string): boolean;
}

/** A number in [0, n). */
export type Choose = (n: number) => number;

/** mulberry32: small, fast, and the same everywhere for one seed. */
export function seededChooser(seed: number): Choose {
  let a = seed | 0;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const casRegister: Spec = {
  init: () => null,
  operation: (choose) => {
    const f = ['read', 'write', 'cas'][choose(3)] as string;
    if (f === 'read') return { f, value: null };
    return f === 'write' ? { f, value: choose(4) } : { f, value: [choose(4), choose(4)] };
  },
  apply: (state, f, value) => {
    if (f === 'read') return { state, type: 'ok', result: state };
    if (f === 'write') return { state: value, type: 'ok', result: value };
    const [from, to] = value as [number, number];
    return from === state ? { state: to, type: 'ok', result: value } : { state, type: 'fail', result: value };
  },
  impossible: 'never written',
  isRead: (f) => f === 'read',
};

const kv: Spec = {
  init: () => '',
  operation: (choose) => {
    const f = ['get', 'put', 'append'][choose(3)] as string;
    return { f, value: f === 'get' ? null : 'abc'.charAt(choose(3)) };
  },
  apply: (state, f, value) => {
    const next = f === 'get' ? state : f === 'put' ? value : `${state}${value}`;
    return { state: next, type: 'ok', result: f === 'get' ? state : value };
  },
  impossible: 'never written',
  isRead: (f) => f === 'get',
};

interface Versioned {
  value: string | null;
  version: number;
}

/** An ifVersion that matches about half the time: the current one, a neighbour, or none. */
function ifVersion(choose: Choose, state: Versioned): { ifVersion?: number } {
  const pick = choose(4);
  return pick === 0 ? {} : { ifVersion: Math.max(0, state.version + pick - 2) };
}

const registers: Spec = {
  init: () => ({ value: null, version: 0 }),
  operation: (choose, state) => {
    const f = ['get', 'put', 'delete'][choose(3)] as string;
    if (f === 'get') return { f, value: null };
    const condition = ifVersion(choose, state as Versioned);
    return f === 'put'
      ? { f, value: { value: 'xyz'.charAt(choose(3)), ...condition } }
      : { f, value: condition };
  },
  apply: (state, f, value) => {
    const s = state as Versioned;
    if (f === 'get') return { state: s, type: 'ok', result: s };
    const wanted = (value as { ifVersion?: number }).ifVersion;
    if (wanted !== undefined && wanted !== s.version) return { state: s, type: 'fail', result: s };
    const next = { value: f === 'put' ? (value as { value: string }).value : null, version: s.version + 1 };
    return { state: next, type: 'ok', result: next };
  },
  impossible: { value: 'never written', version: 1_000_000 },
  isRead: (f) => f === 'get',
};

const SPECS: Record<ModelName, Spec> = { 'cas-register': casRegister, kv, registers };

export interface Shape {
  model: ModelName;
  processes: number;
  operations: number;
  /** 1: a single register, written without keys. */
  keys: number;
  /** Percent of operations that time out (info), before or after taking effect. */
  timeouts: number;
}

/** An operation between its invoke and its completion. */
interface Flight {
  process: number;
  key: string | undefined;
  f: string;
  value: unknown;
  timedOut: boolean;
  outcome?: { type: 'ok' | 'fail'; result: unknown };
}

class Builder {
  readonly events: Event[] = [];
  private readonly spec: Spec;
  private readonly states = new Map<string | undefined, unknown>();
  private readonly idle: number[];
  private nextProcess: number;
  private issued = 0;
  readonly invoked: Flight[] = [];
  readonly effective: Flight[] = [];

  constructor(
    private readonly choose: Choose,
    private readonly shape: Shape,
  ) {
    this.spec = SPECS[shape.model];
    this.idle = Array.from({ length: shape.processes }, (_, p) => p);
    this.nextProcess = shape.processes;
  }

  actions(): string[] {
    const a: string[] = [];
    if (this.idle.length > 0 && this.issued < this.shape.operations) a.push('invoke');
    if (this.invoked.length > 0) a.push('take effect');
    if (this.effective.length > 0) a.push('complete');
    if (a.length > 0 && this.issued === this.shape.operations && this.choose(50) === 0) return ['stop'];
    return a;
  }

  private event(type: Event['type'], flight: Flight, value: unknown): void {
    const e: Event = { process: flight.process, type, f: flight.f, value };
    this.events.push(flight.key === undefined ? e : { ...e, key: flight.key });
  }

  private timesOut(): boolean {
    return this.choose(100) < this.shape.timeouts;
  }

  /** A process whose operation timed out is gone; a new one takes its place, as in Jepsen. */
  private release(flight: Flight, crashed: boolean): void {
    this.idle.push(crashed ? this.nextProcess++ : flight.process);
  }

  invoke(): void {
    const process = this.idle.splice(this.choose(this.idle.length), 1)[0] as number;
    const key = this.shape.keys > 1 ? `k${this.choose(this.shape.keys)}` : undefined;
    const state = this.states.has(key) ? this.states.get(key) : this.spec.init();
    const { f, value } = this.spec.operation(this.choose, state);
    const flight: Flight = { process, key, f, value, timedOut: false };
    this.issued++;
    this.event('invoke', flight, value);
    this.invoked.push(flight);
  }

  takeEffect(): void {
    const flight = this.invoked.splice(this.choose(this.invoked.length), 1)[0] as Flight;
    if (!flight.timedOut && this.timesOut()) {
      // Its answer is lost before it takes effect; it may still take effect later, or never.
      flight.timedOut = true;
      this.event('info', flight, flight.value);
      this.release(flight, true);
      if (this.choose(2) === 0) this.invoked.push(flight);
      return;
    }
    const state = this.states.has(flight.key) ? this.states.get(flight.key) : this.spec.init();
    const applied = this.spec.apply(state, flight.f, flight.value);
    this.states.set(flight.key, applied.state);
    flight.outcome = { type: applied.type, result: applied.result };
    if (!flight.timedOut) this.effective.push(flight);
  }

  complete(): void {
    const flight = this.effective.splice(this.choose(this.effective.length), 1)[0] as Flight;
    const crashed = this.timesOut();
    if (crashed) this.event('info', flight, flight.value);
    else this.event(flight.outcome?.type ?? 'ok', flight, flight.outcome?.result);
    this.release(flight, crashed);
  }
}

export function generate(choose: Choose, shape: Shape): Event[] {
  const b = new Builder(choose, shape);
  for (;;) {
    const actions = b.actions();
    const action = actions[choose(actions.length)];
    if (action === undefined || action === 'stop') return b.events;
    if (action === 'invoke') b.invoke();
    else if (action === 'take effect') b.takeEffect();
    else b.complete();
  }
}

/** The same history with one ok read's answer replaced by one no execution gives; undefined without reads. */
export function corrupt(
  events: readonly Event[],
  model: ModelName,
  choose: Choose,
): { events: Event[]; index: number } | undefined {
  const spec = SPECS[model];
  const reads = events.flatMap((e, i) => (e.type === 'ok' && spec.isRead(e.f) ? [i] : []));
  if (reads.length === 0) return undefined;
  const index = reads[choose(reads.length)] as number;
  const copy = events.slice();
  copy[index] = { ...(events[index] as Event), value: spec.impossible };
  return { events: copy, index };
}
