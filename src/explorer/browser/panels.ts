/// <reference lib="dom" />
/**
 * The page's panels drawn from a session: what can happen next (grouped by the peer that
 * acts), each peer's machines and stable storage, the messages in flight, the path with its
 * forks, the properties' badges. Each returns elements; the controller wires the clicks.
 */
import { describeTimer } from '../../../machines/timers';
import { shortName } from '../../view/fromSim';
import { INVARIANT_TEXT } from '../../view/runView';
import { describeSend } from '../../world/action';
import { PROPERTIES, type Session, type Step, type Node as TreeNode } from '../session';
import { valueText } from './statechart';

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-') || k === 'title' || k === 'id' || k === 'type') e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null) e.append(c);
  return e;
}

export const hostOf = (s: Session, id: number) =>
  s.cluster.peers.find((p) => p.id === id)?.host ?? `peer${id}`;

export const rolesOf = (s: Session, id: number): string => {
  const p = s.cluster.peers.find((x) => x.id === id);
  if (!p) return '';
  return [
    ...p.proposer.map((k) => `proposer${k}`),
    ...p.acceptor.map((k) => `acceptor${k}`),
    ...p.learner.map((k) => `learner${k}`),
  ].join(', ');
};

function actionButton(s: Session, a: Step, index: number, text: string): HTMLButtonElement {
  const b = el('button', {
    class: 'action',
    'data-index': String(index),
    'data-kind': a.kind,
    'data-peer': String(s.actorOf(a)),
    title: s.describe(a),
  });
  b.textContent = text;
  return b;
}

/** One button for each enabled action, grouped by the peer that acts; a message's three on one row. */
export function actionsPanel(s: Session): HTMLElement {
  const box = el('div');
  const actions = s.enabled();
  const byPeer = new Map<number, HTMLElement>();
  const group = (peer: number) => {
    let g = byPeer.get(peer);
    if (!g) {
      g = el('div', { class: 'peer-actions', 'data-peer': String(peer) });
      g.append(el('h3', {}, hostOf(s, peer), ' ', el('span', { class: 'roles' }, rolesOf(s, peer))));
      byPeer.set(peer, g);
    }
    return g;
  };
  const rows = new Map<string, HTMLElement>();
  actions.forEach((a, i) => {
    const peer = s.actorOf(a);
    if (a.kind === 'start')
      group(peer).append(actionButton(s, a, i, `start proposer${a.group} with ${a.value}`));
    else if (a.kind === 'timeout') {
      const timer = s.current.world.peers[peer]?.timers[a.group];
      const text = `time out proposer${a.group}${timer ? ` (${describeTimer(timer)})` : ''}`;
      group(peer).append(actionButton(s, a, i, text));
    } else if (a.kind === 'crash') group(peer).append(actionButton(s, a, i, 'crash'));
    else if (a.kind === 'restart') group(peer).append(actionButton(s, a, i, 'restart'));
    else {
      const key = describeSend(s.cluster, a.send);
      let row = rows.get(key);
      if (!row) {
        const what = el(
          'span',
          { class: 'what' },
          `${shortName(a.send.message)} from ${hostOf(s, a.send.message.from)}`,
        );
        row = el('div', { class: 'msg-row' }, what);
        rows.set(key, row);
        group(peer).append(row);
      }
      row.append(actionButton(s, a, i, a.kind === 'duplicate' ? 'dup' : a.kind));
    }
  });
  for (const id of [...byPeer.keys()].sort((a, b) => a - b)) box.append(byPeer.get(id) as HTMLElement);
  if (actions.length === 0)
    box.append(el('p', {}, 'Nothing can happen: no message in flight and no timer armed.'));
  return box;
}

const kv = (o: unknown): string =>
  o && typeof o === 'object'
    ? Object.entries(o as Record<string, unknown>)
        .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
        .join(' ')
    : String(o);

