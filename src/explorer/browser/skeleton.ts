/// <reference lib="dom" />
/**
 * The page's frame, built once: the header's controls, the badges, the three columns; and
 * what each control, click and key does. Panels inside are redrawn on every step.
 */

import type { SimStep } from '../../world/world';
import type { PageData, Scenario } from '../scenarios';
import { SEARCH_GOALS } from '../search';
import type { Session, Step } from '../session';
import { exportSvg } from './diagram';
import { STYLE } from './style';

/** What the frame needs of the controller. */
interface Controller {
  session: Session;
  scenario: Scenario;
  selected: number | null;
  find(id: string): Scenario;
  /** Opens the scenario of this id (a lab one, or a register one). */
  openId(id: string): void;
  open(scenario: Scenario, steps?: readonly (SimStep | Step)[]): void;
  act(f: () => unknown): void;
  render(problem?: string): void;
  step(): void;
  searchFromHere(): void;
  /** What a key does, or undefined. */
  move(key: string): (() => unknown) | undefined;
  /** Takes the index-th step offered. */
  takeAt(index: number): void;
  /** Goes to a node of the path, or discards a branch. */
  pathClick(id: number, discard: boolean): void;
}

const HTML = (data: PageData) => `
<header>
  <h1>paxos explorer</h1>
  <select id="scenario" title="scenario">${[...data.scenarios, ...(data.registers ?? [])].map((s) => `<option value="${s.id}"></option>`).join('')}</select>
  <button id="back" title="back one step (←)">← back</button>
  <button id="forward" title="forward along the branch, or the first enabled action (→)">forward →</button>
  <span id="step-count"></span>
  <label class="lab-only">seed <input id="seed" type="number" value="1" min="0"></label>
  <button id="run" class="lab-only" title="take random steps from here until a value is chosen">run at random until chosen</button>
  <label class="lab-only">load steps <input id="load" type="file" accept=".json,application/json"></label>
  <span class="search lab-only"><select id="goal" title="what to search for">${Object.entries(SEARCH_GOALS)
    .map(([k, v]) => `<option value="${k}">${v}</option>`)
    .join('')}</select>
  <label title="also drop and duplicate messages and crash peers"><input id="search-faults" type="checkbox"> faults</label>
  <button id="search" title="breadth-first search from this step, in the background">search from here</button>
  <span id="search-status"></span></span>
  <button id="export" class="lab-only" title="save the space-time diagram as SVG">export SVG</button>
  <span class="keys"><kbd>←</kbd> <kbd>→</kbd> <kbd>Home</kbd> <kbd>End</kbd>; the link in the address bar reopens this state</span>
  <div id="about"></div>
  <div id="error" role="alert" hidden></div>
</header>
<section id="badges"><span id="badges-list"></span><div id="breach"></div></section>
<main>
  <section id="actions-panel"><h2>what can happen next</h2><div id="actions"></div></section>
  <section id="center"><div id="state"></div><h2>space-time diagram <button id="fit" title="shrink the diagram to the column's width, or back">fit width</button></h2><div id="diagram"></div></section>
  <section id="path-panel"><h2>path</h2><div id="path-list"></div></section>
</main>`;

function bindKeys(c: Controller): void {
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (t.tagName === 'INPUT' || t.tagName === 'SELECT' || e.altKey || e.ctrlKey || e.metaKey) return;
    const move = c.move(e.key);
    if (!move) return;
    e.preventDefault();
    c.act(move);
  });
}

function bindClicks(c: Controller, $: (id: string) => HTMLElement): void {
  $('actions').addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest('button[data-index]') as HTMLElement | null;
    if (b) c.takeAt(Number(b.dataset.index));
  });
  $('path-list').addEventListener('click', (e) => {
    const t = e.target as HTMLElement;
    const discard = t.closest('[data-discard]') !== null;
    const id = Number(
      t
        .closest('[data-goto],[data-discard],[data-node]')
        ?.getAttribute(discard ? 'data-discard' : t.closest('[data-goto]') ? 'data-goto' : 'data-node'),
    );
    if (!Number.isNaN(id)) c.pathClick(id, discard);
  });
  $('state').addEventListener('click', (e) => {
    const card = (e.target as HTMLElement).closest('.peer-card') as HTMLElement | null;
    if (!card) return;
    const id = Number(card.dataset.peer);
    c.selected = c.selected === id ? null : id;
    c.render();
  });
}

export function skeleton(data: PageData, c: Controller): void {
  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.append(style);
  const app = document.getElementById('app') as HTMLElement;
  app.innerHTML = HTML(data);
  const $ = (id: string) => document.getElementById(id) as HTMLElement;
  const select = $('scenario') as HTMLSelectElement;
  [...data.scenarios, ...(data.registers ?? [])].forEach((s, i) => {
    const option = select.options[i];
    if (option) option.textContent = s.title;
  });
  select.addEventListener('change', () => c.openId(select.value));
  $('back').addEventListener('click', () => c.act(c.move('ArrowLeft') ?? (() => undefined)));
  $('forward').addEventListener('click', () => c.act(() => c.step()));
  $('run').addEventListener('click', () =>
    c.act(() => c.session.runUntilChosen(Number(($('seed') as HTMLInputElement).value) || 0)),
  );
  $('export').addEventListener('click', () => exportSvg());
  $('search').addEventListener('click', () => c.searchFromHere());
  $('fit').addEventListener('click', () => $('diagram').classList.toggle('fit'));
  $('load').addEventListener('change', async () => {
    const file = ($('load') as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const steps = JSON.parse(await file.text());
      if (!Array.isArray(steps)) throw new Error('expected a JSON array of steps');
      c.open(c.scenario, steps as SimStep[]);
    } catch (err) {
      c.render(`${file.name}: ${(err as Error).message}`);
    }
  });
  bindClicks(c, $);
  bindKeys(c);
}
