/// <reference lib="dom" />
/**
 * The page on a register scenario: a register session (../registerSession.ts) drawn into
 * the frame's columns, moved by the same keys and clicks as the lab's, and read by tools
 * through the same `window.paxosExplorer` calls.
 */
import { REGISTER_PROPERTIES, type RegisterFault, RegisterSession } from '../registerSession';
import type { RegisterScenario } from '../scenarios';
import { el } from './panels';
import {
  registerActionsPanel,
  registerBadges,
  registerBreachText,
  registerPathPanel,
  registerStatePanel,
} from './registerPanels';

export class RegisterMode {
  readonly session: RegisterSession;

  constructor(
    readonly scenario: RegisterScenario,
    fault: RegisterFault | undefined,
  ) {
    this.session = new RegisterSession(scenario.plan, fault);
  }

  move(key: string): (() => unknown) | undefined {
    const s = this.session;
    const moves: Record<string, () => unknown> = {
      ArrowLeft: () => s.back(),
      ArrowRight: () => s.forward() ?? (s.enabled().length > 0 ? s.take(0) : null),
      Home: () => s.goTo(s.root),
      End: () => {
        while (s.forward());
      },
    };
    return moves[key];
  }

  pathClick(id: number): void {
    const node = this.session.find(id);
    if (node) this.session.goTo(node);
  }

  render($: (id: string) => HTMLElement): void {
    const s = this.session;
    $('actions').replaceChildren(registerActionsPanel(s));
    $('badges-list').replaceChildren(...registerBadges(s.current));
    $('breach').textContent = registerBreachText(s.current);
    $('state').replaceChildren(registerStatePanel(s));
    $('path-list').replaceChildren(registerPathPanel(s));
    $('step-count').textContent = `step ${s.current.depth}`;
    ($('back') as HTMLButtonElement).disabled = s.current === s.root;
    $('diagram').replaceChildren(
      el(
        'p',
        { class: 'roles' },
        'The space-time diagram draws the lab scenarios; here the history is above.',
      ),
    );
  }

  /** Which steps are offered, in words, with their kinds (deliver, drop, duplicate, invoke, timeout, restart). */
  actions() {
    return this.session.enabled().map((c) => ({ kind: c.kind, label: c.words }));
  }

  /** The step offered with this index or these words. */
  indexOf(which: number | string): number {
    const choices = this.session.enabled();
    const i = typeof which === 'number' ? which : choices.findIndex((c) => c.words === which);
    if (!choices[i]) throw new Error(`no enabled action ${JSON.stringify(which)}`);
    return i;
  }

  state() {
    const s = this.session;
    const view = s.view();
    return {
      scenario: this.scenario.id,
      step: s.current.depth,
      path: s.path(),
      invariants: Object.fromEntries(REGISTER_PROPERTIES.map((p) => [p, s.current.broken[p] === undefined])),
      breaches: s.current.broken,
      peers: view.peers,
      history: view.history,
    };
  }

  badges() {
    const node = this.session.current;
    return REGISTER_PROPERTIES.map((name) => ({ name, ok: !node.broken[name], ...node.broken[name] }));
  }
}
