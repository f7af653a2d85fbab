/**
 * What the explorer's page must do in Chromium, one check per behaviour. Each opens the
 * page in a fresh context (closed whatever happens), drives it by clicking and by keys as a
 * reader would, and throws (an assertion) on the first thing it does not do; the tests run
 * the same checks on deliberately broken pages, which must fail them.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

interface PeerState {
  id: number;
  host: string;
  chose: string | null;
  down: boolean;
  acceptor: { value: unknown; context: { minProposal: number; acceptedProposal: number } } | null;
  durable: { acceptor?: { minProposal: number } } | null;
}

interface PageState {
  scenario: string;
  step: number;
  path: string;
  chosen: string[];
  invariants: Record<string, boolean>;
  peers: PeerState[];
  inFlight: string[];
}

/** A page of the explorer in its own context, with every console error and fetch recorded. */
export async function withPage<T>(
  browser: Browser,
  url: string,
  f: (page: Page, errors: string[]) => Promise<T>,
): Promise<T> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('blob:')) errors.push(`fetched ${r.url()}`);
    });
    await page.goto(url);
    await page.locator('button.action').first().waitFor();
    const out = await f(page, errors);
    expect(errors).toEqual([]);
    return out;
  } finally {
    await context.close();
  }
}

export const urlOf = (file: string, hash = '') => `${pathToFileURL(file).href}${hash ? `#${hash}` : ''}`;

const stateOf = (page: Page): Promise<PageState> =>
  page.evaluate('window.paxosExplorer.state()') as Promise<PageState>;

/** Clicks the button of the enabled action described by `label` (describeAction's words, its title). */
async function click(page: Page, label: string): Promise<void> {
  const button = page.locator(`button.action[title=${JSON.stringify(label)}]`);
  expect(await button.count(), `a button for "${label}"`).toBe(1);
  await button.click();
}

/** Clicks peer's button of this kind (crash, restart). */
async function clickKind(page: Page, kind: string, peer: number): Promise<void> {
  const button = page.locator(`button.action[data-kind=${kind}][data-peer="${peer}"]`);
  expect(await button.count(), `a ${kind} button for peer${peer}`).toBe(1);
  await button.click();
}

async function crashAndRestart(page: Page, peer: number): Promise<void> {
  await clickKind(page, 'crash', peer);
  await clickKind(page, 'restart', peer);
}

const badge = (page: Page, name: string) => page.locator(`.badge[data-property="${name}"]`);

/** Slide 46: the steps laid out ahead, each taken by clicking its button, end with every peer choosing X; the diagram saves as SVG. */
export async function slide46(browser: Browser, file: string): Promise<void> {
  await withPage(browser, urlOf(file, 'slide46/'), async (page) => {
    const ahead = await page.locator('#path li.ahead').allTextContents();
    expect(ahead.length).toBeGreaterThan(20);
    for (const text of ahead) await click(page, text.replace(/^\d+\. /, ''));
    const state = await stateOf(page);
    expect(state.step).toBe(ahead.length);
    expect(state.peers.map((p) => p.chose)).toEqual(['X', 'X', 'X', 'X', 'X']);
    expect(state.chosen).toEqual(['X']);
    expect(await page.locator('.peer-card .chose').allTextContents()).toEqual(Array(5).fill('chose X'));
    expect(Object.values(state.invariants).every((ok) => ok)).toBe(true);
    expect(await page.locator('#diagram svg .chosen').count()).toBeGreaterThan(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const saved = await download.path();
    expect(readFileSync(saved, 'utf8')).toMatch(/^<svg[\s\S]*X chosen[\s\S]*<\/svg>\n$/);
  });
}

/**
 * peer2 promises 1 and crashes: it shows as down, a copy of the prepare to it can be dropped
 * or copied but not delivered; its restart, a step of its own, brings it back holding 1.
 */
export async function crashThenRestart(browser: Browser, file: string): Promise<void> {
  await withPage(browser, urlOf(file, 'testcase2/'), async (page) => {
    await click(page, 'START peer1 proposer1 with X');
    await click(page, 'duplicate prepare peer1->peer2 n=1');
    await click(page, 'deliver prepare peer1->peer2 n=1');
    expect((await stateOf(page)).peers[1]?.acceptor?.context.minProposal).toBe(1);
    await clickKind(page, 'crash', 2);
    const down = await stateOf(page);
    expect(down.step).toBe(4);
    expect(down.peers[1]?.down).toBe(true);
    expect(await page.locator('.peer-card[data-peer="2"].down .down-mark').textContent()).toBe('down');
    const kinds = await page
      .locator('button.action[data-peer="2"]')
      .evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.kind));
    expect(kinds.sort(), 'while down, peer2 can only lose, copy or restart').toEqual([
      'drop',
      'duplicate',
      'restart',
    ]);
    expect(down.inFlight).toContain('prepare peer1->peer2 n=1');
    await clickKind(page, 'restart', 2);
    const after = await stateOf(page);
    expect(after.step).toBe(5);
    expect(after.peers[1]?.down).toBe(false);
    expect(after.peers[1]?.acceptor?.context.minProposal).toBe(1);
    expect(after.peers[1]?.durable?.acceptor?.minProposal).toBe(1);
    expect(
      await page.locator('.peer-card[data-peer="2"] [data-machine=acceptor] summary').textContent(),
    ).toContain('(1, 0, -)');
    await click(page, 'deliver prepare peer1->peer2 n=1');
    expect((await stateOf(page)).peers[1]?.acceptor?.context.minProposal).toBe(1);
    expect(after.invariants.AcceptorMonotonicity).toBe(true);
    expect(await page.locator('#path li.current').textContent()).toBe('6. deliver prepare peer1->peer2 n=1');
    expect(await page.locator('#path li').nth(4).textContent()).toBe('4. crash peer2');
  });
}

