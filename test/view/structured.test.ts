/**
 * Pictures of real runs from structured traces: runs recorded by real processes
 * (`paxos cluster --trace-dir` on both testcases, a peer SIGKILLed at its first save and
 * restarted, a faulty runtime), each checked against its own records, in the model and in
 * chromium: one arrow per message sent or received again, one mark per step, crash and
 * restart, the timer that fired and the backoffs armed, each acceptor's recorded durable
 * state, chose marks, the chosen line, and the violation paxos trace finds.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderHtml } from '../../src/view/html';
import { acceptorText, type RunView } from '../../src/view/runView';
import { renderSvg } from '../../src/view/svg';
import { requireBuiltCli } from '../e2e/support/paths';
import { checkPage, checkStatic, dropOneArrow, launch, required, unavailable } from './support/page';
import {
  cleanupRecordings,
  type Recorded,
  recordChoseOnAccept,
  recordCluster,
  recordCrashRestart,
} from './support/recorded';

const runs = new Map<string, Recorded>();
beforeAll(async () => {
  requireBuiltCli();
  // The two cores run two recordings at a time; each takes a few seconds.
  const [tc1, tc2] = await Promise.all([
    recordCluster(1, ['--value', 'peer1=X']),
    // peer5 chooses Y first; peer1, two seconds later (room for a loaded machine), is refused,
    // backs off, retries and adopts Y.
    recordCluster(2, ['--value', 'peer1=X', '--value', 'peer5=Y', '--delay', 'peer1=2']),
  ]);
  const [crash, faulty] = await Promise.all([recordCrashRestart(), recordChoseOnAccept()]);
  for (const r of [tc1, tc2, crash, faulty]) runs.set(r.name, r);
  // To look at what was recorded: VIEW_KEEP=DIR keeps each run's SVG there.
  const keep = process.env.VIEW_KEEP;
  if (keep)
    for (const r of runs.values())
      await writeFile(path.join(keep, `${r.name.replace(/\W+/g, '-')}.svg`), renderSvg(r.view));
}, 90_000);
afterAll(cleanupRecordings);

const get = (name: string) => runs.get(name) as Recorded;

/** The picture, held against the records it was drawn from (not against the drawing code's own bookkeeping). */
function matchesRecords(rec: Recorded): void {
  const { view, records } = rec;
  const restarts = records.filter(
    (p, i) => p.record.input.kind === 'boot' && records.slice(0, i).some((q) => q.record.id === p.record.id),
  );
  expect(view.rows.length, 'a row per record, and one per crash').toBe(records.length + restarts.length);

  const kindOf = (p: Recorded['records'][number]) => {
    const input = p.record.input;
    if (input.kind === 'boot') return restarts.includes(p) ? 'restart' : 'boot';
    return input.kind;
  };
  const main = view.events.filter((e) => e.kind !== 'chose' && e.kind !== 'crash');
  expect(main.map((e) => e.kind)).toEqual(records.map(kindOf));
  records.forEach((p, i) => {
    const e = main[i] as RunView['events'][number];
    expect(e.peer).toBe(p.record.id);
    // Every step of a peer holding an acceptor carries the durable state the peer recorded.
    const hasAcceptor = (rec.cluster.peers[p.record.id - 1]?.acceptor.length ?? 0) > 0;
    expect(e.acceptor).toEqual(hasAcceptor ? p.record.durable.acceptor : undefined);
    expect(e.neverDurable === true).toBe(p.setAside);
    const input = p.record.input;
    if (input.kind === 'timeout') expect(e.label).toContain(`timeout p${input.group} ${input.timer?.kind}`);
    for (const t of p.record.timers)
      if (t.timer.kind === 'backoff') expect(e.label).toContain(`backoff #${t.timer.attempt}`);
  });
  expect(view.events.filter((e) => e.kind === 'chose').map((e) => `${e.peer} ${e.label}`)).toEqual(
    records.filter((p) => p.record.chose).map((p) => `${p.record.id} chose ${p.record.chose?.value}`),
  );
  expect(view.events.filter((e) => e.kind === 'crash').map((e) => e.peer)).toEqual(
    restarts.map((p) => p.record.id),
  );

  // Arrows: one per message sent, and one more per extra receive of the same id.
  const sent = records.flatMap((p) => p.record.sent.map((s) => ({ ...s, by: p })));
  const received = records.flatMap((p) =>
    p.record.input.kind === 'receive' && p.record.input.id ? [{ id: p.record.input.id, by: p }] : [],
  );
  const sentIds = new Set(sent.map((s) => s.id));
  const receivedIds = new Set(received.map((r) => r.id));
  const extra = received.filter(
    (r, i) => sentIds.has(r.id) && received.findIndex((x) => x.id === r.id) !== i,
  ).length;
  expect(view.messages.length).toBe(sent.length + extra);
  expect(view.messages.filter((m) => m.duplicate).length).toBe(extra);
  expect(view.messages.filter((m) => m.fate === 'lost').map((m) => m.fields.id)).toEqual(
    sent.filter((s) => !receivedIds.has(s.id)).map((s) => s.id),
  );
  for (const m of view.messages) {
    const send = view.events[m.send];
    expect(send?.peer).toBe(m.from);
    if (m.fate !== 'delivered') continue;
    const receive = view.events[m.receive as number];
    const at = main.indexOf(receive as RunView['events'][number]);
    const input = records[at]?.record.input;
    expect(input?.kind === 'receive' ? input.id : undefined, 'paired by id').toBe(m.fields.id);
    expect(receive?.peer).toBe(m.to);
    expect(receive?.row).toBeGreaterThan(send?.row as number);
  }
  const svg = renderSvg(view);
  const count = (cls: string) => (svg.match(new RegExp(`<g class="${cls}[ "]`, 'g')) ?? []).length;
  expect(count('msg')).toBe(view.messages.length);
  expect(count('event')).toBe(view.events.length);
}

