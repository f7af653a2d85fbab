/**
 * The spec's state space, bit-packed, for the exhaustive checker: the same actions and
 * invariants as spec/paxos.ts (a test holds the two step-equal), over states that are a
 * few 32-bit words instead of objects.
 *
 * Layout of a state:
 *  - per acceptor, one field each for maxBal+1, maxVBal+1 (0..MaxBallot+1) and maxVal+1
 *    (0 for None, then the index of the value), side by side in one word;
 *  - then one bit per message of an enumerated universe: every 1a(b); every 1b(a, b, mbal,
 *    mval) an acceptor can send (mbal < b, and mval is None exactly when mbal = -1: what
 *    maxVBal <= maxBal and AccInv allow); every 2a(b, v); every 2b(a, b, v).
 * A set of messages is then a bit set, `msgs \cup {m}` one OR, and `m \in msgs` one AND.
 * A variant whose acceptors could send a 1b outside that universe makes the search throw,
 * never silently drop the message.
 */
import {
  type Acceptor,
  type Ballot,
  compareMessages,
  formatAction,
  None,
  printState,
  type SpecAction,
  type SpecMessage,
  type SpecParams,
  type SpecState,
  type Value,
} from '../../spec/paxos';
import type { SpecVariant } from '../../spec/variants';

/** The spec over fixed-width states of `words` ints. */
export interface PackedSpec {
  readonly params: SpecParams;
  readonly words: number;
  /** Writes each initial state into `out` and calls `emit` after each. */
  initial(out: Int32Array, emit: () => void): void;
  /**
   * Writes each successor of `cur` that differs from it into `next` and calls `visit` with
   * a code for the action instance; returns how many enabled instances left `cur` as it
   * was (stutters). `visit` returning true stops the enumeration.
   */
  successors(cur: Int32Array, next: Int32Array, visit: (action: number) => boolean | undefined): number;
  /** The name of the first invariant s breaks, or null. */
  violation(s: Int32Array): string | null;
  /** The action instance a code stands for, printable. */
  actionName(action: number): string;
  printable(s: Int32Array): unknown;
  encode(state: SpecState, out: Int32Array): void;
  decode(s: Int32Array): SpecState;
  action(code: number): SpecAction;
}

const MAX_ACCEPTORS = 16;
const MAX_VALUES = 16;

const bitsFor = (n: number) => (n <= 1 ? 0 : 32 - Math.clz32(n - 1));

/** Where each acceptor's fields and each message's bit live, and the quorums as bit masks. */
interface Layout {
  p: SpecParams;
  A: number;
  V: number;
  B: number;
  NB: number;
  bB: number;
  maskB: number;
  maskV: number;
  maskAcc: number;
  accWord: Int32Array;
  accShift: Int32Array;
  /** (mbal, mval) pairs of a 1b: (-1, None), then (mbal, v) for mbal < B. */
  K1b: number;
  /** Per message of the universe: its word, and its bit as a mask (w1b is -1 where no 1b exists). */
  w1a: Int32Array;
  k1a: Int32Array;
  w1b: Int32Array;
  k1b: Int32Array;
  w2a: Int32Array;
  k2a: Int32Array;
  w2b: Int32Array;
  k2b: Int32Array;
  words: number;
  index: Map<Acceptor, number>;
  quorumMasks: number[];
  quorumMembers: Int32Array[];
  /** containsQuorum[S]: whether the acceptor set S includes a quorum. */
  containsQuorum: Uint8Array;
  allValues: number;
  ignoresPromise: boolean;
  ignoresVotes: boolean;
}

/** Acceptor fields, never split across two words: their words and shifts, and the first free bit. */
function acceptorFields(A: number, fieldBits: number) {
  const accWord = new Int32Array(A);
  const accShift = new Int32Array(A);
  let bit = 0;
  for (let a = 0; a < A; a++) {
    if ((bit & 31) + fieldBits > 32) bit = (bit | 31) + 1;
    accWord[a] = bit >>> 5;
    accShift[a] = bit & 31;
    bit += fieldBits;
  }
  return { accWord, accShift, bit };
}

