/**
 * spec/Registers.tla, executable: the same constants, variables, actions and the mapping to
 * an atomic register under the same names, one function per definition, written to be read
 * next to the module. Explored by `exploreRegisters` (spec/registersExplore.ts).
 *
 * A state is a plain value: the acceptors' and proposers' variables as arrays (acceptor
 * `acceptors[i]` at index i, proposer p at index p - 1), and msgs and done as sorted arrays
 * of distinct elements, so that `stateKey` tells states apart as TLA+ does.
 */

export type Acceptor = number;
export type Proposer = number;
export type Ballot = number;
/** TLA+'s None. */
const None = null;

export interface Reg {
  val: string | null;
  ver: number;
}

/** A get, a put of val, or a delete; `ver` -1 for "whatever the version". */
export type Op =
  | { kind: 'get' }
  | { kind: 'put'; val: string; ver: number }
  | { kind: 'delete'; ver: number };

export interface RegistersParams {
  acceptors: readonly Acceptor[];
  quorums: readonly (readonly Acceptor[])[];
  /** ops[p - 1]: Ops[p]; the number of proposers is ops.length. */
  ops: readonly (readonly Op[])[];
  maxBallot: number;
}

interface Msg1a {
  type: '1a';
  bal: Ballot;
}
export interface Msg1b {
  type: '1b';
  acc: Acceptor;
  bal: Ballot;
  mbal: Ballot;
  mval: Reg | null;
}
export interface Msg2a {
  type: '2a';
  bal: Ballot;
  val: Reg;
  ok: boolean;
  /** <<p, i>>: operation i of proposer p. */
  op: readonly [Proposer, number];
  pbal: Ballot;
  pval: Reg | null;
}
interface Msg2b {
  type: '2b';
  acc: Acceptor;
  bal: Ballot;
  val: Reg;
}
export type RegMessage = Msg1a | Msg1b | Msg2a | Msg2b;

interface Done {
  op: readonly [Proposer, number];
  bal: Ballot;
  /** opIdx when it was answered: operation j of q with j > invoked[q - 1] was invoked after. */
  invoked: readonly number[];
}

export interface RegistersState {
  maxBal: readonly Ballot[];
  maxVBal: readonly Ballot[];
  maxVal: readonly (Reg | null)[];
  /** Sorted by `keyOf`, without duplicates. */
  msgs: readonly RegMessage[];
  opIdx: readonly number[];
  pBal: readonly Ballot[];
  /** Sorted by `keyOf`, without duplicates. */
  done: readonly Done[];
}

export type RegistersAction =
  | { name: 'Prepare'; p: Proposer; b: Ballot }
  | { name: 'PrepareAck'; a: Acceptor; m: Msg1a }
  | { name: 'Accept'; p: Proposer; h: Msg1b }
  | { name: 'AcceptAck'; a: Acceptor; m: Msg2a }
  | { name: 'Complete'; p: Proposer; m: Msg2a }
  | { name: 'Abandon'; p: Proposer };
export type RegistersActionName = RegistersAction['name'];
export const REGISTERS_ACTION_NAMES: readonly RegistersActionName[] = [
  'Prepare',
  'PrepareAck',
  'Accept',
  'AcceptAck',
  'Complete',
  'Abandon',
];

// ---------------------------------------------------------------------------------------
// Constants, sets and functions

// Field order is fixed where each record is built, so equal records give equal keys. States
// share their messages, so a message's key is computed once.
const keys = new WeakMap<object, string>();
function keyOf(x: unknown): string {
  if (typeof x !== 'object' || x === null) return JSON.stringify(x);
  let k = keys.get(x);
  if (k === undefined) {
    k = JSON.stringify(x);
    keys.set(x, k);
  }
  return k;
}

/** set \cup {x}, for a set kept sorted by `keyOf`. */
export function withElement<T>(set: readonly T[], x: T): readonly T[] {
  const k = keyOf(x);
  let lo = 0;
  let hi = set.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = keyOf(set[mid]);
    if (c === k) return set;
    if (c < k) lo = mid + 1;
    else hi = mid;
  }
  const out = set.slice();
  out.splice(lo, 0, x);
  return out;
}

