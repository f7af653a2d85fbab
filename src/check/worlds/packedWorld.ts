/**
 * A world as a short array of ints, and the steps that lead out of it.
 *
 *   [peer state id per participating peer][dups left][crashes left][history id][payload]
 *
 * The payload is the network (network.ts: a bag or a set of message ids). Peer states,
 * messages and histories are interned (PeerTable, GhostHistory), so equal worlds have
 * equal arrays and, in one thread, a world's key is the array itself. Its fingerprint is
 * made of the interned things' content hashes instead, so that threads which interned in
 * different orders agree on it.
 */
import type { GroupId, PeerId, Value } from '../../../machines/messages';
import { roundNumber } from '../../../machines/proposalNumbers';
import { takesPart } from '../../config/cluster';
import * as hashing from '../hash';
import type { TransitionCoverage } from './coverage';
import type { GhostHistory } from './ghost';
import { bag, type Network, set, withCopy, without } from './network';
import type { ResolvedOptions } from './options';
import type { LocalStep, PeerTable, ProposerFacts } from './peerTable';
import { LocalGraphTooLarge, SettledMessages } from './settled';
import type { Renaming } from './symmetry';

// Local bindings: the hot loop calls these per world, and a module namespace lookup per
// call (as some loaders compile imports) costs a fifth of the search.
const { fmix, fold, nonZero, SEED_A, SEED_B } = hashing;

export const DELIVER = 0;
export const DROP = 1;
export const DUP = 2;
export const CRASH = 3;
export const START = 4;
export const TIMEOUT = 5;

/** A step as one int: kind (3 bits), peer slot (6 bits), message id or group (the rest). */
const stepCode = (kind: number, slot: number, arg: number): number => kind | (slot << 3) | (arg << 9);
export const stepKind = (code: number): number => code & 7;
export const stepSlot = (code: number): number => (code >>> 3) & 63;
export const stepArg = (code: number): number => code >>> 9;

/** Called once per successor; `out[0..length)` is only valid during the call. Return true to stop. */
export type Visit = (code: number, out: Int32Array, length: number, local: LocalStep | null) => boolean;

/** The local graph's budget (settled.ts): a few hundred MiB of memoised steps at most. */
const SETTLED_GRAPH_STEPS = 300_000;

/**
 * The input the host may give a proposer now, by its facts: START is an input, not time,
 * once per proposer as the lab starts each one once; TIMEOUT is enabled exactly while a
 * timer is armed, with no number above the last round's. An announcement's repeat is
 * `announce`: the world adds when (peerSuccessors).
 */
function proposerInput(p: ProposerSlot, f: ProposerFacts): 'start' | 'timeout' | 'announce' | null {
  if (f.startable) return f.nextNumber <= p.lastNumber ? 'start' : null;
  if (f.timer?.kind === 'announce') return 'announce';
  return f.timer && f.nextNumber <= p.lastNumber ? 'timeout' : null;
}

interface ProposerSlot {
  slot: number;
  owner: PeerId;
  group: GroupId;
  value: Value;
  /** The highest proposal number it may take: its number of round maxRound. */
  lastNumber: number;
}

export class WorldModel {
  readonly slots: PeerId[];
  readonly slotOf = new Map<PeerId, number>();
  readonly dups: number;
  readonly crashes: number;
  readonly history: number;
  readonly payload: number;
  readonly proposers: ProposerSlot[];
  /** Every participating peer's slot: a crash fault may restart any of them, as a process of any role can die. */
  readonly crashable: number[];
  /** Slots of the peers that hold an acceptor (the spec's variables are theirs). */
  readonly acceptorSlots: number[];
  private readonly sendSlot: number[] = [];
  /** For each interned message: the proposer peer if it is a `chose`, else -1. */
  private readonly choseFrom: number[] = [];
  readonly net: Network;
  private readonly repeatAnnouncements: boolean;
  private readonly isDead = (m: number): boolean => {
    const slot = this.slotOfSend(m);
    if (slot < 0 || ((this.deadInSlot[slot] as number) & (this.peers.typeBits[m] as number)) !== 0)
      return true;
    return this.settled?.isSettled(this.pruned[slot] as number, m) ?? false;
  };
  /** On the set network: the messages no state to come of their receiver reacts to (settled.ts). */
  private settledMessages: SettledMessages | null | undefined;
  /** The world being pruned. */
  private pruned: Int32Array = new Int32Array(0);
  /** While pruning: per slot, the message types its peer will never react to again. */
  private readonly deadInSlot: Int32Array;
  /** Steps that left a world as it was, skipped by successors() (the caller reads and resets it). */
  stutters = 0;
  /** Where the steps explored add the transitions they took; null: coverage off, or not exploring. */
  counting: TransitionCoverage | null = null;

