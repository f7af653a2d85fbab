/**
 * The HTML pictures in a real browser: Debian's chromium, driven headless by playwright-core.
 * For each of the three inputs (a simulation, a checker counterexample, a real run's lab
 * lines, and a seven-peer simulation): the page opens from disk at the last step with it in
 * view and every lane within the window, draws one arrow per message and one mark per event,
 * keeps the labels of each row apart, steps, shows a clicked message's fields, hides a peer,
 * zooms, takes a screenshot, and logs no console error; with JavaScript disabled it still shows the whole diagram. A page with
 * one arrow dropped must fail the same check, or the check proves nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderHtml } from '../../src/view/html';
import type { RunView } from '../../src/view/runView';
import {
  checkPage as check,
  checkStatic as checkStaticPage,
  dropOneArrow,
  firstScreen,
  labelsOverlapping,
  launch,
  required,
  unavailable,
} from './support/page';
import {
  disjointCounterexample,
  labRun,
  randomSimulation,
  scriptedTestcase2,
  sevenPeers,
} from './support/runs';

const SEED = Number(process.env.VIEW_SEED ?? 11);

let browser: Browser | undefined;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-view-'));
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const checkPage = (file: string, view: RunView, name: string) =>
  check(browser as Browser, dir, file, view, name);
const checkStatic = (file: string, view: RunView) => checkStaticPage(browser as Browser, file, view);

async function writePage(name: string, html: string): Promise<string> {
  const file = path.join(dir, `${name}.html`);
  await writeFile(file, html);
  return file;
}

const runs: [string, () => RunView][] = [
  ['simulation', () => scriptedTestcase2()],
  ['random simulation', () => randomSimulation(SEED).view],
  ['counterexample', () => disjointCounterexample()],
  ['real run', () => labRun('test/view/fixtures/cluster-testcase2.log')],
  ['real run with a violation', () => labRun('test/trace/fixtures/accept-below-promise.log')],
  ['seven peers', () => sevenPeers(SEED)],
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

  test('a first screen at 1280x800 shows at least 26 steps of a long run', async () => {
    const file = await writePage('first-screen', renderHtml(randomSimulation(SEED, 200).view));
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(pathToFileURL(file).href);
      const screen = await firstScreen(page);
      process.stdout.write(`steps on a first screen: ${screen.rowsInView}\n`);
      expect(screen.rowsInView).toBeGreaterThanOrEqual(26);
    } finally {
      await page.close();
    }
  });

  test('the label check sees two labels on top of each other', async () => {
    const html = renderHtml(scriptedTestcase2());
    // The first message label again, where it already is.
    const label = /<text x="[^"]+" y="[^"]+">prepare 1<\/text>/.exec(html)?.[0] as string;
    expect(label).toBeDefined();
    const file = await writePage('overlapping-labels', html.replace(label, label + label));
    expect(await labelsOverlapping(browser as Browser, file)).toHaveLength(1);
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
