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

export function packSpec(p: SpecParams, variant: SpecVariant = 'Paxos'): PackedSpec {
  const A = p.acceptors.length;
  const V = p.values.length;
  const B = p.maxBallot;
  const NB = B + 1;
  if (A > MAX_ACCEPTORS || V > MAX_VALUES)
    throw new Error(`packed spec supports up to ${MAX_ACCEPTORS} acceptors and ${MAX_VALUES} values`);
  const ignoresPromise = variant === 'AcceptAckIgnoresPromise';
  const ignoresVotes = variant === 'AcceptIgnoresReportedVotes';

  // Acceptor fields: never split across two words.
  const bB = bitsFor(B + 2);
  const bV = bitsFor(V + 1);
  const fieldBits = 2 * bB + bV;
  if (fieldBits > 32) throw new Error('MaxBallot too large to pack');
  const maskB = (1 << bB) - 1;
  const maskV = (1 << bV) - 1;
  const maskAcc = fieldBits === 32 ? 0xffffffff : (1 << fieldBits) - 1;
  const accWord = new Int32Array(A);
  const accShift = new Int32Array(A);
  let bit = 0;
  for (let a = 0; a < A; a++) {
    if ((bit & 31) + fieldBits > 32) bit = (bit | 31) + 1;
    accWord[a] = bit >>> 5;
    accShift[a] = bit & 31;
    bit += fieldBits;
  }

  // The message universe: a word index and a mask per message, -1 where none exists.
  const K1b = 1 + B * V; // (mbal, mval) pairs: (-1, None), then (mbal, v) for mbal < B
  const w1a = new Int32Array(NB);
  const k1a = new Int32Array(NB);
  const w1b = new Int32Array(A * NB * K1b).fill(-1);
  const k1b = new Int32Array(A * NB * K1b);
  const w2a = new Int32Array(NB * V);
  const k2a = new Int32Array(NB * V);
  const w2b = new Int32Array(A * NB * V);
  const k2b = new Int32Array(A * NB * V);
  const place = (w: Int32Array, k: Int32Array, i: number) => {
    w[i] = bit >>> 5;
    k[i] = 1 << (bit & 31);
    bit++;
  };
  for (let b = 0; b < NB; b++) place(w1a, k1a, b);
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < NB; b++) for (let k = 0; k < 1 + b * V; k++) place(w1b, k1b, (a * NB + b) * K1b + k);
  }
  for (let i = 0; i < NB * V; i++) place(w2a, k2a, i);
  for (let i = 0; i < A * NB * V; i++) place(w2b, k2b, i);
  const words = Math.max(1, (bit + 31) >>> 5);

  // Quorums as acceptor bit masks; containsQuorum[S] says whether S includes one.
  const index = new Map<Acceptor, number>(p.acceptors.map((a, i) => [a, i]));
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
  const allValues = (1 << V) - 1;

  // Action codes: Prepare(b) | Accept(b, v) | PrepareAck(a) on 1a(b) | AcceptAck(a) on 2a(b, v).
  const baseAccept = NB;
  const basePrepareAck = baseAccept + NB * V;
  const baseAcceptAck = basePrepareAck + A * NB;

  // Scratch, reused for every expansion.
  const maxBal = new Int32Array(A);
  const maxVBal = new Int32Array(A);
  const maxVal = new Int32Array(A);
  const bestBal = new Int32Array(A);
  const bestVals = new Int32Array(A);

  const code1b = (a: number, b: number, mbal: number, val: number): number => {
    if (mbal >= b || mbal < 0 !== val < 0) {
      throw new Error(
        `1b(acc=${p.acceptors[a]}, bal=${b}, mbal=${mbal}) lies outside the packed message universe`,
      );
    }
    return (a * NB + b) * K1b + (mbal < 0 ? 0 : 1 + mbal * V + val);
  };

  const readAcceptors = (s: Int32Array, bal: Int32Array, vbal: Int32Array, val: Int32Array) => {
    for (let a = 0; a < A; a++) {
      const x = (s[accWord[a] as number] as number) >>> (accShift[a] as number);
      bal[a] = (x & maskB) - 1;
      vbal[a] = ((x >>> bB) & maskB) - 1;
      val[a] = ((x >>> (2 * bB)) & maskV) - 1;
    }
  };

  const writeAcceptor = (s: Int32Array, a: number, bal: number, vbal: number, val: number) => {
    const w = accWord[a] as number;
    const shift = accShift[a] as number;
    const x = (bal + 1) | ((vbal + 1) << bB) | ((val + 1) << (2 * bB));
    s[w] = ((s[w] as number) & ~(maskAcc << shift)) | (x << shift);
  };

  const copy = (from: Int32Array, to: Int32Array) => {
    for (let i = 0; i < words; i++) to[i] = from[i] as number;
  };

  function successors(
    cur: Int32Array,
    next: Int32Array,
    visit: (action: number) => boolean | undefined,
  ): number {
    let stutters = 0;
    readAcceptors(cur, maxBal, maxVBal, maxVal);

    // Prepare(b)
    for (let b = 0; b < NB; b++) {
      const w = w1a[b] as number;
      const k = k1a[b] as number;
      if ((cur[w] as number) & k) {
        stutters++;
      } else {
        copy(cur, next);
        next[w] = (next[w] as number) | k;
        if (visit(b)) return stutters;
      }
    }

    // Accept(b, v)
    for (let b = 0; b < NB; b++) {
      let taken = false;
      for (let v = 0; v < V && !taken; v++)
        taken = ((cur[w2a[b * V + v] as number] as number) & (k2a[b * V + v] as number)) !== 0;
      if (taken) continue;
      // Per acceptor: has it promised b, and its highest reported vote (ballot, values at it).
      let promised = 0;
      for (let a = 0; a < A; a++) {
        const base = (a * NB + b) * K1b;
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
      if (!containsQuorum[promised]) continue;
      let allowed = 0;
      if (ignoresVotes) {
        allowed = allValues;
      } else {
        for (let q = 0; q < quorumMasks.length && allowed !== allValues; q++) {
          const mask = quorumMasks[q] as number;
          if ((mask & promised) !== mask) continue;
          let high = -1;
          let highVals = 0;
          for (const a of quorumMembers[q] as Int32Array) {
            const bal = bestBal[a] as number;
            if (bal > high) {
              high = bal;
              highVals = bestVals[a] as number;
            } else if (bal === high) {
              highVals |= bestVals[a] as number;
            }
          }
          allowed |= high < 0 ? allValues : highVals;
        }
      }
      for (let v = 0; v < V; v++) {
        if (!(allowed & (1 << v))) continue;
        copy(cur, next);
        const i = b * V + v;
        next[w2a[i] as number] = (next[w2a[i] as number] as number) | (k2a[i] as number);
        if (visit(baseAccept + i)) return stutters;
      }
    }

    // PrepareAck(a), one instance per 1a(b) above maxBal[a]
    for (let a = 0; a < A; a++) {
      const vbal = maxVBal[a] as number;
      const val = maxVal[a] as number;
      for (let b = (maxBal[a] as number) + 1; b < NB; b++) {
        if (!((cur[w1a[b] as number] as number) & (k1a[b] as number))) continue;
        copy(cur, next);
        writeAcceptor(next, a, b, vbal, val);
        const i = code1b(a, b, vbal, val);
        next[w1b[i] as number] = (next[w1b[i] as number] as number) | (k1b[i] as number);
        if (visit(basePrepareAck + a * NB + b)) return stutters;
      }
    }

    // AcceptAck(a), one instance per 2a(b, v) with b >= maxBal[a]
    for (let a = 0; a < A; a++) {
      const bal = maxBal[a] as number;
      for (let b = ignoresPromise || bal < 0 ? 0 : bal; b < NB; b++) {
        for (let v = 0; v < V; v++) {
          const i = b * V + v;
          if (!((cur[w2a[i] as number] as number) & (k2a[i] as number))) continue;
          const j = (a * NB + b) * V + v;
          const w = w2b[j] as number;
          const k = k2b[j] as number;
          if (bal === b && maxVBal[a] === b && maxVal[a] === v && (cur[w] as number) & k) {
            stutters++;
            continue;
          }
          copy(cur, next);
          writeAcceptor(next, a, b, b, v);
          next[w] = (next[w] as number) | k;
          if (visit(baseAcceptAck + j)) return stutters;
        }
      }
    }
    return stutters;
  }

  function violation(s: Int32Array): string | null {
    // TypeOK holds by construction: every packed state decodes to a well-typed one.
    let chosenVals = 0;
    for (let b = 0; b < NB; b++) {
      for (let v = 0; v < V; v++) {
        let voters = 0;
        for (let a = 0; a < A; a++) {
          const j = (a * NB + b) * V + v;
          if ((s[w2b[j] as number] as number) & (k2b[j] as number)) voters |= 1 << a;
        }
        if (containsQuorum[voters]) chosenVals |= 1 << v;
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
  const acceptorAt = (i: number) => p.acceptors[i] as Acceptor;
  const valueAt = (i: number): Value | None => (i < 0 ? None : (p.values[i] as Value));

  // decode may run inside a `visit` callback, so it has scratch of its own.
  const decBal = new Int32Array(A);
  const decVBal = new Int32Array(A);
  const decVal = new Int32Array(A);

  function decode(s: Int32Array): SpecState {
    readAcceptors(s, decBal, decVBal, decVal);
    const msgs: SpecMessage[] = [];
    for (let b = 0; b < NB; b++) if (has(s, w1a, k1a, b)) msgs.push({ type: '1a', bal: b });
    for (let b = 0; b < NB; b++) {
      for (let a = 0; a < A; a++) {
        for (let k = 0; k < 1 + b * V; k++) {
          if (!has(s, w1b, k1b, (a * NB + b) * K1b + k)) continue;
          const mbal = k === 0 ? -1 : Math.floor((k - 1) / V);
          const mval = valueAt(k === 0 ? -1 : (k - 1) % V);
          msgs.push({ type: '1b', acc: acceptorAt(a), bal: b, mbal, mval });
        }
      }
    }
    for (let b = 0; b < NB; b++) {
      for (let v = 0; v < V; v++)
        if (has(s, w2a, k2a, b * V + v)) msgs.push({ type: '2a', bal: b, val: valueAt(v) as Value });
    }
    for (let b = 0; b < NB; b++) {
      for (let a = 0; a < A; a++) {
        for (let v = 0; v < V; v++) {
          if (has(s, w2b, k2b, (a * NB + b) * V + v)) {
            msgs.push({ type: '2b', acc: acceptorAt(a), bal: b, val: valueAt(v) as Value });
          }
        }
      }
    }
    const over = <T>(f: (i: number) => T) => Object.fromEntries(p.acceptors.map((a, i) => [a, f(i)]));
    return {
      maxBal: over((i) => decBal[i] as Ballot),
      maxVBal: over((i) => decVBal[i] as Ballot),
      maxVal: over((i) => valueAt(decVal[i] as number)),
      msgs: msgs.sort(compareMessages),
    };
  }

  const accIndex = (a: Acceptor) => {
    const i = index.get(a);
    if (i === undefined) throw new Error(`${a} is not an acceptor`);
    return i;
  };
  const valIndex = (v: Value | None) => {
    if (v === None) return -1;
    const i = p.values.indexOf(v);
    if (i < 0) throw new Error(`${v} is not in Values`);
    return i;
  };
  const ballot = (b: Ballot) => {
    if (!Number.isInteger(b) || b < 0 || b > B) throw new Error(`${b} is not a ballot`);
    return b;
  };
  const set = (s: Int32Array, w: Int32Array, k: Int32Array, i: number) => {
    s[w[i] as number] = (s[w[i] as number] as number) | (k[i] as number);
  };

  function encode(state: SpecState, out: Int32Array): void {
    out.fill(0, 0, words);
    p.acceptors.forEach((a, i) => {
      const bal = state.maxBal[a] ?? -1;
      const vbal = state.maxVBal[a] ?? -1;
      writeAcceptor(
        out,
        i,
        bal < 0 ? -1 : ballot(bal),
        vbal < 0 ? -1 : ballot(vbal),
        valIndex(state.maxVal[a] ?? None),
      );
    });
    for (const m of state.msgs) {
      switch (m.type) {
        case '1a':
          set(out, w1a, k1a, ballot(m.bal));
          break;
        case '1b':
          set(out, w1b, k1b, code1b(accIndex(m.acc), ballot(m.bal), m.mbal, valIndex(m.mval)));
          break;
        case '2a':
          set(out, w2a, k2a, ballot(m.bal) * V + valIndex(m.val));
          break;
        case '2b':
          set(out, w2b, k2b, (accIndex(m.acc) * NB + ballot(m.bal)) * V + valIndex(m.val));
          break;
      }
    }
  }

  function action(code: number): SpecAction {
    if (code < baseAccept) return { name: 'Prepare', b: code };
    if (code < basePrepareAck) {
      const i = code - baseAccept;
      return { name: 'Accept', b: Math.floor(i / V), v: valueAt(i % V) as Value };
    }
    if (code < baseAcceptAck) {
      const i = code - basePrepareAck;
      return { name: 'PrepareAck', a: acceptorAt(Math.floor(i / NB)), m: { type: '1a', bal: i % NB } };
    }
    const j = code - baseAcceptAck;
    const v = j % V;
    const ab = Math.floor(j / V);
    return {
      name: 'AcceptAck',
      a: acceptorAt(Math.floor(ab / NB)),
      m: { type: '2a', bal: ab % NB, val: valueAt(v) as Value },
    };
  }

  return {
    params: p,
    words,
    initial(out, emit) {
      out.fill(0, 0, words);
      for (let a = 0; a < A; a++) writeAcceptor(out, a, -1, -1, -1);
      emit();
    },
    successors,
    violation,
    actionName: (code) => formatAction(action(code)),
    printable: (s) => printState(decode(s)),
    encode,
    decode,
    action,
  };
}
