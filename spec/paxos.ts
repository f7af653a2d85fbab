/**
 * spec/Paxos.tla, executable: the same constants, variables, actions and invariants under
 * the same names, one TypeScript function per TLA+ definition. It is written to be read
 * next to the module and to be obviously the same; speed lives in src/check/packedSpec.ts,
 * which a test holds step-equal to this file.
 *
 * A state is a plain value: three functions over Acceptors (records keyed by acceptor) and
 * the set msgs as an array in one canonical order, so two equal states print equally and
 * `stateKey` tells them apart.
 *
 * Exports tagged @public are TLA+ definitions that spec/paxos.test.ts looks up on this
 * module by name, to hold the transcription to Paxos.tla; nothing else need import them.
 */

export type Acceptor = number;
export type Value = string;
/** A ballot of Ballots (0..MaxBallot), or -1 for "no ballot yet". */
export type Ballot = number;
/** TLA+'s None: "no value", not in Values. */
export const None = null;
export type None = typeof None;

/** The constants of the module. Ballots == 0..maxBallot. */
export interface SpecParams {
  acceptors: readonly Acceptor[];
  values: readonly Value[];
  /** Every two quorums intersect (QuorumAssumption); `checkParams` holds to it. */
  quorums: readonly (readonly Acceptor[])[];
  maxBallot: number;
}

interface Msg1a {
  type: '1a';
  bal: Ballot;
}
interface Msg1b {
  type: '1b';
  acc: Acceptor;
  bal: Ballot;
  mbal: Ballot;
  mval: Value | None;
}
export interface Msg2a {
  type: '2a';
  bal: Ballot;
  val: Value;
}
interface Msg2b {
  type: '2b';
  acc: Acceptor;
  bal: Ballot;
  val: Value;
}
export type SpecMessage = Msg1a | Msg1b | Msg2a | Msg2b;

export interface SpecState {
  maxBal: Readonly<Record<Acceptor, Ballot>>;
  maxVBal: Readonly<Record<Acceptor, Ballot>>;
  maxVal: Readonly<Record<Acceptor, Value | None>>;
  /** The set of every message sent, sorted by `compareMessages`, without duplicates. */
  msgs: readonly SpecMessage[];
}

/** An instance of one action of Next, with the values its quantifiers picked. */
export type SpecAction =
  | { name: 'Prepare'; b: Ballot }
  | { name: 'PrepareAck'; a: Acceptor; m: Msg1a }
  | { name: 'Accept'; b: Ballot; v: Value }
  | { name: 'AcceptAck'; a: Acceptor; m: Msg2a };
export type ActionName = SpecAction['name'];
export const ACTION_NAMES: readonly ActionName[] = ['Prepare', 'PrepareAck', 'Accept', 'AcceptAck'];

// ---------------------------------------------------------------------------------------
// Constants and the set of messages

const ballots = (p: SpecParams): Ballot[] => Array.from({ length: p.maxBallot + 1 }, (_, b) => b);
const isBallot = (p: SpecParams, b: number): boolean => Number.isInteger(b) && b >= 0 && b <= p.maxBallot;

/** QuorumAssumption (and the other ASSUMEs): throws on constants TLC would reject. */
export function checkParams(p: SpecParams): void {
  const acceptors = new Set(p.acceptors);
  for (const q of p.quorums) {
    if (!q.every((a) => acceptors.has(a))) throw new Error(`quorum {${q}} is not a set of acceptors`);
  }
  for (const q1 of p.quorums) {
    for (const q2 of p.quorums) {
      if (!q1.some((a) => q2.includes(a))) throw new Error(`quorums {${q1}} and {${q2}} do not intersect`);
    }
  }
  if (!Number.isInteger(p.maxBallot) || p.maxBallot < 0) throw new Error('MaxBallot must be in Nat');
}

const TYPE_ORDER = { '1a': 0, '1b': 1, '2a': 2, '2b': 3 } as const;

const compareValues = (x: Value | None, y: Value | None): number =>
  x === y ? 0 : x === None ? -1 : y === None ? 1 : x < y ? -1 : 1;

