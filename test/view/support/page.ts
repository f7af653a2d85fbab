/**
 * What every HTML picture must do in a real browser (Debian's chromium, headless, through
 * playwright-core), whatever run it draws: opening with every lane and the last step in
 * view, one arrow per message and one mark per event,
 * stepping, a clicked message's fields, hiding a peer, zoom, no two labels of a row on top of
 * each other, no text cut off at the right of the header or the side panel, a screenshot, no
 * console error, nothing fetched; and with JavaScript disabled, the whole diagram and a summary.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RunView } from '../../../src/view/runView';

const CHROMIUM = process.env.PAXOS_CHROMIUM ?? '/usr/bin/chromium';
export const unavailable = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is missing (apt-get install chromium)`;
export const required = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

export async function launch(): Promise<Browser> {
  if (unavailable) throw new Error(`CI must run the browser tests: ${unavailable}`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** Drops the first arrow from a page: the faulty variant the check must catch. */
export const dropOneArrow = (html: string): string =>
  html.replace(/<g class="msg[^"]*"[^>]*>[\s\S]*?<\/g>/, '');

/** Everything the page must do, for one run; throws (an assertion) on the first thing it does not. */
export async function checkPage(
  browser: Browser,
  dir: string,
  file: string,
  view: RunView,
  name: string,
): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
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
    // Before a message is selected: its label is bold then, and wider.
    expect(await overlappingLabels(page), 'labels of one row overlap').toEqual([]);
    expect(await labelsCrossed(page), 'labels crossed by arrows').toEqual([]);
    await expect.poll(() => page.locator('#controls').isVisible()).toBe(true);
    expect(await firstScreen(page), 'on load').toMatchObject({ fitsWidth: true, lastStepInView: true });
    expect(await clippedText(page), 'text cut off at the right').toEqual([]);

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

export async function checkStatic(browser: Browser, file: string, view: RunView): Promise<void> {
  const context = await browser.newContext({ javaScriptEnabled: false });
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

/**
 * Pairs of labels that overlap on one row of the picture, measured by the browser (getBBox,
 * in the SVG's own units): every text of the events, messages, chosen markers and the
 * violation, assigned to the row band holding its centre. Empty when the picture reads.
 */
async function overlappingLabels(page: Page): Promise<string[]> {
  // A string, not a function: it runs in the page, and the tests are compiled without DOM types.
  return page.evaluate<string[]>(`(() => {
    const svg = document.querySelector('svg.paxos-run');
    const bands = [...svg.querySelectorAll('.row .row-band')].map((r) => {
      const b = r.getBBox();
      return { y1: b.y, y2: b.y + b.height, row: r.parentElement.getAttribute('data-row') };
    });
    const texts = [...svg.querySelectorAll('.events text, .messages text, .dup-badges text, .chosen-marks text, .violation text')].map((t) => {
      const b = t.getBBox();
      const cy = b.y + b.height / 2;
      const band = bands.find((x) => cy >= x.y1 && cy < x.y2);
      return { b, text: t.textContent, row: band ? band.row : 'outside' };
    });
    const out = [];
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i];
        const c = texts[j];
        if (a.row !== c.row) continue;
        const apart = a.b.x + a.b.width <= c.b.x || c.b.x + c.b.width <= a.b.x ||
          a.b.y + a.b.height <= c.b.y || c.b.y + c.b.height <= a.b.y;
        if (!apart) out.push('row ' + a.row + ': "' + a.text + '" and "' + c.text + '"');
      }
    return out;
  })()`);
}

/**
 * Labels an arrow runs through, measured by the browser: every text of the events, messages,
 * chosen markers and the violation against every arrow but the label's own (a straight line,
 * or a loop to oneself followed along its length), with the text's box inset by a pixel so
 * that an arrow grazing a box's edge does not count. A label on a white plate hides the arrow
 * under it, so nothing runs through it. Empty when no arrow crosses a label.
 */
async function labelsCrossed(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const svg = document.querySelector('svg.paxos-run');
    const arrows = [...svg.querySelectorAll('.msg')].map((g) => {
      const pts = [];
      const line = g.querySelector(':scope > line');
      if (line) for (const a of ['1', '2']) pts.push([+line.getAttribute('x' + a), +line.getAttribute('y' + a)]);
      const loop = g.querySelector(':scope > path:not(.cross)');
      if (loop) for (let i = 0, n = loop.getTotalLength(); i <= 20; i++) {
        const p = loop.getPointAtLength((n * i) / 20);
        pts.push([p.x, p.y]);
      }
      return { g, pts, name: g.getAttribute('data-msg') };
    });
    // Liang-Barsky: does the segment from p to q enter the box?
    const crosses = (p, q, b) => {
      let t0 = 0, t1 = 1;
      const d = [q[0] - p[0], q[1] - p[1]];
      const sides = [[-d[0], p[0] - b.x1], [d[0], b.x2 - p[0]], [-d[1], p[1] - b.y1], [d[1], b.y2 - p[1]]];
      for (const [num, lim] of sides) {
        if (num === 0) { if (lim < 0) return false; continue; }
        const t = lim / num;
        if (num < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t);
        if (t0 > t1) return false;
      }
      return true;
    };
    const out = [];
    for (const t of svg.querySelectorAll('.events text, .messages text, .dup-badges text, .chosen-marks text, .violation text')) {
      if (t.parentElement.querySelector(':scope > .plate')) continue;
      const r = t.getBBox();
      const b = { x1: r.x + 1, y1: r.y + 1, x2: r.x + r.width - 1, y2: r.y + r.height - 1 };
      for (const a of arrows) {
        if (a.g.contains(t)) continue;
        for (let i = 1; i < a.pts.length; i++)
          if (crosses(a.pts[i - 1], a.pts[i], b)) {
            out.push('"' + t.textContent + '" crossed by message ' + a.name);
            break;
          }
      }
    }
    return out;
  })()`);
}

/** Opens a picture and measures its labels. */
export async function labelsOverlapping(browser: Browser, file: string): Promise<string[]> {
  const page = await browser.newPage();
  try {
    await page.goto(pathToFileURL(file).href);
    return await overlappingLabels(page);
  } finally {
    await page.close();
  }
}

/**
 * What the first screen shows: whether the diagram's whole width fits its box (no lane cut
 * off), whether the current step's row is inside the box, and how many rows are.
 */
export async function firstScreen(
  page: Page,
): Promise<{ fitsWidth: boolean; lastStepInView: boolean; rowsInView: number }> {
  return page.evaluate(`(() => {
    const box = document.getElementById('diagram');
    const r = box.getBoundingClientRect();
    const inside = (b) => b.top >= r.top - 0.5 && b.bottom <= r.bottom + 0.5;
    const bands = [...box.querySelectorAll('.row .row-band')];
    const last = bands[bands.length - 1];
    return {
      fitsWidth: box.scrollWidth <= box.clientWidth + 1,
      lastStepInView: last !== undefined && inside(last.getBoundingClientRect()),
      rowsInView: bands.filter((b) => inside(b.getBoundingClientRect())).length,
    };
  })()`);
}

/** Elements of the page's header and side panel whose text runs past their box, clipped or scrolled away. */
async function clippedText(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const out = [];
    for (const e of document.querySelectorAll('header, header *, aside, aside *')) {
      if (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
        out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ': ' + (e.textContent || '').slice(0, 60));
    }
    if (document.documentElement.scrollWidth > window.innerWidth) out.push('the page scrolls sideways');
    return out;
  })()`);
}