/** Back with the key, another choice forks; the old branch is one click away, and the path follows. */
export async function backAndFork(browser: Browser, file: string): Promise<void> {
  await withPage(browser, urlOf(file, 'testcase2/'), async (page) => {
    await click(page, 'START peer1 proposer1 with X');
    await click(page, 'deliver prepare peer1->peer2 n=1');
    const old = await stateOf(page);
    await page.keyboard.press('ArrowLeft');
    expect((await stateOf(page)).step).toBe(1);
    expect(await page.locator('#path li.ahead').count()).toBe(1);
    await click(page, 'drop prepare peer1->peer3 n=1');
    const fork = await stateOf(page);
    expect(fork.path).not.toBe(old.path);
    expect(fork.inFlight).toHaveLength(2);
    await page.locator('#path .forks button[data-goto]').click();
    expect((await stateOf(page)).path).toBe(old.path);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowRight');
    expect((await stateOf(page)).path).toBe(old.path);
    await page.locator('#path .forks button[data-discard]').click();
    expect(await page.locator('#path .forks').count()).toBe(0);
  });
}

/** A path with a drop, a copy and a restart, then its URL opened in a fresh page: the same state. */
export async function linkReopens(browser: Browser, file: string): Promise<void> {
  const { url, state } = await withPage(browser, urlOf(file, 'testcase2/'), async (page) => {
    await click(page, 'START peer1 proposer1 with X');
    await click(page, 'duplicate prepare peer1->peer2 n=1');
    await click(page, 'deliver prepare peer1->peer2 n=1');
    await click(page, 'drop prepare peer1->peer3 n=1');
    await crashAndRestart(page, 2);
    await click(page, 'deliver prepare peer1->peer2 n=1');
    const state = await stateOf(page);
    await expect.poll(() => page.evaluate('location.hash')).toBe(`#testcase2/${state.path}`);
    return { url: page.url(), state };
  });
  const reopened = await withPage(browser, url, (page) => stateOf(page));
  expect(reopened).toEqual(state);
}

/**
 * The disjoint-quorum scenario, clicked along the checker's counterexample: Agreement stays
 * green until its last step and turns red there, naming that step.
 */
export async function agreementBreaks(
  browser: Browser,
  file: string,
  labels: readonly string[],
): Promise<void> {
  await withPage(browser, urlOf(file, 'disjoint/'), async (page) => {
    for (const [i, label] of labels.entries()) {
      await click(page, label);
      const red = await badge(page, 'Agreement').evaluate((e) => e.classList.contains('broken'));
      expect(red, `Agreement red after step ${i + 1}`).toBe(i === labels.length - 1);
    }
    expect(await badge(page, 'Agreement').textContent()).toContain(`step ${labels.length}`);
    expect(await page.locator('#breach').textContent()).toContain('two values chosen');
    expect((await stateOf(page)).chosen.sort()).toEqual(['X', 'Y']);
    await expect.poll(() => page.locator('#diagram svg .violation').count()).toBe(1);
    await page.keyboard.press('ArrowLeft');
    expect(await badge(page, 'Agreement').evaluate((e) => e.classList.contains('ok'))).toBe(true);
  });
}