/** The canonical order of msgs: by type, ballot, acceptor, then the rest. */
export function compareMessages(x: SpecMessage, y: SpecMessage): number {
  if (x.type !== y.type) return TYPE_ORDER[x.type] - TYPE_ORDER[y.type];
  if (x.bal !== y.bal) return x.bal - y.bal;
  switch (x.type) {
    case '1a':
      return 0;
    case '1b': {
      const z = y as Msg1b;
      return x.acc - z.acc || x.mbal - z.mbal || compareValues(x.mval, z.mval);
    }
    case '2a':
      return compareValues(x.val, (y as Msg2a).val);
    case '2b': {
      const z = y as Msg2b;
      return x.acc - z.acc || compareValues(x.val, z.val);
    }
  }
}

/** Where m is in msgs, or where it would go (as -1 - position). */
function search(msgs: readonly SpecMessage[], m: SpecMessage): number {
  let lo = 0;
  let hi = msgs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareMessages(msgs[mid] as SpecMessage, m);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1 - lo;
}

export const sent = (msgs: readonly SpecMessage[], m: SpecMessage): boolean => search(msgs, m) >= 0;

/** msgs \cup {m} */
export function withMessage(msgs: readonly SpecMessage[], m: SpecMessage): readonly SpecMessage[] {
  const at = search(msgs, m);
  if (at >= 0) return msgs;
  const out = msgs.slice();
  out.splice(-1 - at, 0, m);
  return out;
}

/** Sorts and deduplicates: msgs built from any collection of messages. */
export function messageSet(ms: Iterable<SpecMessage>): readonly SpecMessage[] {
  const out = [...ms].sort(compareMessages);
  return out.filter((m, i) => i === 0 || compareMessages(out[i - 1] as SpecMessage, m) !== 0);
}

/** f[a] for a function over Acceptors: a missing acceptor is a bug in the caller. */
function at<T>(f: Readonly<Record<Acceptor, T>>, a: Acceptor): T {
  const x = f[a];
  if (x === undefined) throw new Error(`acceptor ${a} is not in Acceptors`);
  return x;
}

const except = <T>(f: Readonly<Record<Acceptor, T>>, a: Acceptor, x: T): Record<Acceptor, T> => ({
  ...f,
  [a]: x,
});

const overAcceptors = <T>(p: SpecParams, x: T): Record<Acceptor, T> =>
  Object.fromEntries(p.acceptors.map((a) => [a, x]));

// ---------------------------------------------------------------------------------------
// Init and the actions

export function Init(p: SpecParams): SpecState {
  return {
    maxBal: overAcceptors(p, -1),
    maxVBal: overAcceptors(p, -1),
    maxVal: overAcceptors<Value | None>(p, None),
    msgs: [],
  };
}

/** Prepare(b): the proposer of ballot b sends prepare (1a). @public */
export function Prepare(_p: SpecParams, s: SpecState, b: Ballot): SpecState | null {
  return { ...s, msgs: withMessage(s.msgs, { type: '1a', bal: b }) };
}

/** PrepareAck(a), for the 1a message m it answers: promise m.bal, report the latest vote. @public */
export function PrepareAck(_p: SpecParams, s: SpecState, a: Acceptor, m: Msg1a): SpecState | null {
  if (!(sent(s.msgs, m) && m.bal > at(s.maxBal, a))) return null;
  return {
    ...s,
    maxBal: except(s.maxBal, a, m.bal),
    msgs: withMessage(s.msgs, {
      type: '1b',
      acc: a,
      bal: m.bal,
      mbal: at(s.maxVBal, a),
      mval: at(s.maxVal, a),
    }),
  };
}

/** ShowsSafe(Q, b, v): Q promised b, and v is free or the value of the highest vote reported. @public */
export function ShowsSafe(s: SpecState, Q: readonly Acceptor[], b: Ballot, v: Value): boolean {
  const promises = s.msgs.filter((m): m is Msg1b => m.type === '1b' && Q.includes(m.acc) && m.bal === b);
  const votes = promises.filter((m) => m.mbal >= 0);
  return (
    Q.every((a) => promises.some((m) => m.acc === a)) &&
    (votes.length === 0 || votes.some((m) => m.mval === v && votes.every((mm) => m.mbal >= mm.mbal)))
  );
}

