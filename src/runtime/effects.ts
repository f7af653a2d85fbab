/**
 * What a host does with a batch once the machines have stepped it: save, print, send.
 * The loop (host.ts) always calls them in that order; crash points, the faulty runtimes
 * the tests must catch, and the latency benchmark's timing wrap these effects instead of
 * living in the loop.
 */
import type { PeerId } from '../../machines/messages';
import type { PeerDurable } from '../peer/node';
import { type FaultName, failpoint } from './failpoints';

export interface Frame {
  to: PeerId;
  frame: string;
}

export interface Effects {
  /** Called at the start of a batch, when its first input arrived (monotonic ms). */
  begin(arrived: number): void;
  /** Returns once `durable` is on stable storage. */
  save(durable: PeerDurable): void;
  print(lines: readonly string[]): void;
  send(frames: readonly Frame[]): void;
  /** Called at the end of a batch of `inputs` inputs. */
  end(inputs: number): void;
}

export interface EffectSinks {
  save(durable: PeerDurable): void;
  print(lines: readonly string[]): void;
  send(to: PeerId, frame: string): void;
}

export function plainEffects(sinks: EffectSinks): Effects {
  return {
    begin() {},
    save: (durable) => sinks.save(durable),
    print: (lines) => {
      if (lines.length > 0) sinks.print(lines);
    },
    send: (frames) => {
      for (const { to, frame } of frames) sinks.send(to, frame);
    },
    end() {},
  };
}

/** The crash points of failpoints.ts, where a batch reaches them. */
export function withCrashPoints(inner: Effects): Effects {
  let saved = false;
  return {
    ...inner,
    save(durable) {
      failpoint('before-write');
      inner.save(durable);
      saved = true;
      failpoint('before-send');
    },
    send(frames) {
      frames.forEach((f, i) => {
        inner.send([f]);
        if (i === 0) failpoint('mid-send');
      });
      if (saved) failpoint('after-send');
      saved = false;
    },
  };
}

/** The forget-number fault: what a proposer that keeps no number on stable storage would save. */
const forgetNumbers = (d: PeerDurable): PeerDurable => ({
  ...d,
  proposers: Object.fromEntries(Object.keys(d.proposers).map((k) => [k, { n: 0 }])),
});

/** A faulty runtime's effects (failpoints.ts): the real program with one thing wrong. */
export function withFault(inner: Effects, fault: FaultName | undefined): Effects {
  if (fault === 'forget-number') return { ...inner, save: (d) => inner.save(forgetNumbers(d)) };
  if (fault !== 'send-first') return inner;
  // Prints and sends a batch, then saves it.
  let pending: PeerDurable | null = null;
  return {
    ...inner,
    save(durable) {
      pending = durable;
    },
    send(frames) {
      inner.send(frames);
      if (pending) inner.save(pending);
      pending = null;
    },
  };
}

/** Where the time of one batch went, for the latency benchmark. Times in ms of the monotonic clock, which all processes of a machine share. */
export interface BatchTiming {
  /** When the batch's first input arrived. */
  arrived: number;
  /** When its inputs were stepped through the machines (before the save). */
  stepped: number;
  /** When its state was durable (right after stepping when nothing changed). */
  durable: number;
  /** When its lines were printed and its frames handed to the sockets. */
  sent: number;
  inputs: number;
  saved: boolean;
  /** CPU time the batch took (user + system, ms), which load on the machine does not inflate as it does wall time. */
  cpu: number;
  /** Of which in the kernel (the write, the fdatasync, the sockets). */
  sys: number;
  /** The batch's stdout lines. */
  lines: readonly string[];
}

const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Measures each batch and hands the figures to `onBatch`. */
export function timed(inner: Effects, onBatch: (t: BatchTiming) => void): Effects {
  let t: BatchTiming;
  let cpuBefore: NodeJS.CpuUsage;
  const stepped = () => {
    if (t.stepped === 0) t.stepped = t.durable = monotonicMs();
  };
  return {
    begin(arrived) {
      cpuBefore = process.cpuUsage();
      t = { arrived, stepped: 0, durable: 0, sent: 0, inputs: 0, saved: false, cpu: 0, sys: 0, lines: [] };
      inner.begin(arrived);
    },
    save(durable) {
      stepped();
      inner.save(durable);
      t.saved = true;
      t.durable = monotonicMs();
    },
    print(lines) {
      stepped();
      t.lines = lines;
      inner.print(lines);
    },
    send(frames) {
      inner.send(frames);
      t.sent = monotonicMs();
    },
    end(inputs) {
      inner.end(inputs);
      const cpu = process.cpuUsage(cpuBefore);
      onBatch({ ...t, inputs, cpu: (cpu.user + cpu.system) / 1000, sys: cpu.system / 1000 });
    },
  };
}
