/**
 * Deliberately broken variants of spec/registers.ts's actions: the mapping to an atomic
 * register is only trusted once it has caught each. Each replaces one action by the
 * mistake an implementer of registers might make.
 */
import {
  acceptEnabled,
  acceptMessage,
  type Ballot,
  type Msg1b,
  type Msg2a,
  Owns,
  Promises,
  type Proposer,
  promisedBy,
  type RegistersActions,
  type RegistersParams,
  type RegistersState,
  registersActions,
  SentChange,
  send,
} from './registers';

export type RegistersVariant =
  | 'Registers'
  | 'AcceptTakesFirstPromise'
  | 'PrepareAckForgetsPromise'
  | 'PrepareReusesBallot'
  | 'CompleteWithoutQuorum';
export const REGISTERS_VARIANTS: readonly RegistersVariant[] = [
  'Registers',
  'AcceptTakesFirstPromise',
  'PrepareAckForgetsPromise',
  'PrepareReusesBallot',
  'CompleteWithoutQuorum',
];

/** A round that changes the state the first promise it holds reports, not the highest vote's. */
function AcceptTakesFirstPromise(
  p: RegistersParams,
  s: RegistersState,
  q: Proposer,
  h: Msg1b,
): RegistersState | null {
  if (!acceptEnabled(p, s, q)) return null;
  const b = s.pBal[q - 1] as number;
  const held = p.quorums.some((Q) => promisedBy(s, Q, b) && Promises(s, Q, b).includes(h));
  return held ? send(s, acceptMessage(p, s, q, h)) : null;
}

/** An acceptor that forgot its promises (a restart that kept only its vote): it promises any ballot above its vote. */
function PrepareAckForgetsPromise(
  p: RegistersParams,
  s: RegistersState,
  a: number,
  m: { type: '1a'; bal: Ballot },
): RegistersState | null {
  const i = p.acceptors.indexOf(a);
  if (!(s.msgs.some((x) => x.type === '1a' && x.bal === m.bal) && m.bal > (s.maxVBal[i] as number)))
    return null;
  const reply: Msg1b = {
    type: '1b',
    acc: a,
    bal: m.bal,
    mbal: s.maxVBal[i] as number,
    mval: s.maxVal[i] ?? null,
  };
  return { ...send(s, reply), maxBal: s.maxBal.map((x, j) => (j === i ? m.bal : x)) };
}

/**
 * A proposer that lost its ballot with a crash: its next operation starts again at the
 * ballot it last used, and it sends one accept per operation rather than per ballot.
 */
function PrepareReusesBallot(
  p: RegistersParams,
  s: RegistersState,
  q: Proposer,
  b: Ballot,
): RegistersState | null {
  const running = (s.opIdx[q - 1] as number) <= (p.ops[q - 1]?.length ?? 0);
  if (!(running && Owns(p, q, b) && b >= (s.pBal[q - 1] as number) && !SentChange(p, s, q))) return null;
  return { ...send(s, { type: '1a', bal: b }), pBal: s.pBal.map((x, j) => (j === q - 1 ? b : x)) };
}

/** With its ballot forgotten, the proposer cannot tell it already sent an accept at it. */
function AcceptOncePerOperation(
  p: RegistersParams,
  s: RegistersState,
  q: Proposer,
  h: Msg1b,
): RegistersState | null {
  const b = s.pBal[q - 1] as number;
  const op = [q, s.opIdx[q - 1] as number];
  const running = (s.opIdx[q - 1] as number) <= (p.ops[q - 1]?.length ?? 0);
  const sentForOp = s.msgs.some(
    (m) => m.type === '2a' && m.bal === b && m.op[0] === op[0] && m.op[1] === op[1],
  );
  if (!running || b < 0 || sentForOp) return null;
  const shown = p.quorums.some((Q) => {
    const ps = Promises(s, Q, b);
    return (
      promisedBy(s, Q, b) &&
      ps.some((m) => m.acc === h.acc && m.mbal === h.mbal) &&
      ps.every((m) => h.mbal >= m.mbal)
    );
  });
  return shown ? send(s, acceptMessage(p, s, q, h)) : null;
}

/** A proposer that answers as soon as one acceptor voted for its accept: a read that skips the quorum. */
function CompleteWithoutQuorum(
  p: RegistersParams,
  s: RegistersState,
  q: Proposer,
  m: Msg2a,
): RegistersState | null {
  const i = s.opIdx[q - 1] as number;
  const current = m.op[0] === q && m.op[1] === i && m.bal === s.pBal[q - 1];
  const voted = s.msgs.some(
    (x) => x.type === '2b' && x.bal === m.bal && JSON.stringify(x.val) === JSON.stringify(m.val),
  );
  if (!(i <= (p.ops[q - 1]?.length ?? 0) && current && s.msgs.includes(m) && voted)) return null;
  const done = [...s.done, { op: m.op, bal: m.bal, invoked: s.opIdx }].sort((x, y) =>
    JSON.stringify(x) < JSON.stringify(y) ? -1 : 1,
  );
  return { ...s, done, opIdx: s.opIdx.map((x, j) => (j === q - 1 ? x + 1 : x)) };
}

export const registersVariantActions: Readonly<Record<RegistersVariant, RegistersActions>> = {
  Registers: registersActions,
  AcceptTakesFirstPromise: { ...registersActions, Accept: AcceptTakesFirstPromise },
  PrepareAckForgetsPromise: { ...registersActions, PrepareAck: PrepareAckForgetsPromise },
  PrepareReusesBallot: { ...registersActions, Prepare: PrepareReusesBallot, Accept: AcceptOncePerOperation },
  CompleteWithoutQuorum: { ...registersActions, Complete: CompleteWithoutQuorum },
};