/** A page opened on a loaded counterexample: at its last step, Agreement red there, every step in the path. */
export async function loadedReplays(browser: Browser, file: string, steps: number): Promise<void> {
  await withPage(browser, urlOf(file), async (page) => {
    const state = await stateOf(page);
    expect(state.step).toBe(steps);
    expect(state.invariants.Agreement).toBe(false);
    expect(await page.locator('#path li').count()).toBe(steps + 1);
    await page.keyboard.press('Home');
    expect((await stateOf(page)).step).toBe(0);
    await page.keyboard.press('End');
    expect((await stateOf(page)).step).toBe(steps);
  });
}

/** Nothing of the page is out of reach at 1280x800: no sideways scroll, the three columns and the badges on screen. */
export async function fitsTheWindow(browser: Browser, file: string, hash: string): Promise<void> {
  await withPage(browser, urlOf(file, hash), async (page) => {
    const layout = (await page.evaluate(`(() => {
      const box = (id) => document.getElementById(id).getBoundingClientRect();
      const inside = (r) => r.left >= 0 && r.right <= innerWidth + 0.5 && r.top >= 0 && r.top < innerHeight && r.width > 0;
      return {
        sideways: document.documentElement.scrollWidth > innerWidth,
        visible: ['actions-panel', 'state', 'path-panel', 'badges', 'diagram'].filter((id) => !inside(box(id))),
        peers: document.querySelectorAll('.peer-card').length,
      };
    })()`)) as { sideways: boolean; visible: string[]; peers: number };
    expect(layout).toMatchObject({ sideways: false, visible: [] });
    expect(layout.peers).toBe((await stateOf(page)).peers.length);
  });
}

/** The seeded random run, from the button: a value chosen, and the same seed takes the same path. */
export async function randomRunRepeats(browser: Browser, file: string): Promise<void> {
  const run = (seed: string) =>
    withPage(browser, urlOf(file, 'testcase2/'), async (page) => {
      await page.fill('#seed', seed);
      await page.click('#run');
      const state = await stateOf(page);
      expect(state.chosen).toHaveLength(1);
      expect(state.step).toBe((await page.locator('#path li').count()) - 1);
      return state.path;
    });
  const [a, b, c] = [await run('7'), await run('7'), await run('8')];
  expect(b).toBe(a);
  expect(c).not.toBe(a);
}

/** A file of steps picked in the page opens replayed on the current scenario. */
export async function pickedFileReplays(
  browser: Browser,
  file: string,
  steps: string,
  count: number,
): Promise<void> {
  await withPage(browser, urlOf(file, 'disjoint/'), async (page) => {
    await page.setInputFiles('#load', steps);
    await expect.poll(async () => (await stateOf(page)).step).toBe(count);
    expect((await stateOf(page)).invariants.Agreement).toBe(false);
    expect(await page.locator('#error').isHidden()).toBe(true);
  });
}

/** Search from here, in the worker (the checker's search): a value chosen a few steps on; the path found is taken from here. */
export async function searchFinds(browser: Browser, file: string): Promise<void> {
  await withPage(browser, urlOf(file, 'testcase2/s.1.X,d.2.p.1.1.1,d.3.p.1.1.1'), async (page) => {
    expect((await stateOf(page)).step).toBe(3);
    await page.selectOption('#goal', 'chosen');
    await page.click('#search');
    await expect
      .poll(() => page.textContent('#search-status'), { timeout: 30_000 })
      .toMatch(/^found a value chosen in 4 steps/);
    const state = await stateOf(page);
    expect(state.step).toBe(7);
    expect(state.chosen).toEqual(['X']);
    expect(state.path.startsWith('s.1.X,d.2.p.1.1.1,d.3.p.1.1.1,')).toBe(true);
  });
}

/** Runs the search from the page's current step for `goal`, without faults; the status it ends with. */
async function searchFor(page: Page, goal: string): Promise<string> {
  await page.selectOption('#goal', goal);
  await page.click('#search');
  await expect.poll(() => page.textContent('#search-status'), { timeout: 60_000 }).not.toMatch(/^searching/);
  return (await page.textContent('#search-status')) ?? '';
}

/**
 * The checker's search from midway through the disjoint quorums' counterexample finds the
 * violation in 3 steps and takes them: the page's own Agreement badge turns red on the last.
 */
