/**
 * Actions of the reference world as short, stable tokens, so that a path fits in a URL and
 * a link made today opens the same state tomorrow. A token names a message by its content
 * (never by a position in flight, which depends on the order of earlier steps), in a fixed
 * field order per message type:
 *
 *   s.GROUP.VALUE   start        t.GROUP   timeout        c.PEER   crash
 *   d.TO.MSG        deliver      x.TO.MSG  drop           r.PEER   restart
 *   u.TO.MSG        duplicate
 *
 * MSG is `p.FROM.GROUP.N` (prepare), `P.FROM.GROUP.N.PROMISED.MIN.ACCEPTED.VALUE`
 * (prepare_ack), `a.FROM.GROUP.N.VALUE` (accept), `A.FROM.GROUP.N.MIN.VALUE` (accept_ack),
 * `c.FROM.GROUP.N.VALUE` (chose). A null value is `~`; values are percent-encoded, `.`,
 * `,` and `~` included. Tokens are joined by `,`. Before a crash had a token of its own, `r.PEER`
 * was the world's crash and restart in one step: a link of then still opens, as the crash
 * and the restart (session.ts).
 */
import type { Message, Send } from '../../machines/messages';
import type { MessageAction } from '../world/action';
import type { Step } from './session';

class BadToken extends Error {}

const KIND_LETTER = {
  start: 's',
  timeout: 't',
  restart: 'r',
  crash: 'c',
  deliver: 'd',
  drop: 'x',
  duplicate: 'u',
} as const;
const MESSAGE_KINDS: Record<string, MessageAction['kind']> = { d: 'deliver', x: 'drop', u: 'duplicate' };

const escapeValue = (v: string | null): string =>
  v === null
    ? '~'
    : encodeURIComponent(v).replace(/[.~!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const unescapeValue = (t: string): string | null => (t === '~' ? null : decodeURIComponent(t));

function messageFields(m: Message): string[] {
  const head = [String(m.from), String(m.group), String(m.n)];
  switch (m.type) {
    case 'prepare':
      return ['p', ...head];
    case 'prepare_ack':
      return [
        'P',
        ...head,
        m.promised ? '1' : '0',
        String(m.minProposal),
        String(m.acceptedProposal),
        escapeValue(m.acceptedValue),
      ];
    case 'accept':
      return ['a', ...head, escapeValue(m.value)];
    case 'accept_ack':
      return ['A', ...head, String(m.minProposal), escapeValue(m.value)];
    case 'chose':
      return ['c', ...head, escapeValue(m.value)];
  }
}

export function encodeAction(a: Step): string {
  const k = KIND_LETTER[a.kind];
  switch (a.kind) {
    case 'start':
      return [k, a.group, escapeValue(a.value)].join('.');
    case 'timeout':
      return `${k}.${a.group}`;
    case 'restart':
    case 'crash':
      return `${k}.${a.peer}`;
    default:
      return [k, String(a.send.to), ...messageFields(a.send.message)].join('.');
  }
}

function integer(t: string | undefined, token: string): number {
  if (t === undefined || !/^(0|[1-9][0-9]*)$/.test(t)) throw new BadToken(`"${token}": expected a number`);
  return Number(t);
}

function value(t: string | undefined, token: string): string {
  const v = t === undefined ? null : unescapeValue(t);
  if (v === null) throw new BadToken(`"${token}": expected a value`);
  return v;
}

/** The message of MSG's fields; the object's keys are those the machines build. */
function decodeMessage(f: string[], token: string): Message {
  const [type, fromT, groupT, nT, ...rest] = f;
  const from = integer(fromT, token);
  const group = integer(groupT, token);
  const n = integer(nT, token);
  const arity = { p: 0, P: 4, a: 1, A: 2, c: 1 }[type ?? ''];
  if (arity === undefined || rest.length !== arity) throw new BadToken(`"${token}": not a message`);
  switch (type) {
    case 'p':
      return { type: 'prepare', from, group, n };
    case 'P':
      return {
        type: 'prepare_ack',
        from,
        group,
        n,
        promised: rest[0] === '1',
        minProposal: integer(rest[1], token),
        acceptedProposal: integer(rest[2], token),
        acceptedValue: unescapeValue(rest[3] ?? '~'),
      };
    case 'a':
      return { type: 'accept', from, group, n, value: value(rest[0], token) };
    case 'A':
      return {
        type: 'accept_ack',
        from,
        group,
        n,
        minProposal: integer(rest[0], token),
        value: unescapeValue(rest[1] ?? '~'),
      };
    default:
      return { type: 'chose', from, group, n, value: value(rest[0], token) };
  }
}

export function decodeAction(token: string): Step {
  const [k, ...f] = token.split('.');
  if (k === 's' && f.length === 2)
    return { kind: 'start', group: integer(f[0], token), value: value(f[1], token) };
  if (k === 't' && f.length === 1) return { kind: 'timeout', group: integer(f[0], token) };
  if (k === 'r' && f.length === 1) return { kind: 'restart', peer: integer(f[0], token) };
  if (k === 'c' && f.length === 1) return { kind: 'crash', peer: integer(f[0], token) };
  const kind = MESSAGE_KINDS[k ?? ''];
  if (!kind) throw new BadToken(`"${token}": not an action`);
  const send: Send = { type: 'send', to: integer(f[0], token), message: decodeMessage(f.slice(1), token) };
  return { kind, send };
}

export const encodePath = (actions: readonly Step[]): string => actions.map(encodeAction).join(',');

export const decodePath = (text: string): Step[] => (text === '' ? [] : text.split(',').map(decodeAction));