/** The message universe from bit `first` on: a word index and a mask per message. */
function messageUniverse(A: number, V: number, NB: number, first: number) {
  let bit = first;
  const K1b = 1 + (NB - 1) * V;
  const u = {
    K1b,
    w1a: new Int32Array(NB),
    k1a: new Int32Array(NB),
    w1b: new Int32Array(A * NB * K1b).fill(-1),
    k1b: new Int32Array(A * NB * K1b),
    w2a: new Int32Array(NB * V),
    k2a: new Int32Array(NB * V),
    w2b: new Int32Array(A * NB * V),
    k2b: new Int32Array(A * NB * V),
    words: 0,
  };
  const place = (w: Int32Array, k: Int32Array, i: number) => {
    w[i] = bit >>> 5;
    k[i] = 1 << (bit & 31);
    bit++;
  };
  for (let b = 0; b < NB; b++) place(u.w1a, u.k1a, b);
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < NB; b++)
      for (let k = 0; k < 1 + b * V; k++) place(u.w1b, u.k1b, (a * NB + b) * K1b + k);
  }
  for (let i = 0; i < NB * V; i++) place(u.w2a, u.k2a, i);
  for (let i = 0; i < A * NB * V; i++) place(u.w2b, u.k2b, i);
  u.words = Math.max(1, (bit + 31) >>> 5);
  return u;
}

function quorumTables(p: SpecParams, index: Map<Acceptor, number>) {
  const A = p.acceptors.length;
  const quorumMasks = p.quorums.map((q) =>
    q.reduce((mask, a) => {
      const i = index.get(a);
      if (i === undefined) throw new Error(`quorum member ${a} is not an acceptor`);
      return mask | (1 << i);
    }, 0),
  );
  const containsQuorum = new Uint8Array(1 << A);
  for (let S = 0; S < 1 << A; S++) containsQuorum[S] = quorumMasks.some((q) => (q & S) === q) ? 1 : 0;
  const quorumMembers = quorumMasks.map((q) =>
    Int32Array.from(p.acceptors.keys()).filter((i) => q & (1 << i)),
  );
  return { quorumMasks, containsQuorum, quorumMembers };
}

function layoutOf(p: SpecParams, variant: SpecVariant): Layout {
  const A = p.acceptors.length;
  const V = p.values.length;
  const B = p.maxBallot;
  if (A > MAX_ACCEPTORS || V > MAX_VALUES)
    throw new Error(`packed spec supports up to ${MAX_ACCEPTORS} acceptors and ${MAX_VALUES} values`);
  const bB = bitsFor(B + 2);
  const bV = bitsFor(V + 1);
  const fieldBits = 2 * bB + bV;
  if (fieldBits > 32) throw new Error('MaxBallot too large to pack');
  const fields = acceptorFields(A, fieldBits);
  const index = new Map<Acceptor, number>(p.acceptors.map((a, i) => [a, i]));
  return {
    p,
    A,
    V,
    B,
    NB: B + 1,
    bB,
    maskB: (1 << bB) - 1,
    maskV: (1 << bV) - 1,
    maskAcc: fieldBits === 32 ? 0xffffffff : (1 << fieldBits) - 1,
    accWord: fields.accWord,
    accShift: fields.accShift,
    ...messageUniverse(A, V, B + 1, fields.bit),
    index,
    ...quorumTables(p, index),
    allValues: (1 << V) - 1,
    ignoresPromise: variant === 'AcceptAckIgnoresPromise',
    ignoresVotes: variant === 'AcceptIgnoresReportedVotes',
  };
}

/** Each acceptor's (maxBal, maxVBal, maxVal), -1 for none, into the three arrays. */
function readAcceptors(L: Layout, s: Int32Array, bal: Int32Array, vbal: Int32Array, val: Int32Array): void {
  const { A, accWord, accShift, maskB, maskV, bB } = L;
  for (let a = 0; a < A; a++) {
    const x = (s[accWord[a] as number] as number) >>> (accShift[a] as number);
    bal[a] = (x & maskB) - 1;
    vbal[a] = ((x >>> bB) & maskB) - 1;
    val[a] = ((x >>> (2 * bB)) & maskV) - 1;
  }
}