export async function searchFindsViolation(browser: Browser, file: string, labels: readonly string[]) {
  await withPage(browser, urlOf(file, 'disjoint/'), async (page) => {
    for (const label of labels.slice(0, -3)) await click(page, label);
    expect(await searchFor(page, 'violation')).toMatch(/^found Agreement broken in 3 steps/);
    const state = await stateOf(page);
    expect(state.step).toBe(labels.length);
    expect(state.invariants.Agreement, 'Agreement red on the path the search found').toBe(false);
  });
}

/**
 * Two of testcase 2's three acceptors down: the search proves that no value can be chosen
 * within its bounds; once one is restarted it finds a way.
 */
export async function searchKeepsDown(browser: Browser, file: string): Promise<void> {
  await withPage(browser, urlOf(file, 'testcase2/s.1.X,c.3,c.4'), async (page) => {
    expect((await stateOf(page)).peers.filter((p) => p.down).map((p) => p.id)).toEqual([3, 4]);
    expect(await searchFor(page, 'chosen'), 'nothing chosen with two acceptors down').toMatch(
      /^not found: no world within reach has it/,
    );
    await clickKind(page, 'restart', 3);
    expect(await searchFor(page, 'chosen')).toMatch(/^found a value chosen in 6 steps/);
    expect((await stateOf(page)).chosen).toEqual(['X']);
  });
}

/** The register scenario: peer1's put of a, answered, then peer2's get, answered (steps by their words). */
export const PUT_THEN_GET = [
  'client 0 asks peer 1 for {"kind":"put","value":"a"}',
  'deliver prepare(1) from peer 1 to peer 1',
  'deliver prepare(1) from peer 1 to peer 2',
  'deliver prepare_ack(1) from peer 1 to peer 1',
  'deliver prepare_ack(1) from peer 2 to peer 1',
  'deliver accept(1) from peer 1 to peer 1',
  'deliver accept(1) from peer 1 to peer 2',
  'deliver accept_ack(1) from peer 1 to peer 1',
  'deliver accept_ack(1) from peer 2 to peer 1',
  'client 1 asks peer 2 for {"kind":"get"}',
  'deliver prepare(2) from peer 2 to peer 3',
  'deliver prepare_ack(2) from peer 3 to peer 2',
  'deliver prepare(2) from peer 2 to peer 2',
  'deliver prepare_ack(2) from peer 2 to peer 2',
  'deliver accept(2) from peer 2 to peer 2',
  'deliver accept(2) from peer 2 to peer 3',
  'deliver accept_ack(2) from peer 2 to peer 2',
  'deliver accept_ack(2) from peer 3 to peer 2',
];

interface RegisterPageState {
  step: number;
  path: string;
  invariants: Record<string, boolean>;
  history: { type: string; f: string; value: unknown }[];
  peers: { acceptor: { acceptedValue: string | null } | null }[];
}

/**
 * The register scenario, clicked through: the put and then the get answered, the get
 * reading a; every badge green at every step; the history shown; the link reopens it.
 */
export async function registersPutThenGet(browser: Browser, file: string): Promise<void> {
  const registerState = (page: Page) =>
    page.evaluate('window.paxosExplorer.state()') as Promise<RegisterPageState>;
  const { url, state } = await withPage(browser, urlOf(file, 'registers/'), async (page) => {
    for (const [i, label] of PUT_THEN_GET.entries()) {
      await click(page, label);
      const red = await page.locator('.badge.broken').allTextContents();
      expect(red, `every badge green after step ${i + 1}`).toEqual([]);
    }
    const state = await registerState(page);
    expect(state.step).toBe(PUT_THEN_GET.length);
    expect(Object.keys(state.invariants).sort()).toEqual(['FreshNumbers', 'Linearizable', 'Refinement']);
    expect(state.history.map((e) => `${e.type} ${e.f}`)).toEqual([
      'invoke put',
      'ok put',
      'invoke get',
      'ok get',
    ]);
    expect(state.history[3]?.value).toEqual({ value: 'a', version: 1 });
    expect(await page.locator('#history li').count()).toBe(4);
    await page.keyboard.press('ArrowLeft');
    expect((await registerState(page)).step).toBe(PUT_THEN_GET.length - 1);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.evaluate('location.hash')).toBe(`#registers/${state.path}`);
    return { url: page.url(), state };
  });
  expect(await withPage(browser, url, (page) => registerState(page))).toEqual(state);
}