describe('structured traces of real runs, in the model', () => {
  test('testcase 1: every record drawn, every receive paired with its send by id, X chosen', () => {
    const rec = get('testcase 1');
    expect(rec.result.verdict, JSON.stringify(rec.result.failure)).toBe('PASS');
    matchesRecords(rec);
    expect(rec.view.violation).toBeUndefined();
    // Usually at 1; a loaded machine may let the first round time out and a retry choose.
    expect(rec.view.chosen.map((c) => c.value)).toEqual(['X']);
    expect(rec.view.events.filter((e) => e.kind === 'chose')).toHaveLength(5);
  });

  test('testcase 2: peer1 is refused, arms a backoff, times out, retries and adopts Y', () => {
    const rec = get('testcase 2');
    expect(rec.result.verdict, JSON.stringify(rec.result.failure)).toBe('PASS');
    matchesRecords(rec);
    const { view } = rec;
    expect(view.messages.some((m) => m.tone === 'no' && m.to === 1)).toBe(true);
    expect(view.events.some((e) => e.peer === 1 && /backoff #0/.test(e.label))).toBe(true);
    expect(view.events.some((e) => e.peer === 1 && e.kind === 'timeout' && /backoff/.test(e.label))).toBe(
      true,
    );
    expect(view.chosen.map((c) => c.value)).toEqual(['Y', 'Y']);
    expect(view.chosen[0]?.text).toMatch(/^Y chosen \(n=2\): a majority of group 2's acceptors/);
  });

  test('a peer killed at its first save: the batch set aside, the crash, the lifeline broken, the restart', () => {
    const rec = get('crash and restart');
    expect(rec.result.verdict, JSON.stringify(rec.result.failure)).toBe('PASS');
    matchesRecords(rec);
    const { view } = rec;
    const crash = view.events.find((e) => e.kind === 'crash');
    expect(crash?.peer).toBe(2);
    expect(crash?.label).toBe('crash: last batch not durable');
    const restart = view.events.find((e) => e.kind === 'restart');
    expect(restart?.peer).toBe(2);
    expect(view.down).toEqual([{ peer: 2, fromRow: crash?.row, toRow: restart?.row }]);
    // What it promised was never on stable storage; the restart recovered the state before it.
    const faded = view.events.filter((e) => e.neverDurable);
    expect(faded.length).toBeGreaterThan(0);
    expect(faded.every((e) => e.peer === 2 && e.row < (crash?.row as number))).toBe(true);
    expect(acceptorText(restart?.acceptor as NonNullable<RunView['events'][number]['acceptor']>)).toBe(
      '(0, 0, -)',
    );
    expect(
      view.events.some((e) => e.peer === 1 && e.kind === 'timeout' && e.label.startsWith('timeout p1 round')),
    ).toBe(true);
    expect(view.chosen.map((c) => c.value)).toEqual(['X']);
    const svg = renderSvg(view);
    expect(svg).toContain('class="event kind-crash"');
    expect(svg).toContain('class="downtime"');
  });

  test('a faulty runtime: the violation paxos trace finds is ringed on its chose, with the rule in words', () => {
    const rec = get('chose on accept (faulty runtime)');
    expect(rec.result.verdict).toBe('FAIL');
    expect(rec.result.failure?.rule).toBe('machines');
    matchesRecords(rec);
    const v = rec.view.violation;
    const e = rec.view.events[v?.event as number];
    expect(e?.peer).toBe(2);
    expect(e?.kind).toBe('chose');
    expect(e?.detail).toContain(rec.result.failure?.at);
    expect(v?.ruleText).toBe(rec.result.failure?.ruleText);
    expect(renderSvg(rec.view)).toContain(`Violation of machines: ${rec.result.failure?.ruleText}.`);
  });
});

describe.skipIf(unavailable !== undefined && !required)('structured traces of real runs, in chromium', () => {
  let browser: Browser | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-view-structured-'));
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test.each(['testcase 1', 'testcase 2', 'crash and restart', 'chose on accept (faulty runtime)'])(
    '%s: arrows = messages, marks = events by kind, the violation, no console error, scripting off, labels apart',
    async (name) => {
      const { view } = get(name);
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.html`);
      await writeFile(file, renderHtml(view));
      await checkPage(browser as Browser, dir, file, view, name.replace(/\W+/g, '-'));
      await checkStatic(browser as Browser, file, view);
      const page = await (browser as Browser).newPage();
      try {
        await page.goto(`file://${file}`);
        for (const kind of ['boot', 'restart', 'crash', 'start', 'timeout', 'receive', 'chose'])
          expect(await page.locator(`svg .event.kind-${kind}`).count(), kind).toBe(
            view.events.filter((e) => e.kind === kind).length,
          );
        expect(await page.locator('svg .msg.fate-lost').count()).toBe(
          view.messages.filter((m) => m.fate === 'lost').length,
        );
        expect(await page.locator('svg .event.never-durable').count()).toBe(
          view.events.filter((e) => e.neverDurable).length,
        );
        if (view.violation)
          expect(await page.locator(`svg .violation[data-event="${view.violation.event}"]`).count()).toBe(1);
      } finally {
        await page.close();
      }
    },
  );

  test('the same check fails on a structured run with one arrow dropped', async () => {
    const { view } = get('crash and restart');
    const file = path.join(dir, 'dropped-arrow.html');
    await writeFile(file, dropOneArrow(renderHtml(view)));
    await expect(checkPage(browser as Browser, dir, file, view, 'dropped-arrow')).rejects.toThrow(
      /arrows = messages/,
    );
  });
});
