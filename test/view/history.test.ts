/**
 * Pictures of histories (`paxos linearizable --html`) in a real browser: a linearizable
 * history, a stale read (not linearizable: its prefix and the read marked), and one with
 * info and unanswered operations over several keys under a partition. Each page is measured
 * against the history it draws; a page with its prefix marks dropped, or with one bar moved,
 * must fail the same measurement, or the measurement proves nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkHistory, type History, MODELS, type Model, readHistory } from '../../src/linearizability/index';
import { historyPage } from '../../src/view/history/page';
import { corrupt, generate, seededChooser } from '../linearizability/generate';
import { type Event, info, invoke, ok } from '../linearizability/support';
import { historyPageProblems } from './support/history';
import { launch, required, unavailable } from './support/page';

const nemesis = (f: string) => ({ process: 'nemesis', type: 'info', f, value: null });

const HISTORIES: Record<string, (Event | ReturnType<typeof nemesis>)[]> = {
  linearizable: [
    invoke(0, 'write', 1),
    invoke(1, 'read'),
    ok(0, 'write', 1),
    invoke(2, 'cas', [1, 2]),
    ok(1, 'read', 1),
    ok(2, 'cas', [1, 2]),
    invoke(0, 'read'),
    ok(0, 'read', 2),
  ],
  // Two writes complete, then a read returns the first: stale.
  stale: [
    invoke(0, 'write', 1),
    ok(0, 'write', 1),
    invoke(1, 'write', 2),
    ok(1, 'write', 2),
    invoke(2, 'read'),
    ok(2, 'read', 1),
  ],
  unknowns: [
    invoke(0, 'write', 1, 'a'),
    invoke(1, 'write', 5, 'b'),
    nemesis('start-partition'),
    nemesis('start-partition'),
    ok(0, 'write', 1, 'a'),
    info(1, 'write', 5, 'b'),
    invoke(1, 'read', null, 'b'),
    invoke(2, 'write', 7, 'a'),
    nemesis('stop-partition'),
    ok(1, 'read', 5, 'b'),
    invoke(0, 'read', null, 'a'),
    ok(0, 'read', 1, 'a'),
    invoke(3, 'read', null, 'b'),
  ],
};

let browser: Browser | undefined;
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-history-view-'));
  if (!unavailable || required) browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function checked(name: string) {
  const text = (HISTORIES[name] ?? []).map((e) => JSON.stringify(e)).join('\n');
  const history = readHistory(`${name}.jsonl`, text);
  return { history, result: checkHistory(history, MODELS['cas-register'] as Model) };
}

async function problems(
  name: string,
  history: History,
  html: string,
  result = checkHistory(history, MODELS['cas-register'] as Model),
) {
  const file = path.join(dir, `${name}.html`);
  await writeFile(file, html);
  return historyPageProblems(browser as Browser, file, history, result);
}

/** The faulty variants the measurement must catch. */
const dropPrefixMarks = (html: string) =>
  html.replace(/ prefix"/g, '"').replace(/<rect class="prefix-mark"[^>]*\/>/g, '');
const moveBar = (html: string, line: number) =>
  html.replace(
    new RegExp(`(data-line="${line}"[\\s\\S]*?class="bar-fill" x=")([\\d.]+)`),
    (_, head, x) => `${head}${Number(x) + 400}`,
  );

describe.skipIf(unavailable !== undefined && !required)('pictures of histories in chromium', () => {
  test.each(Object.keys(HISTORIES))(
    '%s: lanes, bars in order, labels apart, verdict marks, legend',
    async (name) => {
      const { history, result } = checked(name);
      expect(await problems(name, history, historyPage(history, result, { model: 'cas-register' }))).toEqual(
        [],
      );
    },
  );

  test('the stale read: its read cannot be placed after both writes', () => {
    const { result } = checked('stale');
    expect(result.verdict).toBe('NOT_LINEARIZABLE');
    expect(result.failure?.operation.line).toBe(5);
    expect(result.failure?.prefix.map((p) => p.line)).toEqual([1, 3]);
  });

  test('the unknowns: info and unanswered operations open to the end, two keys, a partition band', () => {
    const { history, result } = checked('unknowns');
    const html = historyPage(history, result);
    expect(html.match(/class="op (info|pending)/g)).toHaveLength(3);
    expect(html.match(/class="fault"/g)).toHaveLength(1);
    // Jepsen's invoke/info pair of the start counts once; the band ends at the stop.
    expect(html).toContain('data-start="1.5" data-end="5.5"');
    expect(html).toContain('key &quot;a&quot;');
    expect(html).toContain('key &quot;b&quot;');
  });

  test('a generated registers history, 60 operations over 3 keys with timeouts, one read corrupted', async () => {
    const choose = seededChooser(7);
    const shape = { model: 'registers', processes: 5, operations: 60, keys: 3, timeouts: 15 } as const;
    const bad = corrupt(generate(choose, shape), 'registers', choose);
    const history = readHistory(
      'generated.jsonl',
      (bad?.events ?? []).map((e) => JSON.stringify(e)).join('\n'),
    );
    const result = checkHistory(history, MODELS.registers as Model);
    expect(result.verdict).toBe('NOT_LINEARIZABLE');
    const html = historyPage(history, result, { model: 'registers' });
    expect(await problems('generated', history, html, result)).toEqual([]);
  });

  test('negative controls: the prefix marks dropped, or a bar moved, are caught', async () => {
    const { history, result } = checked('stale');
    const html = historyPage(history, result);
    const [noPrefix, moved] = await Promise.all([
      problems('no-prefix', history, dropPrefixMarks(html), result),
      problems('moved', history, moveBar(html, 1), result),
    ]);
    expect(noPrefix.join('\n')).toMatch(/prefix marked/);
    expect(moved.join('\n')).toMatch(/line 1 completed before 3 was invoked, drawn overlapping/);
  });
});
