import { describe, expect, test } from 'vitest';
import { LOG_KEYS } from '../src/peer/logLine';
import { createPeerLogic } from '../src/peer/node';
import {
  createSimulator,
  formatTrace,
  groundTruth,
  historyOf,
  mulberry32,
  namedClusters,
  randomRun,
  replay,
  type SimStep,
  testcase1,
  testcase2,
  toMermaidSequence,
  type World,
} from '../src/sim';

const sim1 = createSimulator(createPeerLogic(testcase1));
const sim2 = createSimulator(createPeerLogic(testcase2));

/** Everything a world holds, as plain data, to compare two worlds. */
const observable = (w: World) => ({
  peers: w.peers.map(
    (s) => s && { proposers: s.proposers, acceptor: s.acceptor?.context, learner: s.learner },
  ),
  inFlight: w.inFlight,
  history: historyOf(w),
  printed: w.printed,
  proposed: w.proposed,
});

/** Delivers the oldest message until none is left. */
const drain = (sim: typeof sim1, w: World) => {
  while (w.inFlight.length > 0) sim.apply(w, { kind: 'deliver', index: 0 });
};

describe('prng', () => {
  test('mulberry32 is a function of its seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Set(xs).size).toBe(5);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43).next()).not.toBe(xs[0]);
  });
});

describe('simulator', () => {
  test('testcase 1 delivered in order: all five peers print chose X once', () => {
    const w = sim1.initial();
    sim1.apply(w, { kind: 'start', group: 1, value: 'X' });
    drain(sim1, w);
    expect(w.printed.slice(1).map((lines) => lines.map((l) => l.value))).toEqual([
      ['X'],
      ['X'],
      ['X'],
      ['X'],
      ['X'],
    ]);
  });

  test('testcase 2: peer5 starts after X is accepted, and everyone ends with X', () => {
    const w = sim2.initial();
    sim2.apply(w, { kind: 'start', group: 1, value: 'X' });
    drain(sim2, w);
    sim2.apply(w, { kind: 'start', group: 2, value: 'Y' });
    drain(sim2, w);
    expect(w.printed.slice(1).map((lines) => lines.map((l) => l.value))).toEqual([
      ['X'],
      ['X'],
      ['X'],
      ['X'],
      ['X'],
    ]);
    const truth = groundTruth(sim2.cluster);
    truth.observe(historyOf(w));
    expect(truth.chosen).toEqual([
      { group: 1, n: 1, value: 'X' },
      { group: 2, n: 2, value: 'X' },
    ]);
  });

  test('a seeded run is a function of its seed, and its steps replay it', () => {
    for (const cluster of namedClusters) {
      const sim = createSimulator(createPeerLogic(cluster));
      const a = randomRun(sim, 7, { steps: 400 });
      const b = randomRun(sim, 7, { steps: 400 });
      expect(b.steps).toEqual(a.steps);
      expect(observable(b.world)).toEqual(observable(a.world));
      expect(observable(replay(sim, a.steps).world)).toEqual(observable(a.world));
      expect(randomRun(sim, 8, { steps: 400 }).steps).not.toEqual(a.steps);
    }
  });

  test('a clone is independent of the world it was taken from', () => {
    const run = randomRun(sim2, 3, { steps: 120 });
    const before = observable(run.world);
    const copy = sim2.clone(run.world);
    for (const step of randomRun(sim2, 4, { steps: 200 }).steps) sim2.apply(copy, step);
    expect(observable(run.world)).toEqual(before);
  });

  test('drop removes a message, duplicate adds a copy; indices wrap around', () => {
    const w = sim1.initial();
    sim1.apply(w, { kind: 'start', group: 1, value: 'X' });
    expect(w.inFlight.map((s) => s.to)).toEqual([2, 3, 4]);
    const dup = sim1.apply(w, { kind: 'duplicate', index: 4 });
    expect(dup.message?.to).toBe(3);
    expect(w.inFlight.map((s) => s.to)).toEqual([2, 3, 4, 3]);
    sim1.apply(w, { kind: 'drop', index: 0 });
    expect(w.inFlight.map((s) => s.to)).toEqual([3, 4, 3]);
    expect(historyOf(w)).toHaveLength(3);
    const empty = sim1.initial();
    expect(sim1.apply(empty, { kind: 'deliver', index: 5 }).handled).toBe(false);
  });

  test('a restart keeps durable state, loses volatile state, and leaves mail in flight', () => {
    const w = sim1.initial();
    sim1.apply(w, { kind: 'start', group: 1, value: 'X' });
    sim1.apply(w, { kind: 'deliver', index: 0 }); // peer2 promises 1
    const inFlight = [...w.inFlight];
    sim1.apply(w, { kind: 'restart', peer: 2 });
    expect(w.peers[2]?.acceptor?.context.minProposal).toBe(1);
    expect(w.inFlight).toEqual(inFlight);
    // The proposer forgets its round (volatile) but not its number (durable): started again, it goes higher.
    sim1.apply(w, { kind: 'restart', peer: 1 });
    expect(w.peers[1]?.proposers[1]?.value).toEqual({ undecided: 'idle' });
    const again = sim1.apply(w, { kind: 'start', group: 1, value: 'X' });
    expect(again.sends.map((s) => s.message.n)).toEqual([2, 2, 2]);
  });

  test('every step kind is plain data that survives JSON', () => {
    const steps: SimStep[] = randomRun(sim2, 11, { steps: 300 }).steps;
    expect(new Set(steps.map((s) => s.kind))).toEqual(
      new Set(['deliver', 'drop', 'duplicate', 'restart', 'timeout', 'start']),
    );
    const parsed = JSON.parse(JSON.stringify(steps)) as SimStep[];
    expect(observable(replay(sim2, parsed).world)).toEqual(observable(replay(sim2, steps).world));
  });
});

describe('trace', () => {
  const run = randomRun(sim2, 5, { steps: 150 });

  test("log lines are the lab's JSON lines, keys in order, one per send, receipt and chose", () => {
    const text = formatTrace(sim2.cluster, run.applied);
    const lines = text.split('\n').filter((l) => !l.startsWith('#'));
    const sends = run.applied.reduce((n, a) => n + a.sends.length, 0);
    const receipts = run.applied.filter((a) => a.step.kind === 'deliver' && a.message).length;
    const choses = run.applied.filter((a) => a.learned).length;
    expect(lines).toHaveLength(sends + receipts + choses);
    for (const line of lines) {
      const json = line.slice(line.indexOf(' ') + 1);
      expect(Object.keys(JSON.parse(json))).toEqual([...LOG_KEYS]);
    }
    expect(text.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(run.applied.length);
  });

  test('the Mermaid diagram has a participant per peer and an arrow per delivery or loss', () => {
    const text = toMermaidSequence(sim2.cluster, run.applied);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.filter((l) => l.trim().startsWith('participant'))).toHaveLength(5);
    const delivered = run.applied.filter((a) => a.step.kind === 'deliver' && a.message).length;
    const lost = run.applied.filter((a) => a.step.kind === 'drop' && a.message).length;
    expect(lines.filter((l) => /^ {2}p\d+->>p\d+: /.test(l))).toHaveLength(delivered);
    expect(lines.filter((l) => /^ {2}p\d+-xp\d+: /.test(l))).toHaveLength(lost);
    for (const l of lines.slice(1)) expect(l).not.toMatch(/[;#]/);
  });
});