  constructor(
    readonly options: ResolvedOptions,
    readonly peers: PeerTable,
    readonly ghost: GhostHistory,
  ) {
    const { cluster } = options;
    this.slots = cluster.peers.filter(takesPart).map((p) => p.id);
    if (this.slots.length > 64) throw new Error('the checker handles at most 64 peers');
    this.slots.forEach((id, i) => {
      this.slotOf.set(id, i);
    });
    this.dups = this.slots.length;
    this.crashes = this.dups + 1;
    this.history = this.dups + 2;
    this.payload = this.dups + 3;
    const P = cluster.groupCount;
    this.proposers = cluster.groups.map((g) => ({
      slot: this.slotOf.get(g.proposer) as number,
      owner: g.proposer,
      group: g.id,
      value: options.values[g.id] as Value,
      lastNumber: roundNumber(g.id, P, options.maxRound),
    }));
    this.crashable = this.slots.map((_, i) => i);
    this.acceptorSlots = cluster.peers
      .filter((p) => p.acceptor.length > 0)
      .map((p) => this.slotOf.get(p.id) as number);
    this.deadInSlot = new Int32Array(this.slots.length);
    this.net = options.network === 'set' ? set : bag;
    // A decided proposer's TIMEOUT repeats its `chose` messages. That can only matter when
    // a copy can be lost (bag + drop); it is then explored only once none of its previous
    // announcement is still in flight, which keeps the bag finite. On the set network the
    // repeat re-sends messages already in the set: a stutter, not explored.
    this.repeatAnnouncements = this.net.lossy && options.drop;
    const lastNumbers = new Map(this.proposers.map((p) => [p.group, p.lastNumber]));
    peers.bound((g) => lastNumbers.get(g) as number, options.maxCrashes > 0);
  }

  initial(out: Int32Array): number {
    this.slots.forEach((id, i) => {
      out[i] = this.peers.initial(id);
      this.counting?.add(this.peers.takenAtStart(id));
    });
    out[this.dups] = this.options.maxDups;
    out[this.crashes] = this.options.maxCrashes;
    out[this.history] = 0;
    return this.payload;
  }

  slotOfSend(send: number): number {
    let s = this.sendSlot[send];
    if (s === undefined) {
      const m = this.peers.send(send);
      s = this.slotOf.get(m.to) ?? -1;
      this.sendSlot[send] = s;
      this.choseFrom[send] = m.message.type === 'chose' ? m.message.from : -1;
    }
    return s;
  }

  /** Messages in flight (bag) or sent (set), as ids with multiplicity. */
  messages(key: Int32Array, length: number): number[] {
    return this.net.messages(key, this.payload, length);
  }

  successors(key: Int32Array, length: number, out: Int32Array, visit: Visit): boolean {
    const { payload, peers, net } = this;
    const lossy = net.lossy;
    const drop = this.options.drop;
    const dups = key[this.dups] as number;
    const counting = this.counting;
    for (let p = net.next(key, payload, length, -1); p >= 0; p = net.after(key, payload, length, p)) {
      const m = net.message(key, payload, p);
      const slot = this.slotOfSend(m);
      if (slot >= 0) {
        const local = peers.deliver(key[slot] as number, m);
        if (counting) counting.add(local.taken);
        // On the set most deliveries are of a message the peer has answered already: told
        // apart before the successor is written (same peer state, nothing new sent, the
        // history as it was), as the check below would after.
        if (!lossy && local.next === key[slot] && this.unchangedBy(key, length, local)) {
          this.stutters++;
          continue;
        }
        this.copyHead(key, out, slot, local);
        const n = this.prune(out, net.step(key, payload, length, p, local.sortedSends, out));
        // On the set a delivery that changes nothing (a duplicate answered as before) is a
        // self-loop: counted, not visited.
        if (
          !lossy &&
          local.next === key[slot] &&
          out[this.history] === key[this.history] &&
          same(key, out, payload, n, length)
        ) {
          this.stutters++;
          continue;
        }
        if (visit(stepCode(DELIVER, slot, m), out, n, local)) return true;
      }
      if (!lossy) continue;
      if (drop && visit(stepCode(DROP, Math.max(slot, 0), m), out, without(key, length, p, out), null))
        return true;
      if (dups > 0) {
        const n = withCopy(key, length, p, out);
        out[this.dups] = dups - 1;
        if (visit(stepCode(DUP, Math.max(slot, 0), m), out, n, null)) return true;
      }
    }
    return this.peerSuccessors(key, length, out, visit);
  }