/** Send(m): msgs \cup {m}. */
export const send = (s: RegistersState, m: RegMessage): RegistersState => ({
  ...s,
  msgs: withElement(s.msgs, m),
});

const except = <T>(f: readonly T[], i: number, x: T): T[] => f.map((y, j) => (j === i ? x : y));
const accIndex = (p: RegistersParams, a: Acceptor): number => p.acceptors.indexOf(a);
const proposers = (p: RegistersParams): Proposer[] => p.ops.map((_, i) => i + 1);

/** Owns(p, b) @public */
export const Owns = (p: RegistersParams, q: Proposer, b: Ballot): boolean => b % p.ops.length === q - 1;

/** Empty @public */
export const Empty: Reg = { val: None, ver: 0 };

/** Apply(op, s): the state after `op` and its answer. @public */
export function Apply(op: Op, s: Reg): { state: Reg; ok: boolean } {
  if (op.kind === 'get' || (op.ver !== -1 && op.ver !== s.ver)) return { state: s, ok: op.kind === 'get' };
  return { state: { val: op.kind === 'put' ? op.val : None, ver: s.ver + 1 }, ok: true };
}

const OpOf = (p: RegistersParams, m: Msg2a): Op => p.ops[m.op[0] - 1]?.[m.op[1] - 1] as Op;

/** WritesBack(m) @public */
export const WritesBack = (p: RegistersParams, m: Msg2a): boolean => OpOf(p, m).kind === 'get' || !m.ok;

const sameOp = (x: readonly [number, number], y: readonly [number, number]) => x[0] === y[0] && x[1] === y[1];

// ---------------------------------------------------------------------------------------
// Init and the actions

export function Init(p: RegistersParams): RegistersState {
  return {
    maxBal: p.acceptors.map(() => -1),
    maxVBal: p.acceptors.map(() => -1),
    maxVal: p.acceptors.map(() => None),
    msgs: [],
    opIdx: p.ops.map(() => 1),
    pBal: p.ops.map(() => -1),
    done: [],
  };
}

const Running = (p: RegistersParams, s: RegistersState, q: Proposer): boolean =>
  (s.opIdx[q - 1] as number) <= (p.ops[q - 1] as readonly Op[]).length;

const Current = (s: RegistersState, q: Proposer): readonly [Proposer, number] => [
  q,
  s.opIdx[q - 1] as number,
];

/** SentChange(p) @public */
export const SentChange = (p: RegistersParams, s: RegistersState, q: Proposer): boolean =>
  s.msgs.some((m) => m.type === '2a' && sameOp(m.op, Current(s, q)) && !WritesBack(p, m));

/** Prepare(p, b) @public */
export function Prepare(
  p: RegistersParams,
  s: RegistersState,
  q: Proposer,
  b: Ballot,
): RegistersState | null {
  if (!(Running(p, s, q) && Owns(p, q, b) && b > (s.pBal[q - 1] as number) && !SentChange(p, s, q)))
    return null;
  return { ...s, pBal: except(s.pBal, q - 1, b), msgs: withElement(s.msgs, { type: '1a', bal: b }) };
}

/** PrepareAck(a), for the 1a message m it answers. @public */
export function PrepareAck(
  p: RegistersParams,
  s: RegistersState,
  a: Acceptor,
  m: Msg1a,
): RegistersState | null {
  const i = accIndex(p, a);
  if (!(s.msgs.some((x) => keyOf(x) === keyOf(m)) && m.bal > (s.maxBal[i] as number))) return null;
  const reply: Msg1b = {
    type: '1b',
    acc: a,
    bal: m.bal,
    mbal: s.maxVBal[i] as number,
    mval: s.maxVal[i] ?? None,
  };
  return { ...s, maxBal: except(s.maxBal, i, m.bal), msgs: withElement(s.msgs, reply) };
}