function writeAcceptor(L: Layout, s: Int32Array, a: number, bal: number, vbal: number, val: number): void {
  const w = L.accWord[a] as number;
  const shift = L.accShift[a] as number;
  const x = (bal + 1) | ((vbal + 1) << L.bB) | ((val + 1) << (2 * L.bB));
  s[w] = ((s[w] as number) & ~(L.maskAcc << shift)) | (x << shift);
}

/** The index of 1b(a, b, mbal, val) in the universe, or an error: a 1b outside it is never dropped silently. */
function code1b(L: Layout, a: number, b: number, mbal: number, val: number): number {
  if (mbal >= b || mbal < 0 !== val < 0) {
    throw new Error(
      `1b(acc=${L.p.acceptors[a]}, bal=${b}, mbal=${mbal}) lies outside the packed message universe`,
    );
  }
  return (a * L.NB + b) * L.K1b + (mbal < 0 ? 0 : 1 + mbal * L.V + val);
}

/** An expansion under way: the state, its acceptors, scratch, where successors go and how many stutters. */
interface Expansion {
  cur: Int32Array;
  next: Int32Array;
  visit: (action: number) => boolean | undefined;
  stutters: number;
  maxBal: Int32Array;
  maxVBal: Int32Array;
  maxVal: Int32Array;
  bestBal: Int32Array;
  bestVals: Int32Array;
}

const copy = (L: Layout, from: Int32Array, to: Int32Array) => {
  for (let i = 0; i < L.words; i++) to[i] = from[i] as number;
};

/** Prepare(b): sends 1a(b). True when the visitor stops the enumeration. */
function prepareSteps(L: Layout, x: Expansion): boolean {
  for (let b = 0; b < L.NB; b++) {
    const w = L.w1a[b] as number;
    const k = L.k1a[b] as number;
    if ((x.cur[w] as number) & k) {
      x.stutters++;
      continue;
    }
    copy(L, x.cur, x.next);
    x.next[w] = (x.next[w] as number) | k;
    if (x.visit(b)) return true;
  }
  return false;
}

/** Which acceptors sent a 1b for b, each with its highest reported vote (ballot, values at it) in bestBal/bestVals. */
function promisesFor(L: Layout, x: Expansion, b: number): number {
  const { cur, bestBal, bestVals } = x;
  const { w1b, k1b, V } = L;
  let promised = 0;
  for (let a = 0; a < L.A; a++) {
    const base = (a * L.NB + b) * L.K1b;
    let best = -2;
    let vals = 0;
    for (let mbal = b - 1; mbal >= 0 && best === -2; mbal--) {
      for (let v = 0; v < V; v++) {
        const i = base + 1 + mbal * V + v;
        if ((cur[w1b[i] as number] as number) & (k1b[i] as number)) {
          best = mbal;
          vals |= 1 << v;
        }
      }
    }
    if (best === -2 && (cur[w1b[base] as number] as number) & (k1b[base] as number)) best = -1;
    if (best !== -2) {
      promised |= 1 << a;
      bestBal[a] = best;
      bestVals[a] = vals;
    }
  }
  return promised;
}

/** The values an Accept(b, _) may carry, as a bit set: per promising quorum, its highest reported vote's, or any. */
function allowedValues(L: Layout, x: Expansion, promised: number): number {
  if (L.ignoresVotes) return L.allValues;
  let allowed = 0;
  for (let q = 0; q < L.quorumMasks.length && allowed !== L.allValues; q++) {
    const mask = L.quorumMasks[q] as number;
    if ((mask & promised) !== mask) continue;
    let high = -1;
    let highVals = 0;
    for (const a of L.quorumMembers[q] as Int32Array) {
      const bal = x.bestBal[a] as number;
      if (bal > high) {
        high = bal;
        highVals = x.bestVals[a] as number;
      } else if (bal === high) {
        highVals |= x.bestVals[a] as number;
      }
    }
    allowed |= high < 0 ? L.allValues : highVals;
  }
  return allowed;
}

