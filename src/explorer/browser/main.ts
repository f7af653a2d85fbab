/// <reference lib="dom" />
/**
 * The explorer page: a session of the reference world (../session.ts) and the panels that
 * show it, the URL's hash kept equal to the path (`#SCENARIO/TOKENS`, ../encoding.ts), the
 * keyboard, and `window.paxosExplorer` for tests and tools.
 */
import { describeSend } from '../../world/action';
import type { SimStep } from '../../world/world';
import { decodePath } from '../encoding';
import type { PageData, Scenario } from '../scenarios';
import type { SearchGoal } from '../search';
import { PROPERTIES, Session, type Step } from '../session';

/** The search's bounds: a few seconds of the worker's time on the lab's clusters. */
const SEARCH_DEPTH = 24;
const SEARCH_STATES = 100_000;

import { drawDiagram, exportSvg } from './diagram';
import {
  actionsPanel,
  badgesPanel,
  breachText,
  el,
  hostOf,
  inFlightPanel,
  pathPanel,
  peersPanel,
  rolesOf,
} from './panels';
import { search, serveSearches } from './searcher';
import { skeleton } from './skeleton';
import { statechart } from './statechart';

class Explorer {
  session!: Session;
  scenario!: Scenario;
  selected: number | null = null;
  private hash = '';
  readyAt = 0;
  /** The last search started, true once it found its goal. */
  searching: Promise<boolean> = Promise.resolve(false);
  private settle: ReturnType<typeof setTimeout> | undefined;
  private readonly $ = (id: string) => document.getElementById(id) as HTMLElement;

  constructor(private readonly data: PageData) {
    skeleton(data, this);
    window.addEventListener('hashchange', () => {
      if (location.hash.slice(1) !== this.hash) this.openHash();
    });
    if (location.hash.length > 1) this.openHash();
    else this.open(this.find(data.start));
    this.readyAt = performance.now();
  }

  find(id: string): Scenario {
    const s = this.data.scenarios.find((x) => x.id === id);
    if (!s) throw new Error(`no scenario "${id}" in this page`);
    return s;
  }

  /** A fresh session on the scenario: its steps ahead laid out, then `steps` (or its own) taken. */
  open(scenario: Scenario, steps?: readonly (SimStep | Step)[]): void {
    this.scenario = scenario;
    this.session = new Session(scenario.cluster, scenario.values, this.data.fault);
    this.selected = null;
    (this.$('scenario') as HTMLSelectElement).value = scenario.id;
    this.$('about').textContent = scenario.about;
    let problem = '';
    try {
      if (scenario.ahead) this.session.load(scenario.ahead);
      this.session.load(steps ?? scenario.taken ?? []);
    } catch (err) {
      problem = (err as Error).message;
    }
    this.render(problem);
  }

  private openHash(): void {
    // Not decoded as a whole: the tokens escape their own separators inside values.
    const text = location.hash.slice(1);
    const slash = text.indexOf('/');
    const id = slash < 0 ? text : text.slice(0, slash);
    const scenario = this.data.scenarios.find((s) => s.id === id);
    if (!scenario) {
      this.open(this.find(this.data.start));
      this.render(`the link names no scenario "${id}" of this page`);
      return;
    }
    try {
      this.open(scenario, decodePath(slash < 0 ? '' : text.slice(slash + 1)));
    } catch (err) {
      this.open(scenario, []);
      this.render(`the link's path cannot be read: ${(err as Error).message}`);
    }
  }

  act(f: () => unknown): void {
    let problem = '';
    try {
      f();
    } catch (err) {
      problem = (err as Error).message;
    }
    this.render(problem);
  }

  /** The keyboard's forward: the branch ahead, or else the first thing that can happen. */
  step(): void {
    if (this.session.forward()) return;
    const [first] = this.session.enabled();
    if (first) this.session.take(first);
  }