/** Promises(Q, b) @public */
export const Promises = (s: RegistersState, Q: readonly Acceptor[], b: Ballot): Msg1b[] =>
  s.msgs.filter((m): m is Msg1b => m.type === '1b' && Q.includes(m.acc) && m.bal === b);

/** The 2a that p sends after reading h: Accept's Send. */
export function acceptMessage(p: RegistersParams, s: RegistersState, q: Proposer, h: Msg1b): Msg2a {
  const op = (p.ops[q - 1] as readonly Op[])[(s.opIdx[q - 1] as number) - 1] as Op;
  const r = Apply(op, h.mbal === -1 ? Empty : (h.mval as Reg));
  return {
    type: '2a',
    bal: s.pBal[q - 1] as number,
    val: r.state,
    ok: r.ok,
    op: Current(s, q),
    pbal: h.mbal,
    pval: h.mval,
  };
}

/** The conjuncts of Accept before its choice of a quorum's promise. */
export function acceptEnabled(p: RegistersParams, s: RegistersState, q: Proposer): boolean {
  const b = s.pBal[q - 1] as number;
  return Running(p, s, q) && b >= 0 && !s.msgs.some((m) => m.type === '2a' && m.bal === b);
}

/** A quorum promised b, each of Q answered. */
export const promisedBy = (s: RegistersState, Q: readonly Acceptor[], b: Ballot): boolean =>
  Q.every((a) => Promises(s, Q, b).some((m) => m.acc === a));

/** Accept(p), with h the promise of the highest vote some quorum reports. @public */
export function Accept(p: RegistersParams, s: RegistersState, q: Proposer, h: Msg1b): RegistersState | null {
  if (!acceptEnabled(p, s, q)) return null;
  const b = s.pBal[q - 1] as number;
  const shown = p.quorums.some((Q) => {
    const ps = Promises(s, Q, b);
    return promisedBy(s, Q, b) && ps.some((m) => keyOf(m) === keyOf(h)) && ps.every((m) => h.mbal >= m.mbal);
  });
  if (!shown) return null;
  return { ...s, msgs: withElement(s.msgs, acceptMessage(p, s, q, h)) };
}

/** AcceptAck(a), for the 2a message m it answers. @public */
export function AcceptAck(
  p: RegistersParams,
  s: RegistersState,
  a: Acceptor,
  m: Msg2a,
): RegistersState | null {
  const i = accIndex(p, a);
  if (!(s.msgs.some((x) => keyOf(x) === keyOf(m)) && m.bal >= (s.maxBal[i] as number))) return null;
  return {
    ...s,
    maxBal: except(s.maxBal, i, m.bal),
    maxVBal: except(s.maxVBal, i, m.bal),
    maxVal: except(s.maxVal, i, m.val),
    msgs: withElement(s.msgs, { type: '2b', acc: a, bal: m.bal, val: m.val }),
  };
}

/** VotedFor(a, b, v) @public */
export const VotedFor = (s: RegistersState, a: Acceptor, b: Ballot, v: Reg): boolean =>
  s.msgs.some((m) => m.type === '2b' && m.acc === a && m.bal === b && keyOf(m.val) === keyOf(v));

/** ChosenAt(b, v) @public */
export const ChosenAt = (p: RegistersParams, s: RegistersState, b: Ballot, v: Reg): boolean =>
  p.quorums.some((Q) => Q.every((a) => VotedFor(s, a, b, v)));

/** Complete(p), for the 2a m of its latest round that a quorum voted for. @public */
export function Complete(
  p: RegistersParams,
  s: RegistersState,
  q: Proposer,
  m: Msg2a,
): RegistersState | null {
  if (!Running(p, s, q)) return null;
  const ok =
    s.msgs.some((x) => keyOf(x) === keyOf(m)) &&
    m.bal === s.pBal[q - 1] &&
    sameOp(m.op, Current(s, q)) &&
    ChosenAt(p, s, m.bal, m.val);
  if (!ok) return null;
  const done: Done = { op: Current(s, q), bal: m.bal, invoked: s.opIdx };
  return {
    ...s,
    done: withElement(s.done, done),
    opIdx: except(s.opIdx, q - 1, (s.opIdx[q - 1] as number) + 1),
  };
}