/** Accept(b, v): sends 2a(b, v), once per ballot, on a quorum of promises. */
function acceptSteps(L: Layout, x: Expansion, baseAccept: number): boolean {
  const { V, w2a, k2a } = L;
  for (let b = 0; b < L.NB; b++) {
    let taken = false;
    for (let v = 0; v < V && !taken; v++)
      taken = ((x.cur[w2a[b * V + v] as number] as number) & (k2a[b * V + v] as number)) !== 0;
    if (taken) continue;
    const promised = promisesFor(L, x, b);
    if (!L.containsQuorum[promised]) continue;
    const allowed = allowedValues(L, x, promised);
    for (let v = 0; v < V; v++) {
      if (!(allowed & (1 << v))) continue;
      copy(L, x.cur, x.next);
      const i = b * V + v;
      x.next[w2a[i] as number] = (x.next[w2a[i] as number] as number) | (k2a[i] as number);
      if (x.visit(baseAccept + i)) return true;
    }
  }
  return false;
}

/** PrepareAck(a): one instance per 1a(b) above maxBal[a]. */
function prepareAckSteps(L: Layout, x: Expansion, basePrepareAck: number): boolean {
  for (let a = 0; a < L.A; a++) {
    const vbal = x.maxVBal[a] as number;
    const val = x.maxVal[a] as number;
    for (let b = (x.maxBal[a] as number) + 1; b < L.NB; b++) {
      if (!((x.cur[L.w1a[b] as number] as number) & (L.k1a[b] as number))) continue;
      copy(L, x.cur, x.next);
      writeAcceptor(L, x.next, a, b, vbal, val);
      const i = code1b(L, a, b, vbal, val);
      x.next[L.w1b[i] as number] = (x.next[L.w1b[i] as number] as number) | (L.k1b[i] as number);
      if (x.visit(basePrepareAck + a * L.NB + b)) return true;
    }
  }
  return false;
}

/** AcceptAck(a): one instance per 2a(b, v) with b >= maxBal[a]. */
function acceptAckSteps(L: Layout, x: Expansion, baseAcceptAck: number): boolean {
  const { V, NB, w2a, k2a, w2b, k2b } = L;
  for (let a = 0; a < L.A; a++) {
    const bal = x.maxBal[a] as number;
    for (let b = L.ignoresPromise || bal < 0 ? 0 : bal; b < NB; b++) {
      for (let v = 0; v < V; v++) {
        const i = b * V + v;
        if (!((x.cur[w2a[i] as number] as number) & (k2a[i] as number))) continue;
        const j = (a * NB + b) * V + v;
        const w = w2b[j] as number;
        const k = k2b[j] as number;
        if (bal === b && x.maxVBal[a] === b && x.maxVal[a] === v && (x.cur[w] as number) & k) {
          x.stutters++;
          continue;
        }
        copy(L, x.cur, x.next);
        writeAcceptor(L, x.next, a, b, b, v);
        x.next[w] = (x.next[w] as number) | k;
        if (x.visit(baseAcceptAck + j)) return true;
      }
    }
  }
  return false;
}

/** The name of the first invariant s breaks (TypeOK holds by construction), or null. */
function violationOf(L: Layout, s: Int32Array): string | null {
  const { A, V, NB, w2a, k2a, w2b, k2b } = L;
  let chosenVals = 0;
  for (let b = 0; b < NB; b++) {
    for (let v = 0; v < V; v++) {
      let voters = 0;
      for (let a = 0; a < A; a++) {
        const j = (a * NB + b) * V + v;
        if ((s[w2b[j] as number] as number) & (k2b[j] as number)) voters |= 1 << a;
      }
      if (L.containsQuorum[voters]) chosenVals |= 1 << v;
    }
  }
  if (chosenVals & (chosenVals - 1)) return 'Agreement';
  for (let v = 0; v < V; v++) {
    if (!(chosenVals & (1 << v))) continue;
    let proposed = false;
    for (let b = 0; b < NB && !proposed; b++)
      proposed = ((s[w2a[b * V + v] as number] as number) & (k2a[b * V + v] as number)) !== 0;
    if (!proposed) return 'Validity';
  }
  return null;
}