  /** On the set: whether every message the step sends is in the set already and its history items too. */
  private unchangedBy(key: Int32Array, length: number, local: LocalStep): boolean {
    const { payload } = this;
    for (const m of local.sortedSends) {
      const w = payload + (m >>> 5);
      if (w >= length || ((key[w] as number) & (1 << (m & 31))) === 0) return false;
    }
    const h = key[this.history] as number;
    return local.ghost.length === 0 || this.ghost.addAll(h, local.ghost) === h;
  }

  /** Writes the successor of a local step of the peer in `slot` that was not a delivery. */
  private afterLocal(
    key: Int32Array,
    length: number,
    out: Int32Array,
    slot: number,
    local: LocalStep,
  ): number {
    this.copyHead(key, out, slot, local);
    return this.prune(out, this.net.step(key, this.payload, length, -1, local.sortedSends, out));
  }

  /** START, TIMEOUT and crash steps. */
  private peerSuccessors(key: Int32Array, length: number, out: Int32Array, visit: Visit): boolean {
    const { peers } = this;
    for (const p of this.proposers) {
      const state = key[p.slot] as number;
      let facts: ProposerFacts | undefined;
      for (const x of peers.fact(state).proposers) if (x.group === p.group) facts = x;
      if (!facts) continue;
      const input = proposerInput(p, facts);
      // A repeated announcement (which only matters when a copy can be lost) only once none
      // of the previous one is still in flight.
      if (
        input === null ||
        (input === 'announce' && (!this.repeatAnnouncements || this.announcing(key, length, p.owner)))
      )
        continue;
      const kind = input === 'start' ? START : TIMEOUT;
      const local = input === 'start' ? peers.start(state, p.group, p.value) : peers.timeout(state, p.group);
      this.counting?.add(local.taken);
      const n = this.afterLocal(key, length, out, p.slot, local);
      if (visit(stepCode(kind, p.slot, p.group), out, n, local)) return true;
    }
    if ((key[this.crashes] as number) > 0) {
      for (const slot of this.crashable) {
        const state = key[slot] as number;
        const next = peers.crash(state);
        // A restart that changes nothing is the same world with less budget: skipped.
        if (next === state) continue;
        this.counting?.add(peers.takenAtRestart(state));
        for (let j = 0; j < length; j++) out[j] = key[j] as number;
        out[slot] = next;
        out[this.crashes] = (key[this.crashes] as number) - 1;
        if (visit(stepCode(CRASH, slot, 0), out, this.prune(out, length), null)) return true;
      }
    }
    return false;
  }

  /**
   * Settled messages, on the set network (on the bag a delivery consumes its message, so a
   * settled one would still make a different world: left to the bag's own pruning). Built
   * on first use, from the whole local graph of the peers.
   */
  private get settled(): SettledMessages | null {
    if (this.settledMessages === undefined) {
      this.settledMessages = null;
      if (this.net.kind === 'set')
        try {
          this.settledMessages = new SettledMessages(this.peers, {
            initial: this.slots.map((id) => this.peers.initial(id)),
            slotOfSend: (m) => this.slotOfSend(m),
            inputs: (state) => this.localInputs(state),
            restarts: this.options.maxCrashes > 0,
            maxSteps: SETTLED_GRAPH_STEPS,
          });
        } catch (err) {
          if (!(err instanceof LocalGraphTooLarge)) throw err;
          this.settledSkipped = err.message;
        }
    }
    return this.settledMessages;
  }

  /** Why settled messages are not judged in this search, if they are not (the checker says so). */
  settledSkipped: string | null = null;

  /** The START and TIMEOUT steps peerSuccessors may take from a peer state (announcements whenever armed: more is safe here). */
  private localInputs(state: number): LocalStep[] {
    const steps: LocalStep[] = [];
    const owner = this.peers.owner(state);
    for (const p of this.proposers) {
      if (p.owner !== owner) continue;
      for (const f of this.peers.fact(state).proposers) {
        if (f.group !== p.group) continue;
        const input = proposerInput(p, f);
        if (input === 'start') steps.push(this.peers.start(state, p.group, p.value));
        else if (input !== null) steps.push(this.peers.timeout(state, p.group));
      }
    }
    return steps;
  }

  /**
   * Whether the round bound is what stops a proposer here: it would START or time out
   * into a new round, but that round's number is beyond the check's last. The liveness
   * question counts such a world alive (what lies beyond the bound is not explored).
   */
  boundStops(key: Int32Array): boolean {
    for (const p of this.proposers) {
      for (const x of this.peers.fact(key[p.slot] as number).proposers) {
        if (x.group !== p.group || x.nextNumber <= p.lastNumber) continue;
        if (x.startable || (x.timer !== null && x.timer.kind !== 'announce')) return true;
      }
    }
    return false;
  }