/** Accept(b, v): once per ballot, with a quorum's promises that show v safe, send accept (2a). @public */
export function Accept(p: SpecParams, s: SpecState, b: Ballot, v: Value): SpecState | null {
  if (s.msgs.some((m) => m.type === '2a' && m.bal === b)) return null;
  if (!p.quorums.some((Q) => ShowsSafe(s, Q, b, v))) return null;
  return { ...s, msgs: withMessage(s.msgs, { type: '2a', bal: b, val: v }) };
}

/** AcceptAck(a), for the 2a message m it answers: vote unless a higher ballot was promised. @public */
export function AcceptAck(_p: SpecParams, s: SpecState, a: Acceptor, m: Msg2a): SpecState | null {
  if (!(sent(s.msgs, m) && m.bal >= at(s.maxBal, a))) return null;
  return {
    maxBal: except(s.maxBal, a, m.bal),
    maxVBal: except(s.maxVBal, a, m.bal),
    maxVal: except(s.maxVal, a, m.val),
    msgs: withMessage(s.msgs, { type: '2b', acc: a, bal: m.bal, val: m.val }),
  };
}

/** The four actions, replaceable one by one to build deliberately broken variants. */
export interface SpecActions {
  Prepare: typeof Prepare;
  PrepareAck: typeof PrepareAck;
  Accept: typeof Accept;
  AcceptAck: typeof AcceptAck;
}
export const specActions: SpecActions = { Prepare, PrepareAck, Accept, AcceptAck };

/** The state `action` leads to from s, or null when Next does not allow it (disabled, or out of range). */
export function applyAction(
  p: SpecParams,
  s: SpecState,
  action: SpecAction,
  actions: SpecActions = specActions,
): SpecState | null {
  switch (action.name) {
    case 'Prepare':
      return isBallot(p, action.b) ? actions.Prepare(p, s, action.b) : null;
    case 'Accept':
      return isBallot(p, action.b) && p.values.includes(action.v)
        ? actions.Accept(p, s, action.b, action.v)
        : null;
    case 'PrepareAck':
      return p.acceptors.includes(action.a) ? actions.PrepareAck(p, s, action.a, action.m) : null;
    case 'AcceptAck':
      return p.acceptors.includes(action.a) ? actions.AcceptAck(p, s, action.a, action.m) : null;
  }
}

export interface SpecStep {
  action: SpecAction;
  state: SpecState;
}

/** Next: every enabled action instance and the state it leads to (stutters included). */
export function Next(p: SpecParams, s: SpecState, actions: SpecActions = specActions): SpecStep[] {
  const steps: SpecStep[] = [];
  const take = (action: SpecAction) => {
    const state = applyAction(p, s, action, actions);
    if (state) steps.push({ action, state });
  };
  for (const b of ballots(p)) {
    take({ name: 'Prepare', b });
    for (const v of p.values) take({ name: 'Accept', b, v });
  }
  for (const a of p.acceptors) {
    for (const m of s.msgs) if (m.type === '1a') take({ name: 'PrepareAck', a, m });
    for (const m of s.msgs) if (m.type === '2a') take({ name: 'AcceptAck', a, m });
  }
  return steps;
}

// ---------------------------------------------------------------------------------------
// Invariants

const isBallotOrNone = (p: SpecParams, b: number) => b === -1 || isBallot(p, b);
const isValue = (p: SpecParams, v: unknown): v is Value => typeof v === 'string' && p.values.includes(v);
const isAcceptor = (p: SpecParams, a: unknown): a is Acceptor =>
  typeof a === 'number' && p.acceptors.includes(a);

function isMessage(p: SpecParams, m: SpecMessage): boolean {
  switch (m.type) {
    case '1a':
      return isBallot(p, m.bal);
    case '1b':
      return (
        isAcceptor(p, m.acc) &&
        isBallot(p, m.bal) &&
        isBallotOrNone(p, m.mbal) &&
        (m.mval === None || isValue(p, m.mval))
      );
    case '2a':
      return isBallot(p, m.bal) && isValue(p, m.val);
    case '2b':
      return isAcceptor(p, m.acc) && isBallot(p, m.bal) && isValue(p, m.val);
  }
}