const has = (s: Int32Array, w: Int32Array, k: Int32Array, i: number) =>
  (w[i] as number) >= 0 && ((s[w[i] as number] as number) & (k[i] as number)) !== 0;
const valueAt = (L: Layout, i: number): Value | None => (i < 0 ? None : (L.p.values[i] as Value));

/** The messages of a packed state, in the spec's order. */
function messagesOf(L: Layout, s: Int32Array): SpecMessage[] {
  const { A, V, NB, p } = L;
  const acc = (i: number) => p.acceptors[i] as Acceptor;
  const msgs: SpecMessage[] = [];
  for (let b = 0; b < NB; b++) if (has(s, L.w1a, L.k1a, b)) msgs.push({ type: '1a', bal: b });
  for (let b = 0; b < NB; b++)
    for (let a = 0; a < A; a++)
      for (let k = 0; k < 1 + b * V; k++) {
        if (!has(s, L.w1b, L.k1b, (a * NB + b) * L.K1b + k)) continue;
        const mbal = k === 0 ? -1 : Math.floor((k - 1) / V);
        const mval = valueAt(L, k === 0 ? -1 : (k - 1) % V);
        msgs.push({ type: '1b', acc: acc(a), bal: b, mbal, mval });
      }
  for (let b = 0; b < NB; b++)
    for (let v = 0; v < V; v++)
      if (has(s, L.w2a, L.k2a, b * V + v)) msgs.push({ type: '2a', bal: b, val: valueAt(L, v) as Value });
  for (let b = 0; b < NB; b++)
    for (let a = 0; a < A; a++)
      for (let v = 0; v < V; v++)
        if (has(s, L.w2b, L.k2b, (a * NB + b) * V + v))
          msgs.push({ type: '2b', acc: acc(a), bal: b, val: valueAt(L, v) as Value });
  return msgs.sort(compareMessages);
}

/** The spec's state a packed one stands for (`scratch`: three arrays of its own, as decode may run inside a visit). */
function decodeState(L: Layout, s: Int32Array, scratch: Int32Array[]): SpecState {
  const [bal, vbal, val] = scratch as [Int32Array, Int32Array, Int32Array];
  readAcceptors(L, s, bal, vbal, val);
  const over = <T>(f: (i: number) => T) => Object.fromEntries(L.p.acceptors.map((a, i) => [a, f(i)]));
  return {
    maxBal: over((i) => bal[i] as Ballot),
    maxVBal: over((i) => vbal[i] as Ballot),
    maxVal: over((i) => valueAt(L, val[i] as number)),
    msgs: messagesOf(L, s),
  };
}

/** Index checks for encode: a state that names something outside the parameters is an error. */
function indexers(L: Layout) {
  return {
    acc(a: Acceptor) {
      const i = L.index.get(a);
      if (i === undefined) throw new Error(`${a} is not an acceptor`);
      return i;
    },
    val(v: Value | None) {
      if (v === None) return -1;
      const i = L.p.values.indexOf(v);
      if (i < 0) throw new Error(`${v} is not in Values`);
      return i;
    },
    ballot(b: Ballot) {
      if (!Number.isInteger(b) || b < 0 || b > L.B) throw new Error(`${b} is not a ballot`);
      return b;
    },
  };
}