/** Abandon(p) @public */
export function Abandon(p: RegistersParams, s: RegistersState, q: Proposer): RegistersState | null {
  if (!Running(p, s, q)) return null;
  return { ...s, opIdx: except(s.opIdx, q - 1, (s.opIdx[q - 1] as number) + 1) };
}

/** The six actions, replaceable one by one to build deliberately broken variants. */
export interface RegistersActions {
  Prepare: typeof Prepare;
  PrepareAck: typeof PrepareAck;
  Accept: typeof Accept;
  AcceptAck: typeof AcceptAck;
  Complete: typeof Complete;
  Abandon: typeof Abandon;
}
export const registersActions: RegistersActions = {
  Prepare,
  PrepareAck,
  Accept,
  AcceptAck,
  Complete,
  Abandon,
};

function applyAction(p: RegistersParams, s: RegistersState, x: RegistersAction, acts: RegistersActions) {
  switch (x.name) {
    case 'Prepare':
      return acts.Prepare(p, s, x.p, x.b);
    case 'PrepareAck':
      return acts.PrepareAck(p, s, x.a, x.m);
    case 'Accept':
      return acts.Accept(p, s, x.p, x.h);
    case 'AcceptAck':
      return acts.AcceptAck(p, s, x.a, x.m);
    case 'Complete':
      return acts.Complete(p, s, x.p, x.m);
    case 'Abandon':
      return acts.Abandon(p, s, x.p);
  }
}

export interface RegistersStep {
  action: RegistersAction;
  state: RegistersState;
}

/** Next: every enabled action instance and the state it leads to. */
export function Next(
  p: RegistersParams,
  s: RegistersState,
  acts: RegistersActions = registersActions,
): RegistersStep[] {
  const steps: RegistersStep[] = [];
  const take = (action: RegistersAction) => {
    const state = applyAction(p, s, action, acts);
    if (state) steps.push({ action, state });
  };
  const of = <T extends RegMessage['type']>(t: T) =>
    s.msgs.filter((m): m is Extract<RegMessage, { type: T }> => m.type === t);
  for (const q of proposers(p)) {
    for (let b = 0; b <= p.maxBallot; b++) take({ name: 'Prepare', p: q, b });
    // Only messages of p's latest ballot can enable these two: the others are left out unasked.
    const b = s.pBal[q - 1];
    for (const h of of('1b')) if (h.bal === b) take({ name: 'Accept', p: q, h });
    for (const m of of('2a')) if (m.bal === b) take({ name: 'Complete', p: q, m });
    take({ name: 'Abandon', p: q });
  }
  for (const a of p.acceptors) {
    for (const m of of('1a')) take({ name: 'PrepareAck', a, m });
    for (const m of of('2a')) take({ name: 'AcceptAck', a, m });
  }
  return steps;
}

/** Tells states apart; built from the messages' own keys, which states share. */
export const stateKey = (s: RegistersState): string =>
  [
    keyOf(s.maxBal),
    keyOf(s.maxVBal),
    JSON.stringify(s.maxVal),
    keyOf(s.opIdx),
    keyOf(s.pBal),
    JSON.stringify(s.done),
    ...s.msgs.map(keyOf),
  ].join('|');

// ---------------------------------------------------------------------------------------
// The mapping to an atomic register

/** Changes @public */
export const Changes = (s: RegistersState): Msg2a[] => s.msgs.filter((m): m is Msg2a => m.type === '2a');

/** ChosenChanges @public */
export const ChosenChanges = (p: RegistersParams, s: RegistersState): Msg2a[] =>
  Changes(s).filter((m) => ChosenAt(p, s, m.bal, m.val));

/** Parent(m) @public */
export const Parent = (s: RegistersState, m: Msg2a): Msg2a | undefined =>
  Changes(s).find((q) => q.bal === m.pbal && keyOf(q.val) === keyOf(m.pval));