const sameKeys = (p: SpecParams, f: object) => {
  const keys = Object.keys(f);
  return keys.length === p.acceptors.length && p.acceptors.every((a) => Object.hasOwn(f, a));
};

function TypeOK(p: SpecParams, s: SpecState): boolean {
  return (
    sameKeys(p, s.maxBal) &&
    sameKeys(p, s.maxVBal) &&
    sameKeys(p, s.maxVal) &&
    p.acceptors.every(
      (a) =>
        isBallotOrNone(p, at(s.maxBal, a)) &&
        isBallotOrNone(p, at(s.maxVBal, a)) &&
        (at(s.maxVal, a) === None || isValue(p, at(s.maxVal, a))),
    ) &&
    s.msgs.every((m) => isMessage(p, m))
  );
}

/** @public */
export const VotedFor = (s: SpecState, a: Acceptor, b: Ballot, v: Value | None): boolean =>
  s.msgs.some((m) => m.type === '2b' && m.acc === a && m.bal === b && m.val === v);

/** @public */
export const ChosenAt = (p: SpecParams, s: SpecState, b: Ballot, v: Value): boolean =>
  p.quorums.some((Q) => Q.every((a) => VotedFor(s, a, b, v)));

/** chosen: the values of votes that a quorum cast at one ballot. */
export function chosen(p: SpecParams, s: SpecState): Value[] {
  const out = new Set<Value>();
  for (const m of s.msgs) if (m.type === '2b' && ChosenAt(p, s, m.bal, m.val)) out.add(m.val);
  return [...out].sort();
}

const proposed = (s: SpecState): Value[] => [
  ...new Set(s.msgs.flatMap((m) => (m.type === '2a' ? [m.val] : []))),
];

export const Agreement = (p: SpecParams, s: SpecState): boolean => chosen(p, s).length <= 1;

function Validity(p: SpecParams, s: SpecState): boolean {
  const prop = proposed(s);
  return chosen(p, s).every((v) => p.values.includes(v) && prop.includes(v));
}

/** @public */
export const WontVoteIn = (p: SpecParams, s: SpecState, a: Acceptor, b: Ballot): boolean =>
  p.values.every((v) => !VotedFor(s, a, b, v)) && at(s.maxBal, a) > b;

/** @public */
export function SafeAt(p: SpecParams, s: SpecState, b: Ballot, v: Value): boolean {
  for (let c = 0; c <= b - 1; c++) {
    if (!p.quorums.some((Q) => Q.every((a) => VotedFor(s, a, c, v) || WontVoteIn(p, s, a, c)))) return false;
  }
  return true;
}

const votedAtAll = (p: SpecParams, s: SpecState, a: Acceptor, c: Ballot) =>
  p.values.some((v) => VotedFor(s, a, c, v));

/** @public */
export function AccInv(p: SpecParams, s: SpecState): boolean {
  return p.acceptors.every((a) => {
    const vbal = at(s.maxVBal, a);
    const val = at(s.maxVal, a);
    return (
      (val === None) === (vbal === -1) &&
      vbal <= at(s.maxBal, a) &&
      (vbal < 0 || VotedFor(s, a, vbal, val)) &&
      ballots(p).every((c) => !(c > vbal) || !votedAtAll(p, s, a, c))
    );
  });
}

/** MsgInv's conjunct for one message m. */
function messageHolds(p: SpecParams, s: SpecState, m: SpecMessage): boolean {
  switch (m.type) {
    case '1a':
      return true;
    case '1b': {
      if (!(m.bal <= at(s.maxBal, m.acc))) return false;
      const reportsVote =
        (isValue(p, m.mval) && isBallot(p, m.mbal) && VotedFor(s, m.acc, m.mbal, m.mval)) ||
        (m.mval === None && m.mbal === -1);
      if (!reportsVote) return false;
      for (let c = m.mbal + 1; c <= m.bal - 1; c++) if (votedAtAll(p, s, m.acc, c)) return false;
      return true;
    }
    case '2a':
      return (
        SafeAt(p, s, m.bal, m.val) &&
        s.msgs.every((mm) => !(mm.type === '2a' && mm.bal === m.bal) || mm.val === m.val)
      );
    case '2b':
      return (
        s.msgs.some((mm) => mm.type === '2a' && mm.bal === m.bal && mm.val === m.val) &&
        m.bal <= at(s.maxVBal, m.acc)
      );
  }
}