  render(problem = ''): void {
    const s = this.session;
    const error = this.$('error');
    error.textContent = problem;
    error.hidden = problem === '';
    this.$('actions').replaceChildren(actionsPanel(s));
    this.$('badges-list').replaceChildren(...badgesPanel(s.current));
    this.$('breach').textContent = breachText(s.current);
    const peers = peersPanel(s, this.selected);
    this.$('state').replaceChildren(peers, inFlightPanel(s), this.chartsOf());
    this.$('path-list').replaceChildren(pathPanel(s));
    this.$('step-count').textContent =
      `step ${s.current.depth}${s.ahead().length ? ` (${s.ahead().length} ahead)` : ''}`;
    (this.$('back') as HTMLButtonElement).disabled = s.current === s.root;
    this.hash = `${this.scenario.id}/${s.path()}`;
    // After the step is shown: both force work (a layout, a long URL) that a quick run of steps need not wait for.
    clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      history.replaceState(null, '', `#${this.hash}`);
      this.$('path-list').querySelector('.current')?.scrollIntoView({ block: 'nearest' });
    }, 100);
    drawDiagram(this.$('diagram'), s, this.scenario.title);
  }

  private chartsOf(): HTMLElement {
    const box = el('div', { id: 'statechart' });
    const id = this.selected;
    const state = id === null ? undefined : this.session.current.world.peers[id];
    if (id === null || !state) {
      box.append(
        el('p', { class: 'roles' }, 'Click a peer to see its statecharts, the active states highlighted.'),
      );
      return box;
    }
    box.append(el('h2', {}, `${hostOf(this.session, id)}'s statecharts (${rolesOf(this.session, id)})`));
    for (const snap of Object.values(state.proposers)) box.append(statechart('proposer', snap.value));
    if (state.acceptor) box.append(statechart('acceptor', state.acceptor.value));
    if (state.learner) box.append(statechart('learner', state.learner.value));
    return box;
  }

  /**
   * The bounded search in the worker from the current step; the path it finds is taken
   * from there (a fork if another branch was there), and the status says what was searched.
   */
  searchFromHere(): void {
    const status = this.$('search-status');
    const goal = (this.$('goal') as HTMLSelectElement).value as SearchGoal;
    const faults = (this.$('search-faults') as HTMLInputElement).checked;
    const from = this.session.current;
    const session = this.session;
    status.textContent = 'searching...';
    this.searching = search({
      cluster: session.cluster,
      values: session.values,
      path: session.actionsOf(from),
      request: {
        goal,
        maxDepth: SEARCH_DEPTH,
        maxStates: SEARCH_STATES,
        faults,
        down: this.data.fault === 'search-ignores-down' ? [] : from.down,
      },
    }).then(
      (r) => {
        const within = `${r.states} worlds, ${r.depth} steps deep, ${(r.ms / 1000).toFixed(1)} s`;
        status.textContent = r.problem
          ? `cannot search from here: ${r.problem}`
          : r.path
            ? `found ${r.found} in ${r.path.length} steps (${within})`
            : `not found${r.complete ? ': no world within reach has it' : ' within the bounds'} (${within})`;
        if (r.path && this.session === session)
          this.act(() => {
            session.goTo(from);
            for (const a of r.path ?? []) session.takeWorldAction(a);
          });
        return r.path !== null;
      },
      (err: Error) => {
        status.textContent = `search failed: ${err.message}`;
        return false;
      },
    );
  }

  /** What tests and tools read: the step, what is chosen, the properties, the peers, the network. */
  state() {
    const s = this.session;
    const w = s.current.world;
    return {
      scenario: this.scenario.id,
      step: s.current.depth,
      path: s.path(),
      chosen: [...new Set(s.current.chosen.map((c) => c.value))],
      invariants: Object.fromEntries(PROPERTIES.map((p) => [p, s.current.broken[p] === undefined])),
      breaches: s.current.broken,
      peers: s.cluster.peers.map((p) => {
        const st = w.peers[p.id];
        return {
          id: p.id,
          host: p.host,
          roles: rolesOf(s, p.id),
          chose: w.printed[p.id]?.[0]?.value ?? null,
          down: s.current.down.includes(p.id),
          proposers: Object.fromEntries(Object.entries(st?.proposers ?? {}).map(([g, x]) => [g, x.value])),
          acceptor: st?.acceptor ? { value: st.acceptor.value, context: st.acceptor.context } : null,
          learner: st?.learner?.value ?? null,
          durable: st ? s.sim.durableOf(w, p.id) : null,
        };
      }),
      inFlight: w.inFlight.map((x) => describeSend(s.cluster, x)),
    };
  }

  api() {
    const s = () => this.session;
    return {
      actions: () =>
        s()
          .enabled()
          .map((a) => ({ kind: a.kind, peer: s().actorOf(a), label: s().describe(a) })),
      take: (which: number | string) => {
        const actions = s().enabled();
        const a = typeof which === 'number' ? actions[which] : actions.find((x) => s().describe(x) === which);
        if (!a) throw new Error(`no enabled action ${JSON.stringify(which)}`);
        this.act(() => s().take(a));
        return this.state();
      },
      back: () => this.act(() => s().back()),
      forward: () => this.act(() => s().forward()),
      path: () => s().path(),
      state: () => this.state(),
      badges: () =>
        PROPERTIES.map((name) => ({ name, ok: !s().current.broken[name], ...s().current.broken[name] })),
      open: (id: string) => this.open(this.find(id)),
      runUntilChosen: (seed: number) => {
        let n = 0;
        this.act(() => {
          n = s().runUntilChosen(seed);
        });
        return n;
      },
      exportSvg: () => exportSvg(),
      search: () => {
        this.searchFromHere();
        return this.searching;
      },
      /** When the first state was on screen, in ms since navigation started. */
      readyAt: this.readyAt,
    };
  }
}

// The same script is the search's worker (./searcher.ts), where there is no document.
if (typeof document === 'undefined') serveSearches();
else {
  const data = JSON.parse(document.getElementById('explorer-data')?.textContent ?? '{}') as PageData;
  const explorer = new Explorer(data);
  (window as unknown as { paxosExplorer: unknown }).paxosExplorer = explorer.api();
}