function encodeState(L: Layout, state: SpecState, out: Int32Array): void {
  const ix = indexers(L);
  const set = (w: Int32Array, k: Int32Array, i: number) => {
    out[w[i] as number] = (out[w[i] as number] as number) | (k[i] as number);
  };
  out.fill(0, 0, L.words);
  L.p.acceptors.forEach((a, i) => {
    const bal = state.maxBal[a] ?? -1;
    const vbal = state.maxVBal[a] ?? -1;
    writeAcceptor(
      L,
      out,
      i,
      bal < 0 ? -1 : ix.ballot(bal),
      vbal < 0 ? -1 : ix.ballot(vbal),
      ix.val(state.maxVal[a] ?? None),
    );
  });
  for (const m of state.msgs) {
    if (m.type === '1a') set(L.w1a, L.k1a, ix.ballot(m.bal));
    else if (m.type === '1b')
      set(L.w1b, L.k1b, code1b(L, ix.acc(m.acc), ix.ballot(m.bal), m.mbal, ix.val(m.mval)));
    else if (m.type === '2a') set(L.w2a, L.k2a, ix.ballot(m.bal) * L.V + ix.val(m.val));
    else set(L.w2b, L.k2b, (ix.acc(m.acc) * L.NB + ix.ballot(m.bal)) * L.V + ix.val(m.val));
  }
}

/** Action codes: Prepare(b) | Accept(b, v) | PrepareAck(a) on 1a(b) | AcceptAck(a) on 2a(b, v). */
function actionBases(L: Layout) {
  const baseAccept = L.NB;
  const basePrepareAck = baseAccept + L.NB * L.V;
  return { baseAccept, basePrepareAck, baseAcceptAck: basePrepareAck + L.A * L.NB };
}

function actionOf(L: Layout, code: number): SpecAction {
  const { baseAccept, basePrepareAck, baseAcceptAck } = actionBases(L);
  const { V, NB } = L;
  const acc = (i: number) => L.p.acceptors[i] as Acceptor;
  if (code < baseAccept) return { name: 'Prepare', b: code };
  if (code < basePrepareAck) {
    const i = code - baseAccept;
    return { name: 'Accept', b: Math.floor(i / V), v: valueAt(L, i % V) as Value };
  }
  if (code < baseAcceptAck) {
    const i = code - basePrepareAck;
    return { name: 'PrepareAck', a: acc(Math.floor(i / NB)), m: { type: '1a', bal: i % NB } };
  }
  const j = code - baseAcceptAck;
  const ab = Math.floor(j / V);
  return {
    name: 'AcceptAck',
    a: acc(Math.floor(ab / NB)),
    m: { type: '2a', bal: ab % NB, val: valueAt(L, j % V) as Value },
  };
}

export function packSpec(p: SpecParams, variant: SpecVariant = 'Paxos'): PackedSpec {
  const L = layoutOf(p, variant);
  const { baseAccept, basePrepareAck, baseAcceptAck } = actionBases(L);
  const scratch = () => new Int32Array(L.A);
  // Reused for every expansion; decode has its own, as it may run inside a visit.
  const x: Expansion = {
    cur: new Int32Array(0),
    next: new Int32Array(0),
    visit: () => false,
    stutters: 0,
    maxBal: scratch(),
    maxVBal: scratch(),
    maxVal: scratch(),
    bestBal: scratch(),
    bestVals: scratch(),
  };
  const decodeScratch = [scratch(), scratch(), scratch()];
  return {
    params: p,
    words: L.words,
    initial(out, emit) {
      out.fill(0, 0, L.words);
      for (let a = 0; a < L.A; a++) writeAcceptor(L, out, a, -1, -1, -1);
      emit();
    },
    successors(cur, next, visit) {
      x.cur = cur;
      x.next = next;
      x.visit = visit;
      x.stutters = 0;
      readAcceptors(L, cur, x.maxBal, x.maxVBal, x.maxVal);
      // In the spec's order of actions; the first visit that says stop ends it.
      if (prepareSteps(L, x)) return x.stutters;
      if (acceptSteps(L, x, baseAccept)) return x.stutters;
      if (prepareAckSteps(L, x, basePrepareAck)) return x.stutters;
      acceptAckSteps(L, x, baseAcceptAck);
      return x.stutters;
    },
    violation: (s) => violationOf(L, s),
    actionName: (code) => formatAction(actionOf(L, code)),
    printable: (s) => printState(decodeState(L, s, decodeScratch)),
    encode: (state, out) => encodeState(L, state, out),
    decode: (s) => decodeState(L, s, decodeScratch),
    action: (code) => actionOf(L, code),
  };
}