/** @public */
export const MsgInv = (p: SpecParams, s: SpecState): boolean => s.msgs.every((m) => messageHolds(p, s, m));

const Inv = (p: SpecParams, s: SpecState): boolean => TypeOK(p, s) && AccInv(p, s) && MsgInv(p, s);

export type InvariantName = 'TypeOK' | 'Agreement' | 'Validity' | 'Inv';
export type Invariant = (p: SpecParams, s: SpecState) => boolean;

/** The invariants the module's THEOREMs assert, checked in this order. */
export const specInvariants: Readonly<Record<InvariantName, Invariant>> = {
  TypeOK,
  Agreement,
  Validity,
  Inv,
};
export const INVARIANT_NAMES = Object.keys(specInvariants) as InvariantName[];

// ---------------------------------------------------------------------------------------
// Printing

const showValue = (v: Value | None) => (v === None ? 'None' : v);

function formatMessage(m: SpecMessage): string {
  switch (m.type) {
    case '1a':
      return `1a(bal=${m.bal})`;
    case '1b':
      return `1b(acc=${m.acc}, bal=${m.bal}, mbal=${m.mbal}, mval=${showValue(m.mval)})`;
    case '2a':
      return `2a(bal=${m.bal}, val=${m.val})`;
    case '2b':
      return `2b(acc=${m.acc}, bal=${m.bal}, val=${m.val})`;
  }
}

/** "Prepare(0)", "PrepareAck(2) on 1a(bal=0)", "Accept(0, X)", "AcceptAck(2) on 2a(bal=0, val=X)". */
export function formatAction(action: SpecAction): string {
  switch (action.name) {
    case 'Prepare':
      return `Prepare(${action.b})`;
    case 'Accept':
      return `Accept(${action.b}, ${action.v})`;
    case 'PrepareAck':
    case 'AcceptAck':
      return `${action.name}(${action.a}) on ${formatMessage(action.m)}`;
  }
}

export interface PrintableState {
  maxBal: Record<string, Ballot>;
  maxVBal: Record<string, Ballot>;
  maxVal: Record<string, string>;
  msgs: string[];
}

/** The state as TLC would print it, with messages as short strings. */
export function printState(s: SpecState): PrintableState {
  return {
    maxBal: { ...s.maxBal },
    maxVBal: { ...s.maxVBal },
    maxVal: Object.fromEntries(Object.entries(s.maxVal).map(([a, v]) => [a, showValue(v)])),
    msgs: s.msgs.map(formatMessage),
  };
}

const messageTuple = (m: SpecMessage): unknown[] => {
  switch (m.type) {
    case '1a':
      return [m.type, m.bal];
    case '1b':
      return [m.type, m.acc, m.bal, m.mbal, m.mval];
    case '2a':
      return [m.type, m.bal, m.val];
    case '2b':
      return [m.type, m.acc, m.bal, m.val];
  }
};

/** A string that two states share exactly when they are equal. */
export const stateKey = (s: SpecState): string =>
  JSON.stringify([s.maxBal, s.maxVBal, s.maxVal, s.msgs.map(messageTuple)]);

export function sameState(x: SpecState, y: SpecState): boolean {
  if (x.msgs.length !== y.msgs.length) return false;
  for (const a of Object.keys(x.maxBal)) {
    const k = Number(a);
    if (x.maxBal[k] !== y.maxBal[k] || x.maxVBal[k] !== y.maxVBal[k] || x.maxVal[k] !== y.maxVal[k])
      return false;
  }
  return x.msgs.every((m, i) => compareMessages(m, y.msgs[i] as SpecMessage) === 0);
}