/** Each peer: its roles, each machine's state and context, its armed timers, its stable storage. */
export function peersPanel(s: Session, selected: number | null): HTMLElement {
  const box = el('div', { id: 'peers' });
  const w = s.current.world;
  for (const p of s.cluster.peers) {
    const state = w.peers[p.id];
    const down = s.current.down.includes(p.id);
    const card = el('div', {
      class: `peer-card${selected === p.id ? ' selected' : ''}${down ? ' down' : ''}`,
      'data-peer': String(p.id),
    });
    const printed = w.printed[p.id]?.[0];
    card.append(el('h3', {}, p.host, ' ', el('span', { class: 'roles' }, rolesOf(s, p.id) || 'no role')));
    if (down)
      card.firstChild?.appendChild(
        el(
          'span',
          { class: 'down-mark', title: 'crashed: receives nothing, its timers do not fire' },
          'down',
        ),
      );
    if (printed) card.firstChild?.appendChild(el('span', { class: 'chose' }, `chose ${printed.value}`));
    if (!state) continue;
    const machines: [string, { value: unknown; context: unknown } | undefined][] = [
      ...Object.entries(state.proposers).map(([g, snap]) => [`proposer${g}`, snap] as [string, typeof snap]),
      ['acceptor', state.acceptor],
      ['learner', state.learner],
    ];
    for (const [name, snap] of machines) {
      if (!snap) continue;
      const ctx = snap.context as {
        minProposal?: number;
        acceptedProposal?: number;
        acceptedValue?: string | null;
      };
      const triple =
        name === 'acceptor'
          ? ` (${ctx.minProposal}, ${ctx.acceptedProposal}, ${ctx.acceptedValue ?? '-'})`
          : '';
      card.append(
        el(
          'details',
          { class: 'state', 'data-machine': name },
          el('summary', {}, `${name}: `, el('b', {}, valueText(snap.value as string)), triple),
          el('div', { class: 'kv' }, kv(snap.context)),
        ),
      );
    }
    for (const [g, t] of Object.entries(state.timers))
      card.append(el('div', { class: 'kv' }, `timer proposer${g}: ${describeTimer(t)}`));
    card.append(
      el('div', { class: 'kv', title: 'what a restart recovers' }, `stable: ${kv(s.sim.durableOf(w, p.id))}`),
    );
    box.append(card);
  }
  return box;
}

export function inFlightPanel(s: Session): HTMLElement {
  const sends = s.current.world.inFlight;
  const list = el('ul');
  for (const send of sends) list.append(el('li', {}, describeSend(s.cluster, send)));
  return el(
    'div',
    { id: 'in-flight' },
    el('h2', {}, `in flight (${sends.length})`),
    sends.length ? list : null,
  );
}

/** The property badges, green until a step of the path breaks one. */
export function badgesPanel(node: TreeNode): HTMLElement[] {
  return PROPERTIES.map((name) => {
    const b = node.broken[name];
    const text = INVARIANT_TEXT[name] ?? '';
    return el(
      'span',
      {
        class: `badge ${b ? 'broken' : 'ok'}`,
        'data-property': name,
        title: b ? `broken at step ${b.step}: ${b.message}` : `holds${text ? `: ${text}` : ''}`,
      },
      `${b ? '✗' : '✓'} ${name}${b ? ` (step ${b.step})` : ''}`,
    );
  });
}

/** The first breach on the path, in words. */
export function breachText(node: TreeNode): string {
  const first = PROPERTIES.map((name) => ({ name, b: node.broken[name] }))
    .filter((x) => x.b)
    .sort((x, y) => (x.b?.step ?? 0) - (y.b?.step ?? 0))[0];
  if (!first?.b) return '';
  const rule = INVARIANT_TEXT[first.name];
  return `${first.name} broken at step ${first.b.step}${rule ? ` (${rule})` : ''}: ${first.b.message}`;
}

/** A step of the path: its number, its action in words, a mark when it broke a property. */
function stepItem(s: Session, n: TreeNode, cls: string): HTMLElement {
  const breaks = PROPERTIES.filter((p) => n.broken[p] && !n.parent?.broken[p]);
  const text = n.action ? `${n.depth}. ${s.describe(n.action)}` : '0. initial world';
  const li = el(
    'li',
    {
      class: `${cls}${breaks.length ? ' breaks' : ''}`,
      'data-node': String(n.id),
      'data-depth': String(n.depth),
    },
    text,
  );
  if (breaks.length) li.append(el('b', {}, ` ✗ ${breaks.join(', ')}`));
  return li;
}

/**
 * The path from the initial world, then the steps ahead (a branch one went back on), greyed;
 * under a step whose world has other branches, each branch: go to it, or discard it.
 */
export function pathPanel(s: Session): HTMLElement {
  const list = el('ol', { id: 'path' });
  const taken = [s.root, ...s.pathOf()];
  const all = [
    ...taken.map((n) => ({ n, cls: n === s.current ? 'current' : '' })),
    ...s.ahead().map((n) => ({ n, cls: 'ahead' })),
  ];
  for (const { n, cls } of all) {
    list.append(stepItem(s, n, cls));
    const next = n.preferred;
    const others = n.children.filter((c) => c !== next);
    if (others.length === 0) continue;
    const forks = el('div', { class: 'forks' }, 'other branches: ');
    for (const o of others) {
      const go = el('button', { 'data-goto': String(o.id), title: 'go to this branch' });
      go.textContent = o.action ? s.describe(o.action) : '';
      const drop = el('button', { 'data-discard': String(o.id), title: 'discard this branch' });
      drop.textContent = '✕';
      forks.append(el('span', {}, go, drop));
    }
    list.append(forks);
  }
  return list;
}
