/// <reference lib="dom" />
/**
 * The register scenario's panels, drawn from a register session (../registerSession.ts):
 * the steps the checker's model offers, its properties' badges, each peer's acceptor and
 * round on the key, the clients' history, the path. Buttons and path items carry the same
 * attributes as the lab's, so the page's clicks and keys work alike.
 */
import { REGISTER_PROPERTIES, type RegisterNode, type RegisterSession } from '../registerSession';
import { el } from './panels';

export function registerActionsPanel(s: RegisterSession): HTMLElement {
  const box = el('div', { class: 'peer-actions' });
  s.enabled().forEach((c, i) => {
    const b = el('button', { class: 'action', 'data-index': String(i), 'data-kind': c.kind, title: c.words });
    b.textContent = c.words;
    box.append(el('div', {}, b));
  });
  if (s.enabled().length === 0) box.append(el('p', {}, 'Nothing can happen within the bounds.'));
  return box;
}

export function registerBadges(node: RegisterNode): HTMLElement[] {
  return REGISTER_PROPERTIES.map((name) => {
    const b = node.broken[name];
    return el(
      'span',
      {
        class: `badge ${b ? 'broken' : 'ok'}`,
        'data-property': name,
        title: b ? `broken at step ${b.step}: ${b.message}` : 'holds',
      },
      `${b ? '✗' : '✓'} ${name}${b ? ` (step ${b.step})` : ''}`,
    );
  });
}

export function registerBreachText(node: RegisterNode): string {
  const first = REGISTER_PROPERTIES.map((name) => node.broken[name])
    .filter((b) => b !== undefined)
    .sort((x, y) => x.step - y.step)[0];
  return first ? `broken at step ${first.step}: ${first.message}` : '';
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Each peer's acceptor and round on the key; then the history the clients saw, as the checker reads it. */
export function registerStatePanel(s: RegisterSession): HTMLElement {
  const view = s.view();
  const peers = el('div', { id: 'peers' });
  view.peers.forEach((p, i) => {
    const a = p.acceptor;
    peers.append(
      el(
        'div',
        { class: 'peer-card', 'data-peer': String(i + 1) },
        el('h3', {}, `peer${i + 1}`, ' ', el('span', { class: 'roles' }, `life ${p.incarnation}`)),
        el(
          'div',
          { class: 'kv', 'data-machine': 'acceptor' },
          a
            ? `acceptor: (${a.minProposal}, ${a.acceptedProposal}, ${a.acceptedValue ?? '-'})`
            : 'acceptor: -',
        ),
        el(
          'div',
          { class: 'kv', 'data-machine': 'round' },
          p.round ? `round ${p.round.n}: ${show(p.round.state)}` : 'no round',
        ),
      ),
    );
  });
  const history = el('ol', { id: 'history' });
  for (const e of view.history)
    history.append(
      el('li', { 'data-type': e.type }, `process ${e.process} ${e.type} ${e.f} ${show(e.value)}`),
    );
  return el(
    'div',
    {},
    peers,
    el('div', { id: 'in-flight' }, el('h2', {}, `in flight (${view.messages}); history`), history),
  );
}

export function registerPathPanel(s: RegisterSession): HTMLElement {
  const list = el('ol', { id: 'path' });
  const ahead: RegisterNode[] = [];
  for (let n = s.current.preferred; n; n = n.preferred) ahead.push(n);
  for (const n of [s.root, ...s.pathOf(), ...ahead]) {
    const cls = n === s.current ? 'current' : ahead.includes(n) ? 'ahead' : '';
    const breaks = REGISTER_PROPERTIES.some((p) => n.broken[p] && !n.parent?.broken[p]);
    list.append(
      el(
        'li',
        {
          class: `${cls}${breaks ? ' breaks' : ''}`,
          'data-node': String(n.id),
          'data-depth': String(n.depth),
        },
        n.words ? `${n.depth}. ${n.words}` : '0. initial world',
      ),
    );
  }
  return list;
}
