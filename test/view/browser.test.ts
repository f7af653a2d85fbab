/**
 * The HTML pictures in a real browser: Debian's chromium, driven headless by playwright-core.
 * For each of the three inputs (a simulation, a checker counterexample, a real run's lab
 * lines): the page opens from disk, draws one arrow per message and one mark per event,
 * steps, shows a clicked message's fields, hides a peer, zooms, takes a screenshot, and logs
 * no console error; with JavaScript disabled it still shows the whole diagram. A page with
 * one arrow dropped must fail the same check, or the check proves nothing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderHtml } from '../../src/view/html';
import type { RunView } from '../../src/view/model';
import { disjointCounterexample, labRun, randomSimulation, scriptedTestcase2 } from './support/runs';

const CHROMIUM = process.env.PAXOS_CHROMIUM ?? '/usr/bin/chromium';
const unavailable = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)`;
const required = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const SEED = Number(process.env.VIEW_SEED ?? 11);

let browser: Browser | undefined;
let dir = '';

beforeAll(async () => {
  if (unavailable) throw new Error(`CI must run the browser tests: ${unavailable}`);
  dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-view-'));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function writePage(name: string, html: string): Promise<string> {
  const file = path.join(dir, `${name}.html`);
  await writeFile(file, html);
  return file;
}

/** Drops the first arrow from a page: the faulty variant the check must catch. */
const dropOneArrow = (html: string): string => html.replace(/<g class="msg[^"]*"[^>]*>[\s\S]*?<\/g>/, '');

/** Everything the page must do, for one run; throws (an assertion) on the first thing it does not. */
async function checkPage(file: string, view: RunView, name: string): Promise<void> {
  const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) errors.push(`the page fetched ${r.url()}`);
    });
    await page.goto(pathToFileURL(file).href);

    expect(await page.locator('svg .msg').count(), 'arrows = messages').toBe(view.messages.length);
    expect(await page.locator('svg .event').count(), 'marks = events').toBe(view.events.length);
    expect(await page.locator('svg .chosen').count(), 'chosen markers').toBe(view.chosen.length);
    expect(await page.locator('svg .peer').count(), 'lifelines').toBe(view.peers.length);
    const ids = await page
      .locator('svg .msg')
      .evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-msg'))));
    expect(ids.sort((a, b) => a - b)).toEqual(view.messages.map((m) => m.id));

    await expect.poll(() => page.locator('#controls').isVisible()).toBe(true);
    const rows = view.rows.length;
    await page.click('#first');
    expect(await page.textContent('#step-text')).toContain(`step 1 / ${rows}:`);
    expect(await page.locator('svg .future').count()).toBeGreaterThan(0);
    for (let i = 0; i < Math.min(5, rows - 1); i++) await page.click('#forward');
    expect(await page.textContent('#step-text')).toContain(`step ${Math.min(6, rows)} / ${rows}:`);
    await page.click('#back');
    expect(await page.textContent('#step-text')).toContain(`step ${Math.min(5, rows - 1)} / ${rows}:`);
    await page.keyboard.press('End');
    expect(await page.textContent('#step-text')).toContain(`step ${rows} / ${rows}:`);
    expect(await page.locator('svg .future').count()).toBe(0);

    const m = view.messages[Math.floor(view.messages.length / 2)] as RunView['messages'][number];
    await page.locator(`svg .msg[data-msg="${m.id}"]`).dispatchEvent('click');
    const fields = await page.textContent('#message-fields');
    expect(fields).toContain(`type${m.type}`);
    expect(await page.locator(`svg .msg.selected[data-msg="${m.id}"]`).count()).toBe(1);

    const first = view.peers[0]?.id as number;
    await page.locator(`[data-peer-toggle="${first}"]`).uncheck();
    const touching = view.messages.filter((x) => x.from === first || x.to === first).length;
    expect(await page.locator('svg .msg.peer-hidden').count()).toBe(touching);
    await page.locator(`[data-peer-toggle="${first}"]`).check();
    expect(await page.locator('svg .peer-hidden').count()).toBe(0);

    if (view.violation) {
      await page.click('#jump-violation');
      expect(await page.textContent('#step-text')).toContain(`step ${view.violation.row + 1} / ${rows}:`);
      expect(await page.textContent('#details')).toContain(`Violation of ${view.violation.rule}`);
    } else expect(await page.locator('#jump-violation').isVisible()).toBe(false);

    const width = Number(await page.locator('#diagram svg').getAttribute('width'));
    await page.click('#zoom-in');
    expect(Number(await page.locator('#diagram svg').getAttribute('width'))).toBeGreaterThan(width);
    await page.click('#zoom-out');

    const shot = path.join(dir, `${name}.png`);
    await page.screenshot({ path: shot, fullPage: false });
    const png = await readFile(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect((await stat(shot)).size).toBeGreaterThan(5_000);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}

async function checkStatic(file: string, view: RunView): Promise<void> {
  const context = await (browser as Browser).newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href);
    expect(await page.locator('svg .msg').count()).toBe(view.messages.length);
    expect(await page.locator('svg .event').count()).toBe(view.events.length);
    expect(await page.locator('#controls').isVisible()).toBe(false);
    const box = await page.locator('#diagram svg').boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(300);
    expect(box?.height ?? 0).toBeGreaterThan(200);
    // The static summary stands in for the script's panel.
    expect(await page.textContent('#details')).toContain(`${view.messages.length} messages`);
  } finally {
    await context.close();
  }
}

const runs: [string, () => RunView][] = [
  ['simulation', () => scriptedTestcase2()],
  ['random simulation', () => randomSimulation(SEED).view],
  ['counterexample', () => disjointCounterexample()],
  ['real run', () => labRun('test/view/fixtures/cluster-testcase2.log')],
  ['real run with a violation', () => labRun('test/trace/fixtures/accept-below-promise.log')],
];

describe.skipIf(unavailable !== undefined && !required)('pictures in chromium', () => {
  test.each(runs)('%s: arrows, marks, stepping, a clicked message, no console error', async (name, make) => {
    if (name === 'random simulation') process.stdout.write(`random simulation seed ${SEED} (VIEW_SEED)\n`);
    const view = make();
    const file = await writePage(name.replace(/ /g, '-'), renderHtml(view));
    await checkPage(file, view, name.replace(/ /g, '-'));
  });

  test.each(runs.slice(0, 4))('%s: renders with JavaScript disabled', async (name, make) => {
    const view = make();
    await checkStatic(await writePage(`${name.replace(/ /g, '-')}-static`, renderHtml(view)), view);
  });

  test('a page with one arrow dropped fails the check', async () => {
    const view = scriptedTestcase2();
    const html = renderHtml(view);
    const faulty = dropOneArrow(html);
    expect(faulty.length).toBeLessThan(html.length);
    const file = await writePage('dropped-arrow', faulty);
    await expect(checkPage(file, view, 'dropped-arrow')).rejects.toThrow(/arrows = messages/);
    await expect(checkStatic(file, view)).rejects.toThrow();
  });
});
