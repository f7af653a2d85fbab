/// <reference lib="dom" />
/**
 * The explorer page: a session of the reference world (../session.ts) and the panels that
 * show it, the URL's hash kept equal to the path (`#SCENARIO/TOKENS`, ../encoding.ts), the
 * keyboard, and `window.paxosExplorer` for tests and tools.
 */
import { describeSend } from '../../world/action';
import type { SimStep } from '../../world/world';
import { decodePath } from '../encoding';
import type { PageData, RegisterScenario, Scenario } from '../scenarios';
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
import { RegisterMode } from './registerMode';
import { search, serveSearches } from './searcher';
import { skeleton } from './skeleton';
import { statechart } from './statechart';

class Explorer {
  session!: Session;
  scenario!: Scenario;
  /** The register scenario open, if one is: then the lab's session waits unseen. */
  reg: RegisterMode | null = null;
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

  openId(id: string): void {
    const r = this.data.registers?.find((x) => x.id === id);
    if (r) this.openRegisters(r, '');
    else this.open(this.find(id));
  }

  /** A register scenario, with the steps of a link taken. */
  openRegisters(scenario: RegisterScenario, path: string): void {
    const fault = this.data.fault === 'register-get-without-quorum' ? this.data.fault : undefined;
    this.reg = new RegisterMode(scenario, fault);
    this.$('app').classList.add('registers');
    (this.$('scenario') as HTMLSelectElement).value = scenario.id;
    this.$('about').textContent = scenario.about;
    let problem = '';
    try {
      this.reg.session.load(path);
    } catch (err) {
      problem = `the link's path cannot be read: ${(err as Error).message}`;
    }
    this.render(problem);
  }

  move(key: string): (() => unknown) | undefined {
    if (this.reg) return this.reg.move(key);
    const s = this.session;
    const moves: Record<string, () => unknown> = {
      ArrowLeft: () => s.back(),
      ArrowRight: () => this.step(),
      Home: () => s.goTo(s.root),
      End: () => s.goTo(s.end()),
    };
    return moves[key];
  }

  takeAt(index: number): void {
    const reg = this.reg;
    if (reg) {
      this.act(() => reg.session.take(index));
      return;
    }
    const a = this.session.enabled()[index];
    if (a) this.act(() => this.session.take(a));
  }

  pathClick(id: number, discard: boolean): void {
    const reg = this.reg;
    if (reg) {
      this.act(() => reg.pathClick(id));
      return;
    }
    const node = this.session.find(id);
    if (!node) return;
    if (discard) this.act(() => this.session.discard(node));
    else this.act(() => this.session.goTo(node));
  }

  /** A fresh session on the scenario: its steps ahead laid out, then `steps` (or its own) taken. */
  open(scenario: Scenario, steps?: readonly (SimStep | Step)[]): void {
    this.reg = null;
    this.$('app').classList.remove('registers');
    this.scenario = scenario;
    const fault = this.data.fault === 'register-get-without-quorum' ? undefined : this.data.fault;
    this.session = new Session(scenario.cluster, scenario.values, fault);
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
    const reg = this.data.registers?.find((s) => s.id === id);
    if (reg) {
      this.openRegisters(reg, slash < 0 ? '' : text.slice(slash + 1));
      return;
    }
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
    const error = this.$('error');
    error.textContent = problem;
    error.hidden = problem === '';
    if (this.reg) {
      this.reg.render(this.$);
      this.hash = `${this.reg.scenario.id}/${this.reg.session.path()}`;
      this.keepHash();
      return;
    }
    const s = this.session;
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
    this.keepHash();
    drawDiagram(this.$('diagram'), s, this.scenario.title);
  }

  private keepHash(): void {
    // After the step is shown: both force work (a layout, a long URL) that a quick run of steps need not wait for.
    clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      history.replaceState(null, '', `#${this.hash}`);
      this.$('path-list').querySelector('.current')?.scrollIntoView({ block: 'nearest' });
    }, 100);
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

  private labOnly(what: string): void {
    if (this.reg) throw new Error(`${what}: the register scenario has none (lab scenarios only)`);
  }

  api() {
    const s = () => this.session;
    return {
      actions: () =>
        this.reg?.actions() ??
        s()
          .enabled()
          .map((a) => ({ kind: a.kind, peer: s().actorOf(a), label: s().describe(a) })),
      take: (which: number | string) => {
        const reg = this.reg;
        if (reg) {
          const i = reg.indexOf(which);
          this.act(() => reg.session.take(i));
          return reg.state();
        }
        const actions = s().enabled();
        const a = typeof which === 'number' ? actions[which] : actions.find((x) => s().describe(x) === which);
        if (!a) throw new Error(`no enabled action ${JSON.stringify(which)}`);
        this.act(() => s().take(a));
        return this.state();
      },
      back: () => this.act(this.move('ArrowLeft') ?? (() => undefined)),
      forward: () => this.act(() => (this.reg ? this.reg.session.forward() : s().forward())),
      path: () => this.reg?.session.path() ?? s().path(),
      state: () => this.reg?.state() ?? this.state(),
      badges: () =>
        this.reg?.badges() ??
        PROPERTIES.map((name) => ({ name, ok: !s().current.broken[name], ...s().current.broken[name] })),
      open: (id: string) => this.openId(id),
      runUntilChosen: (seed: number) => {
        this.labOnly('runUntilChosen');
        let n = 0;
        this.act(() => {
          n = s().runUntilChosen(seed);
        });
        return n;
      },
      exportSvg: () => exportSvg(),
      search: () => {
        this.labOnly('search');
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