/** Lineage(m): the changes m descends from, oldest first, then m. @public */
export function Lineage(s: RegistersState, m: Msg2a): Msg2a[] {
  const out = [m];
  for (let x = m; x.pbal !== -1; ) {
    const parent = Parent(s, x);
    if (!parent) throw new Error(`no accept at ballot ${x.pbal} with the state ${keyOf(x.pval)}`);
    out.unshift(parent);
    x = parent;
  }
  return out;
}

/** History: the lineage of the chosen change of the highest ballot. @public */
export function History(p: RegistersParams, s: RegistersState): Msg2a[] {
  const chosen = ChosenChanges(p, s);
  if (chosen.length === 0) return [];
  const top = chosen.find((m) => chosen.every((q) => m.bal >= q.bal)) as Msg2a;
  return Lineage(s, top);
}

/** Replays(h) @public */
export const Replays = (p: RegistersParams, h: readonly Msg2a[]): boolean =>
  h.every((m, i) => {
    const r = Apply(OpOf(p, m), i === 0 ? Empty : (h[i - 1] as Msg2a).val);
    return keyOf(r.state) === keyOf(m.val) && r.ok === m.ok;
  });

const pairs = (n: number): [number, number][] =>
  Array.from({ length: n }, (_, i) =>
    Array.from({ length: n - i - 1 }, (_, k) => [i, i + k + 1] as [number, number]),
  ).flat();

/** AtomicRegister: a sequential register explains every chosen change and every answer. */
function AtomicRegister(p: RegistersParams, s: RegistersState): boolean {
  const h = History(p, s);
  const has = (m: Msg2a) => h.some((x) => keyOf(x) === keyOf(m));
  return (
    ChosenChanges(p, s).every(has) &&
    Replays(p, h) &&
    pairs(h.length).every(([i, j]) => {
      const [x, y] = [h[i] as Msg2a, h[j] as Msg2a];
      const once = !sameOp(x.op, y.op) || WritesBack(p, x) || WritesBack(p, y);
      const inOrder = x.op[0] !== y.op[0] || x.op[1] <= y.op[1];
      return once && inOrder;
    }) &&
    s.done.every((d) => {
      const i = h.findIndex((x) => sameOp(x.op, d.op) && x.bal === d.bal);
      const later = (x: Msg2a) => x.op[1] > (d.invoked[x.op[0] - 1] as number);
      return i >= 0 && h.every((x, j) => !later(x) || i < j);
    })
  );
}

const isBallotOrNone = (p: RegistersParams, b: number) => Number.isInteger(b) && b >= -1 && b <= p.maxBallot;

function TypeOK(p: RegistersParams, s: RegistersState): boolean {
  return (
    s.maxBal.length === p.acceptors.length &&
    s.maxBal.every((b) => isBallotOrNone(p, b)) &&
    s.maxVBal.every((b) => isBallotOrNone(p, b)) &&
    s.opIdx.every((i) => Number.isInteger(i) && i >= 1) &&
    s.pBal.every((b) => isBallotOrNone(p, b)) &&
    s.msgs.every((m) => ['1a', '1b', '2a', '2b'].includes(m.type))
  );
}

export type RegistersInvariantName = 'TypeOK' | 'AtomicRegister';
export const registersInvariants: Readonly<
  Record<RegistersInvariantName, (p: RegistersParams, s: RegistersState) => boolean>
> = { TypeOK, AtomicRegister };
export const REGISTERS_INVARIANT_NAMES = Object.keys(registersInvariants) as RegistersInvariantName[];

/** An action as a trace prints it: `Accept(1) on 1b(acc=2, bal=0, mbal=-1)`. */
export function formatRegistersAction(x: RegistersAction): string {
  switch (x.name) {
    case 'Prepare':
      return `Prepare(${x.p}, ${x.b})`;
    case 'Abandon':
      return `Abandon(${x.p})`;
    case 'PrepareAck':
    case 'AcceptAck':
      return `${x.name}(${x.a}) on ${keyOf(x.m)}`;
    case 'Accept':
      return `Accept(${x.p}) reading ${keyOf(x.h)}`;
    case 'Complete':
      return `Complete(${x.p}) on ${keyOf(x.m)}`;
  }
}