  /** Whether every participating peer has printed its chose line. */
  allChose(key: Int32Array): boolean {
    for (let i = 0; i < this.slots.length; i++) if (!this.peers.fact(key[i] as number).learned) return false;
    return true;
  }

  /**
   * Forgets the messages of out[payload..length) that their receiver can never react to
   * again (reactivity.ts): such a message changes nothing whether it is delivered, dropped
   * or duplicated, now or later, so worlds that differ only by it are one. Returns the end.
   */
  private prune(out: Int32Array, length: number): number {
    this.pruned = out;
    // Once per slot, not once per message: a world holds dozens of messages and five peers.
    const canCrash = (out[this.crashes] as number) > 0;
    for (let slot = 0; slot < this.slots.length; slot++)
      this.deadInSlot[slot] = this.peers.deadTypes(out[slot] as number, canCrash);
    return this.net.prune(out, this.payload, length, this.isDead);
  }

  /** Whether a `chose` from `owner` is still in flight. */
  private announcing(key: Int32Array, length: number, owner: PeerId): boolean {
    for (let i = this.payload; i < length; i++) {
      const m = key[i] as number;
      this.slotOfSend(m);
      if (this.choseFrom[m] === owner) return true;
    }
    return false;
  }

  /**
   * The world's fingerprint from content hashes: peer states and the history in their
   * places, the messages as a sum (a multiset's hash, whatever order the ids sort in).
   * With a renaming (and the slot each slot moves to), the fingerprint of the renamed
   * world, computed without writing it out.
   */
  fingerprint(
    key: Int32Array,
    length: number,
    out: Int32Array,
    r: Renaming | null = null,
    from?: Int32Array,
  ): void {
    this.fingerprintHead(key, out, r, from);
    let sa = 0;
    let sb = 0;
    const sendA = this.peers.sendHashA;
    const sendB = this.peers.sendHashB;
    const { payload } = this;
    if (this.net.kind === 'bag') {
      for (let i = payload; i < length; i++) {
        let m = key[i] as number;
        if (r) m = r.send(m);
        sa = (sa + (sendA[m] as number)) | 0;
        sb = (sb + (sendB[m] as number)) | 0;
      }
    } else {
      for (let w = payload; w < length; w++) {
        let word = key[w] as number;
        while (word !== 0) {
          const low = word & -word;
          let m = (w - payload) * 32 + 31 - Math.clz32(low);
          word ^= low;
          if (r) m = r.send(m);
          sa = (sa + (sendA[m] as number)) | 0;
          sb = (sb + (sendB[m] as number)) | 0;
        }
      }
    }
    finishFingerprint(out, sa, sb);
  }

  /**
   * The two lanes of the fingerprint before the messages: peers in their places (renamed,
   * and from the slots `from` names), the budgets and the history, into out[0], out[1].
   */
  fingerprintHead(key: Int32Array, out: Int32Array, r: Renaming | null = null, from?: Int32Array): void {
    const { peers, ghost } = this;
    const hashA = peers.hashA;
    const hashB = peers.hashB;
    let a = SEED_A;
    let b = SEED_B;
    for (let i = 0; i < this.dups; i++) {
      let id = key[from ? (from[i] as number) : i] as number;
      if (r) id = r.peer(id);
      a = fold(a, hashA[id] as number);
      b = fold(b, hashB[id] as number);
    }
    a = fold(fold(a, key[this.dups] as number), key[this.crashes] as number);
    b = fold(fold(b, key[this.dups] as number), key[this.crashes] as number);
    let h = key[this.history] as number;
    if (r) h = r.history(h);
    out[0] = fold(a, ghost.hashA(h));
    out[1] = fold(b, ghost.hashB(h));
  }

  /** Peers, budgets and history of the successor; the network part is written by the caller. */
  private copyHead(key: Int32Array, out: Int32Array, slot: number, local: LocalStep | null): void {
    for (let i = 0; i < this.payload; i++) out[i] = key[i] as number;
    if (slot >= 0 && local) {
      out[slot] = local.next;
      if (local.ghost.length > 0)
        out[this.history] = this.ghost.addAll(key[this.history] as number, local.ghost);
    }
  }
}

/** The fingerprint from its head (fingerprintHead, in out) and the sums of its messages' hashes. */
function finishFingerprint(out: Int32Array, sa: number, sb: number): void {
  out[0] = nonZero(fmix(fold(out[0] as number, sa)));
  out[1] = nonZero(fmix(fold(out[1] as number, sb)));
}

const same = (a: Int32Array, b: Int32Array, from: number, bLength: number, aLength: number): boolean => {
  if (aLength !== bLength) return false;
  for (let i = from; i < aLength; i++) if (a[i] !== b[i]) return false;
  return true;
};
