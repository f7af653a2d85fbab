/** What a picture says about a run, checked against the run itself (not against the picture's own code). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { exploreMachines } from '../../src/check/worlds';
import { placeStructured, validateStructured } from '../../src/trace/structured';
import { CounterexampleError, viewOfCounterexample } from '../../src/view/fromCheck';
import { viewOfStructured } from '../../src/view/fromStructured';
import { disjointCluster } from '../../src/view/pictures';
import type { RunView } from '../../src/view/runView';
import { renderShiviz } from '../../src/view/shiviz';
import { renderSvg } from '../../src/view/svg';
import { historyOf } from '../../src/world/world';
import {
  disjointCounterexample,
  FIXTURES,
  labRun,
  randomSimulation,
  scriptedTestcase2,
  testcase2,
} from './support/runs';

const count = (svg: string, cls: string) => (svg.match(new RegExp(`<g class="${cls}[ "]`, 'g')) ?? []).length;

function checkShape(view: RunView): void {
  for (const m of view.messages) {
    const send = view.events[m.send];
    expect(send?.peer).toBe(m.from);
    if (m.fate === 'delivered') {
      const receive = view.events[m.receive as number];
      expect(receive?.peer).toBe(m.to);
      expect(receive?.row).toBeGreaterThan(send?.row as number);
    } else expect(m.receive).toBeUndefined();
  }
  const svg = renderSvg(view);
  expect(count(svg, 'msg')).toBe(view.messages.length);
  expect(count(svg, 'event')).toBe(view.events.length);
}

describe('simulation', () => {
  test('testcase 2 as on slide 46: peer5 adopts X, everyone prints chose X', () => {
    const view = scriptedTestcase2();
    checkShape(view);
    const accepts5 = view.messages.filter((m) => m.from === 5 && m.type === 'accept');
    expect(accepts5.length).toBeGreaterThan(0);
    expect(accepts5.every((m) => m.fields.value === 'X' && m.fields.n === 2)).toBe(true);
    // peer3's promise to peer5 reports what it accepted from peer1.
    const promise3 = view.messages.find((m) => m.from === 3 && m.to === 5 && m.type === 'prepare_ack');
    expect(promise3?.fields).toMatchObject({ acceptedProposal: 1, acceptedValue: 'X', promised: true });
    const rejected = view.messages.filter((m) => m.type === 'accept_ack' && m.tone === 'no');
    expect(rejected.length).toBeGreaterThan(0);
    const chose = view.events.filter((e) => e.kind === 'chose');
    expect(chose.map((e) => e.peer).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(chose.every((e) => e.label === 'chose X')).toBe(true);
    expect(view.chosen.map((c) => c.value)).toEqual(['X', 'X']);
    expect(view.chosen[0]?.text).toMatch(
      /X chosen \(n=2\): a majority of group 2's acceptors \(peer\d, peer\d\) accepted/,
    );
  });

  test('a random run with losses, duplicates and crashes: one arrow per message sent or copied', () => {
    for (const seed of [3, 11, 29]) {
      const { run, view } = randomSimulation(seed, 150);
      checkShape(view);
      const dups = run.applied.filter((a) => a.step.kind === 'duplicate' && a.message).length;
      const drops = run.applied.filter((a) => a.step.kind === 'drop' && a.message).length;
      expect(view.messages.length, `seed ${seed}`).toBe(historyOf(run.world).length + dups);
      expect(view.messages.filter((m) => m.duplicate).length).toBe(dups);
      expect(view.messages.filter((m) => m.fate === 'lost').length).toBe(drops);
      expect(view.messages.filter((m) => m.fate === 'in-flight').length).toBe(run.world.inFlight.length);
      const restarts = run.applied.filter((a) => a.step.kind === 'restart' && a.handled).length;
      expect(view.events.filter((e) => e.kind === 'restart').length).toBe(restarts);
      expect(view.rows.length).toBe(run.steps.length);
    }
  });
});

describe('counterexample', () => {
  test('disjoint quorums: replayed exactly, the second value chosen on the step marked', () => {
    const view = disjointCounterexample();
    checkShape(view);
    expect(view.kind).toBe('counterexample');
    expect(view.chosen.map((c) => c.value)).toEqual(['X', 'Y']);
    const v = view.violation;
    expect(v?.rule).toBe('Agreement');
    expect(v?.ruleText).toBe('at most one value is chosen');
    expect(v?.row).toBe(view.rows.length - 1);
    expect(view.chosen[1]?.row).toBe(v?.row);
    expect(view.events[v?.event as number]?.row).toBe(v?.row);
    const svg = renderSvg(view);
    expect(svg).toContain('class="chosen breaking"');
    expect(svg).toContain('Violation of Agreement: at most one value is chosen.');
  });

  test('a counterexample the simulator does not reproduce is refused, not drawn wrong', () => {
    const cluster = disjointCluster();
    const [violation] = exploreMachines({ cluster, values: { 1: 'X', 2: 'Y' }, maxRound: 1 }).violations;
    if (!violation) throw new Error('no counterexample');
    const tampered = structuredClone(violation);
    const step = tampered.trace.find(
      (s) =>
        Array.isArray((s.state as { lines?: string[] }).lines) &&
        (s.state as { lines: string[] }).lines.length > 1,
    );
    if (!step) throw new Error('no step with several lines');
    (step.state as { lines: string[] }).lines.pop();
    expect(() => viewOfCounterexample(cluster, tampered, 't')).toThrow(CounterexampleError);
  });
});

describe('real runs from lab lines', () => {
  test('a recorded paxos cluster run of testcase 2: every line placed, every receive drawn from its send', () => {
    const view = labRun('test/view/fixtures/cluster-testcase2.log');
    checkShape(view);
    expect(view.violation).toBeUndefined();
    const receives = view.events.filter((e) => e.kind === 'receive').length;
    expect(view.messages.filter((m) => m.fate === 'delivered').length).toBe(receives);
    expect(view.events.filter((e) => e.kind === 'chose').length).toBe(5);
    expect(view.chosen.map((c) => `${c.value} ${c.n}`)).toEqual(['X 1', 'X 2']);
  });

  test('a violation paxos trace finds is marked on the line it names, with the rule in words', () => {
    const view = labRun('test/trace/fixtures/accept-below-promise.log');
    const v = view.violation;
    expect(v?.rule).toBe('accept-above-promise');
    expect(v?.ruleText).toBe('acceptors never accept below their promise');
    expect(view.events[v?.event as number]?.detail).toContain(
      'test/trace/fixtures/accept-below-promise.log:14',
    );
  });
});

test('ShiViz log: the parser regex, then one line per event whose own clock counts by one', () => {
  const view = scriptedTestcase2();
  const lines = renderShiviz(view).trimEnd().split('\n');
  const regex = new RegExp(lines[0] as string);
  expect(lines[1]).toBe('');
  const events = lines.slice(2);
  expect(events).toHaveLength(view.events.length);
  const seen = new Map<string, number>();
  for (const line of events) {
    const g = regex.exec(line)?.groups as { host: string; clock: string; event: string };
    const clock = JSON.parse(g.clock) as Record<string, number>;
    expect(clock[g.host]).toBe((seen.get(g.host) ?? 0) + 1);
    seen.set(g.host, clock[g.host] as number);
  }
  // peer5's accept carries what peer3's promise told it: its clock has heard of peer3.
  const adopt = events.find((l) => l.startsWith('peer5') && l.includes('sends accept 2 X'));
  expect(adopt).toMatch(/"peer3":\d/);
});

describe('real runs from structured traces', () => {
  const dir = path.join(FIXTURES, 'structured-testcase2');
  const inputs = () =>
    readdirSync(dir)
      .sort()
      .map((f) => ({ file: `structured-testcase2/${f}`, text: readFileSync(path.join(dir, f), 'utf8') }));
  /** peer1's trace with one more incarnation, recovered with `durable`. */
  const restarted = (durable: object) =>
    inputs().map((i) => {
      if (!i.file.endsWith('peer1.ndjson')) return i;
      const boot = {
        peer: 'peer1',
        id: 1,
        boot: 'again',
        seq: 0,
        clock: 100,
        batch: 0,
        input: { kind: 'boot' },
        sent: [],
        timers: [],
        chose: null,
        durable,
      };
      return { ...i, text: `${i.text}${JSON.stringify(boot)}\n` };
    });
  const draw = (files: ReturnType<typeof inputs>) => {
    const cluster = testcase2();
    const result = validateStructured(cluster, files);
    return { result, view: viewOfStructured(cluster, placeStructured(cluster, files), result, 't') };
  };

  test('a restart that recovers the last state: a crash, the lifeline broken, a restart, no violation', () => {
    const last = inputs()
      .find((i) => i.file.endsWith('peer1.ndjson'))
      ?.text.trimEnd()
      .split('\n')
      .at(-1) as string;
    const { result, view } = draw(restarted((JSON.parse(last) as { durable: object }).durable));
    expect(result.verdict).toBe('PASS');
    checkShape(view);
    const crash = view.events.find((e) => e.kind === 'crash');
    expect(crash?.label).toBe('crash');
    expect(crash?.detail).toContain('the next incarnation recovered the state after its last step');
    const restart = view.events.at(-1);
    expect(restart?.kind).toBe('restart');
    expect(view.down).toEqual([{ peer: 1, fromRow: crash?.row, toRow: restart?.row }]);
    expect(view.violation).toBeUndefined();
  });

  test('a restart that forgot its proposal number: durable-recovered ringed on the restart', () => {
    const { result, view } = draw(restarted({ proposers: { 1: { n: 0 } }, learner: { learned: null } }));
    expect(result.failure?.rule).toBe('durable-recovered');
    const v = view.violation;
    expect(view.events[v?.event as number]?.kind).toBe('restart');
    expect(v?.ruleText).toBe(result.failure?.ruleText);
    expect(view.events.find((e) => e.kind === 'crash')?.detail.at(-1)).toMatch(
      /a state this incarnation never reached/,
    );
    expect(renderSvg(view)).toContain('Violation of durable-recovered:');
  });
});
