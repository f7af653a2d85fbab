/**
 * Worlds of register peers as a `Model` of the one search (../search.ts): the simulator's
 * world (src/registers/world.ts) with the real machines, its steps taken by the
 * simulator's own `apply`, on a bag network (a message is delivered once, dropped or
 * duplicated), with at most so many rounds per peer, duplicates and restarts.
 * Every world's history is checked for linearizability, and every step for refinement of
 * spec/Registers.tla (refinement.ts).
 *
 * A state is a short array of ints:
 *   [history, spec state, restarts left, duplicates left, linearizations,
 *    state per peer, rounds begun per peer, (next operation, pending) per client,
 *    messages in flight, ascending]
 * where history, spec state, linearizations, peer states and messages are ids interned in
 * this thread, so the search runs in one thread. The history is not part of the state (its
 * fingerprint and key leave it out, unless `keepHistories`): what its future checks read of
 * it are its linearizations (linearized.ts). It is carried along so that the states queued,
 * and the trace replayed from them, hold the real history of the run that reached them.
 */
import { acceptorDurable } from '../../../machines/acceptor';
import type { PeerId } from '../../../machines/messages';
import { INCARNATION_LIMIT, nextProposalNumber } from '../../../machines/proposalNumbers';
import type { Operation } from '../../../machines/register';
import type { RegisterRoundContext } from '../../../machines/registerRound';
import { highestAccepted, numberAboveSeen } from '../../../machines/round';
import type { RegistersParams, RegistersState } from '../../../spec/registers';
import { stateKey } from '../../../spec/registers';
import {
  copyPeerState,
  type KeyedSend,
  type RegisterPeerLogic,
  type RegisterPeerState,
  type RegisterPeerStep,
} from '../../registers/peer';
import {
  checkWorld,
  createRegisterSimulator,
  type RegisterSimulator,
  type RegisterStep,
  type RegisterWorld,
} from '../../registers/world';
import { fingerprintInts } from '../hash';
import type { Breach, Model, Visit } from '../model';
import type { TraceStep } from '../result';
import { Interner } from '../worlds/interner';
import { LinearizationSets } from './linearized';
import { type Answered, initialSpecState, isSpecStep, mapWorld, peersView, specParams } from './refinement';
import { IntTupleMap } from './tupleMap';

const KEY = 'k';

export interface RegisterClientPlan {
  /** The peer the client asks. */
  peer: PeerId;
  /** What it asks, one operation after another. */
  ops: readonly Operation[];
}

export interface RegisterModelOptions {
  /** Peer ids 1..peers, each an acceptor and a proposer group. */
  peers: number;
  /** At most one client per peer: the spec's proposer is the peer's group. */
  clients: readonly RegisterClientPlan[];
  /** Rounds a peer may begin for one operation (its first and its retries): steps past it are not explored. */
  maxRounds: number;
  /** Whether messages may be lost. */
  drop: boolean;
  /**
   * Whether drop steps are left out as subsumed (see `enabled`): the checker's choice. The
   * explorer, where a user walks one run, still offers them.
   */
  dropsSubsumed?: boolean;
  maxDuplicates: number;
  maxRestarts: number;
  /** Keeps every message in the mapped spec state (see forgetSettled): for the test that compares. */
  keepSettled?: boolean;
  /** Whether every step is checked against spec/Registers.tla (numbers are checked fresh either way). */
  refinement: boolean;
  /**
   * Keeps the history in the state and checks it whole (src/linearizability), rather than
   * by its linearizations alone: for the test that compares.
   */
  keepHistories?: boolean;
  /** Keeps requests below their acceptor's promise in flight (see staleRequest): for the test that compares. */
  keepStale?: boolean;
  /** Keys rounds with the fields their state overwrites before reading (see deadFields): for the test that compares. */
  keepDeadFields?: boolean;
  /** Keeps a frozen round's highestSeen and the answers to it (see frozen): for the test that compares. */
  keepFrozen?: boolean;
  /** Keeps what retired peers will never read, and restarts that change only it (see settleRetired): for the test that compares. */
  keepRetired?: boolean;
  /** Expands every state fully, without the persistent sets of roundSteps: for the test that compares. */
  allInterleavings?: boolean;
}

const H = 0;
const G = 1;
const R = 2;
const D = 3;
const J = 4;
const PEERS = 5;
const MAX_MESSAGES = 4096;

type History = RegisterWorld['history'];

/** The kinds of step, as a label's low bits (the index above them). */
const LABELS: RegisterStep['kind'][] = ['deliver', 'drop', 'duplicate', 'invoke', 'timeout', 'restart'];

/** A step's label: its kind in the low bits, its index above. */
const labelOf = (kind: RegisterStep['kind'], index: number): number => index * 8 + LABELS.indexOf(kind);

/** The kind of step a label names. */
export const stepKindOf = (label: number): RegisterStep['kind'] => LABELS[label & 7] as RegisterStep['kind'];

export class RegistersModel implements Model {
  readonly kind = 'registers' as const;
  readonly maxLength: number;
  readonly peerStates = new Interner<RegisterPeerState>();
  readonly messages = new Interner<KeyedSend>();
  readonly histories = new Interner<History>();
  readonly specStates = new Interner<RegistersState>();
  readonly linearizations: LinearizationSets;
  /** Where the state begins: 0 with the history, 1 without. */
  private readonly from: number;
  private readonly sim: RegisterSimulator;
  private readonly params: RegistersParams;
  private readonly verdicts = new Map<number, Breach | null>();
  private readonly generationsOf = new Map<number, readonly number[]>();
  /** Per peer state id, its acceptor's id (acceptorOf). */
  private readonly acceptorIds: number[] = [];
  private readonly acceptors = new Interner<true>();
  /** Per peer state id, its floor (floor). */
  private readonly floors: number[] = [];
  /** Spec state reached and whether it was a spec step, per (spec state, peers, messages sent, clients, answers). */
  private readonly refinements = new IntTupleMap<{ id: number; breach: Breach | null }>();
  private refinementKey = new Int32Array(64);
  /** The highest promise an accept's round read, per content (writeRefinementKey). */
  private readonly promisesRead = new Interner<true>();
  /** Per peer state and answer: whether the state ignores it. */
  private readonly ignored = new WeakMap<RegisterPeerState, Map<unknown, boolean>>();
  /** The same, for a frozen round (frozen). */
  private readonly ignoredFrozen = new WeakMap<RegisterPeerState, Map<unknown, boolean>>();
  /** Ids of objects already interned: a memoised step hands back the same objects. */
  private readonly peerIds = new WeakMap<RegisterPeerState, number>();
  private readonly messageIds = new WeakMap<KeyedSend, number>();
  private readonly roundsAt: number;
  private readonly clientsAt: number;
  private readonly messagesAt: number;
  /** The breach and words of the step last generated, for checkStep and describe (called from inside visit). */
  private stepBreach: Breach | null = null;
  /** Put into words only when a trace asks: most steps are never described. */
  private lastStep: { step: RegisterStep; before: RegisterWorld } | null = null;

  constructor(
    readonly options: RegisterModelOptions,
    logic: RegisterPeerLogic,
  ) {
    const peers = Array.from({ length: options.peers }, (_, i) => i + 1);
    const at = new Set(options.clients.map((c) => c.peer));
    if (at.size !== options.clients.length) throw new Error('at most one client per peer');
    for (const c of options.clients)
      if (!peers.includes(c.peer)) throw new Error(`client at peer ${c.peer}: peers are 1..${options.peers}`);
    this.linearizations = new LinearizationSets(options.clients.length);
    this.from = options.keepHistories ? H : H + 1;
    this.sim = createRegisterSimulator(memoised(logic), { clients: options.clients.map((c) => c.peer) });
    this.params = specParams(
      peers,
      peers.map((p) => options.clients.find((c) => c.peer === p)?.ops ?? []),
    );
    this.roundsAt = PEERS + options.peers;
    this.clientsAt = this.roundsAt + options.peers;
    this.messagesAt = this.clientsAt + 2 * options.clients.length;
    this.maxLength = this.messagesAt + MAX_MESSAGES;
  }

  initial(out: Int32Array, emit: (length: number) => void): void {
    const w = this.sim.initial();
    out[H] = this.histories.intern('[]', []);
    const spec = initialSpecState(this.params);
    out[G] = this.specStates.intern(stateKey(spec), spec);
    out[R] = this.options.maxRestarts;
    out[D] = this.options.maxDuplicates;
    out[J] = this.linearizations.initial();
    for (let p = 1; p <= this.options.peers; p++)
      out[PEERS + p - 1] = this.internPeer(p, w.peers[p] as RegisterPeerState);
    out.fill(0, this.roundsAt, this.messagesAt);
    emit(this.messagesAt);
  }

  private internPeer(peer: PeerId, p: RegisterPeerState): number {
    const known = this.peerIds.get(p);
    if (known !== undefined) return known;
    const key = peerKey(p, peer, this.options.peers, this.options.keepDeadFields);
    const id = this.peerStates.intern(key, p);
    this.peerIds.set(p, id);
    this.peerIds.set(this.peerStates.value(id), id);
    return id;
  }

  private internMessage(m: KeyedSend): number {
    let id = this.messageIds.get(m);
    if (id === undefined) {
      id = this.messages.intern(JSON.stringify(m), m);
      this.messageIds.set(m, id);
      this.messageIds.set(this.messages.value(id), id);
    }
    return id;
  }

  /** The simulator's world for a state: shared immutable parts, fresh containers. */
  private world(s: Int32Array, length: number): RegisterWorld {
    const peers: RegisterPeerState[] = [];
    for (let p = 1; p <= this.options.peers; p++)
      peers[p] = this.peerStates.value(s[PEERS + p - 1] as number);
    const generations = this.generations(s[H] as number);
    const clients = this.options.clients.map((plan, c) => {
      const next = s[this.clientsAt + 2 * c] as number;
      const op = plan.ops[next];
      const pending =
        s[this.clientsAt + 2 * c + 1] === 1 && op ? { id: requestId(c, next), f: op.kind, key: KEY } : null;
      return { peer: plan.peer, generation: generations[c] as number, pending };
    });
    const inFlight: KeyedSend[] = [];
    for (let i = this.messagesAt; i < length; i++) inFlight.push(this.messages.value(s[i] as number));
    const history = this.histories.value(s[H] as number).slice();
    return { peers, inFlight, clients, history, nextRequest: 0, time: 0 };
  }

  /**
   * Each client's generation (world.ts: bumped by every `info`, so a process never has two
   * operations open), counted in the history rather than kept in the state: it only numbers
   * the history's processes, which its linearizations do not read (a client is its process
   * modulo the clients), so worlds that differ in it alone are one.
   */
  private generations(history: number): readonly number[] {
    let known = this.generationsOf.get(history);
    if (!known) {
      const C = this.options.clients.length;
      const counts = new Array<number>(C).fill(0);
      for (const e of this.histories.value(history))
        if (e.type === 'info') counts[e.process % C] = (counts[e.process % C] as number) + 1;
      known = counts;
      this.generationsOf.set(history, known);
    }
    return known;
  }

  successors(s: Int32Array, length: number, out: Int32Array, visit: Visit): number {
    let stutters = 0;
    const base = this.world(s, length);
    for (const [label, step] of this.persistent(s, length, base, out) ?? this.enabled(s, length)) {
      const n = this.next(s, length, base, step, out);
      if (n === 0) stutters++;
      if (n > 0 && visit(label, n)) break;
    }
    return stutters;
  }

  /**
   * Every step the bounds allow from s, each with its label: kind in the low bits, index above.
   *
   * With `dropsSubsumed`, no drop: the world after dropping m is simulated by the world it
   * came from, m left in flight and never delivered. Nothing but a delivery reads the
   * messages in flight (a timer fires whenever it is armed, the round bound counts prepares
   * sent, the history and the refinement mapping read peers, clients and messages sent), so
   * every step from W - m is a step from W to the same peers, clients, history and spec
   * state, m still in flight: every check on a run with drops is made on the run that keeps
   * the messages instead. The bag holds every message its addressee may still read (only
   * answers ignored forever leave it), so a lost message is one never delivered.
   */
  private *enabled(s: Int32Array, length: number): Generator<[number, RegisterStep]> {
    const drop = this.options.drop && !this.options.dropsSubsumed;
    for (let i = 0; i < length - this.messagesAt; i++) {
      if (i > 0 && s[this.messagesAt + i] === s[this.messagesAt + i - 1]) continue;
      yield [labelOf('deliver', i), { kind: 'deliver', index: i }];
      if (drop) yield [labelOf('drop', i), { kind: 'drop', index: i }];
      if ((s[D] as number) > 0) yield [labelOf('duplicate', i), { kind: 'duplicate', index: i }];
    }
    for (const [c, plan] of this.options.clients.entries()) {
      const op = plan.ops[s[this.clientsAt + 2 * c] as number];
      if (op && s[this.clientsAt + 2 * c + 1] === 0)
        yield [labelOf('invoke', c), { kind: 'invoke', client: c, key: KEY, operation: op }];
    }
    // Not bounded: a timeout begins a round (bounded) or gives up the operation.
    for (let j = 0; j < this.armed(s); j++) yield [labelOf('timeout', j), { kind: 'timeout', index: j }];
    if ((s[R] as number) > 0)
      for (let p = 1; p <= this.options.peers; p++)
        yield [labelOf('restart', p), { kind: 'restart', peer: p }];
  }

  /**
   * A persistent set of the steps enabled in s, when one of the rounds has one: every step
   * of that round (roundSteps), if none of them appends to the history and one of them
   * leaves s; null otherwise, and then every enabled step is taken. Why exploring only these
   * from s keeps every breach: src/check/README.md, "Register worlds", the persistent sets.
   */
  private persistent(
    s: Int32Array,
    length: number,
    w: RegisterWorld,
    out: Int32Array,
  ): [number, RegisterStep][] | null {
    if (this.options.allInterleavings || (s[R] as number) > 0 || (s[D] as number) > 0) return null;
    for (let p = 1; p <= this.options.peers; p++) {
      const steps = roundSteps(w, p, (i) => i > 0 && s[this.messagesAt + i] === s[this.messagesAt + i - 1]);
      if (steps && this.quiet(s, length, w, steps, out)) return steps;
    }
    return null;
  }

  /** Whether none of the steps appends to the history and one of them leaves s (a step past the round bound is none). */
  private quiet(
    s: Int32Array,
    length: number,
    w: RegisterWorld,
    steps: readonly [number, RegisterStep][],
    out: Int32Array,
  ): boolean {
    let moves = false;
    for (const [, step] of steps) {
      const n = this.next(s, length, w, step, out);
      if (n > 0 && out[H] !== s[H]) return false;
      moves ||= n > 0;
    }
    return moves;
  }

  private armed(s: Int32Array): number {
    let n = 0;
    for (let p = 1; p <= this.options.peers; p++)
      n += Object.keys(this.peerStates.value(s[PEERS + p - 1] as number).timers).length;
    return n;
  }

  /**
   * Writes the state after `step` into `out` and returns its length, 0 when the step
   * leaves the state as it was, -1 when it goes past the round bound. Sets what checkStep
   * and describe say of it.
   */
  private next(
    s: Int32Array,
    length: number,
    before: RegisterWorld,
    step: RegisterStep,
    out: Int32Array,
  ): number {
    const w = copyWorld(before);
    const heard = w.history.length;
    if (step.kind === 'invoke')
      w.nextRequest = requestId(step.client, s[this.clientsAt + 2 * step.client] as number);
    const moved =
      step.kind === 'deliver' || step.kind === 'drop' ? (w.inFlight[step.index] as KeyedSend) : null;
    // apply takes the message out and appends what the step sent (or the copy), in that order.
    const kept = before.inFlight.length - (moved ? 1 : 0);
    if (!this.sim.apply(w, step) && !moved) return 0;
    out.set(s.subarray(0, this.messagesAt));
    this.spend(step, out);
    for (let p = 1; p <= this.options.peers; p++)
      if (w.peers[p] !== before.peers[p]) {
        out[PEERS + p - 1] = this.internPeer(p, w.peers[p] as RegisterPeerState);
        this.checkFloor(p, s[PEERS + p - 1] as number, out[PEERS + p - 1] as number);
      }
    const answered = this.updateClients(w, before, heard, step, out);
    if (w.history.length !== heard) {
      out[H] = this.histories.intern(JSON.stringify(w.history), w.history);
      out[J] = this.linearizations.after(s[J] as number, w.history.slice(heard));
    }
    const sent = step.kind === 'duplicate' ? [] : w.inFlight.slice(kept).map((m) => this.internMessage(m));
    if (!this.countRounds(w, sent, out)) return -1;
    this.settleFrozen(w, out);
    this.settleRetired(w, out);
    const n = this.writeMessages(w, out);
    this.mapStep(s, w, sent, answered, out);
    this.lastStep = { step, before };
    if (step.kind === 'restart' && this.onlySpent(s, length, out, n)) return 0;
    return sameInts(s, length, out, n) ? 0 : n;
  }

  private ignoredAnswer(w: RegisterWorld, m: KeyedSend, out: Int32Array): boolean {
    if (m.message.type !== 'prepare_ack' && m.message.type !== 'accept_ack') return false;
    const state = w.peers[m.to] as RegisterPeerState;
    const frozen = this.frozen(w, m.to, out);
    const memo = frozen ? this.ignoredFrozen : this.ignored;
    let known = memo.get(state);
    if (!known) {
      known = new Map();
      memo.set(state, known);
    }
    let ignored = known.get(m.message);
    if (ignored === undefined) {
      ignored = this.ignores(state, m, frozen);
      known.set(m.message, ignored);
    }
    return ignored;
  }

  private ignores(state: RegisterPeerState, m: KeyedSend, frozen: boolean): boolean {
    const r = this.sim.logic.step(m.to, state, { type: 'deliver', key: m.key, message: m.message });
    if (!r.handled) return true;
    const quiet = r.sends.length === 0 && r.timers.length === 0 && r.completed.length === 0 && !r.save;
    const after = r.state.rounds[m.key]?.snapshot;
    const now = state.rounds[m.key]?.snapshot;
    return (
      quiet && (frozen ? sameRound(after && settled(after), now && settled(now)) : sameRound(after, now))
    );
  }

  /**
   * Whether peer p's round is backing off after the last round the bound lets it begin for
   * its operation: it is inert for good. Its one way on, TIMEOUT, begins a round past the
   * bound, which is not explored; an answer only raises its highestSeen, which only
   * beginRound and the round's end read, and a round backing off ends only with a restart
   * of its peer, which forgets it (the next round's numbers come from the acceptor then).
   * So its highestSeen is dead (settleFrozen), and every answer to it is ignored.
   */
  private frozen(w: RegisterWorld, p: PeerId, out: Int32Array): boolean {
    if (this.options.keepFrozen) return false;
    const round = w.peers[p]?.rounds[KEY];
    return (
      round?.snapshot.value === 'backingOff' &&
      (out[this.roundsAt + p - 1] as number) >= this.options.maxRounds
    );
  }

  /**
   * Whether a restart changed nothing but the budget: then it is not taken. Every run from
   * the world after it, restarts left one fewer, is a run from the world before with the
   * same checks (only a restart reads the budget), and the step itself leaves the mapped
   * spec state and the history as they were.
   */
  private onlySpent(s: Int32Array, length: number, out: Int32Array, n: number): boolean {
    if (this.options.keepRetired) return false;
    out[R] = s[R] as number;
    const same = sameInts(s, length, out, n);
    out[R] = (s[R] as number) - 1;
    return same;
  }

  /**
   * Peers that will never run a round again: no client, or a client with no operation
   * pending or to come, and no round, queue or timer. What only rounds read (the
   * incarnation, whose numbers a round takes, and the numbers used, lastNumber and highest)
   * is dead there, so it is set as a fresh peer has it: a restart of such a peer, which
   * changes only those when the acceptor keeps all it holds, changes nothing then.
   */
  private settleRetired(w: RegisterWorld, out: Int32Array): void {
    if (this.options.keepRetired) return;
    for (let p = 1; p <= this.options.peers; p++) {
      const peer = w.peers[p] as RegisterPeerState;
      if (peer.incarnation === 0 && peer.highest === 0 && Object.keys(peer.lastNumber).length === 0) continue;
      const busy =
        Object.keys(peer.rounds).length + Object.keys(peer.queued).length + Object.keys(peer.timers).length;
      const working = this.options.clients.some(
        (c, i) =>
          c.peer === p &&
          ((out[this.clientsAt + 2 * i] as number) < c.ops.length || out[this.clientsAt + 2 * i + 1] === 1),
      );
      if (busy > 0 || working) continue;
      w.peers[p] = { ...peer, incarnation: 0, lastNumber: Object.create(null), highest: 0 };
      out[PEERS + p - 1] = this.internPeer(p, w.peers[p] as RegisterPeerState);
    }
  }

  /** Each frozen round's highestSeen set to its number (dead: see frozen), so that frozen rounds alike but for it are one. */
  private settleFrozen(w: RegisterWorld, out: Int32Array): void {
    for (let p = 1; p <= this.options.peers; p++) {
      const peer = w.peers[p] as RegisterPeerState;
      const round = peer.rounds[KEY];
      if (
        !round ||
        !this.frozen(w, p, out) ||
        round.snapshot.context.highestSeen === round.snapshot.context.n
      )
        continue;
      const rounds = { ...peer.rounds, [KEY]: { ...round, snapshot: settled(round.snapshot) } };
      w.peers[p] = { ...peer, rounds };
      out[PEERS + p - 1] = this.internPeer(p, w.peers[p] as RegisterPeerState);
    }
  }

  /** What a fault or timer step uses up of its bound. */
  private spend(step: RegisterStep, out: Int32Array): void {
    if (step.kind === 'restart') out[R] = (out[R] as number) - 1;
    if (step.kind === 'duplicate') out[D] = (out[D] as number) - 1;
  }

  /**
   * Counts the rounds each peer began for its current operation (a prepare sent goes to
   * every acceptor: one round), from 0 again once the operation ends; false past the bound.
   */
  private countRounds(w: RegisterWorld, sent: readonly number[], out: Int32Array): boolean {
    for (let p = 1; p <= this.options.peers; p++)
      if (!w.peers[p]?.rounds[KEY]) out[this.roundsAt + p - 1] = 0;
    const begun = new Set<string>();
    for (const id of sent) {
      const { message } = this.messages.value(id);
      if (message.type !== 'prepare' || begun.has(`${message.from}:${message.n}`)) continue;
      begun.add(`${message.from}:${message.n}`);
      const at = this.roundsAt + message.from - 1;
      out[at] = (out[at] as number) + 1;
      if ((out[at] as number) > this.options.maxRounds) return false;
    }
    return true;
  }

  /** The clients' counters after the step, and the operations it answered (for `done`). */
  private updateClients(
    w: RegisterWorld,
    before: RegisterWorld,
    heard: number,
    step: RegisterStep,
    out: Int32Array,
  ) {
    const C = this.options.clients.length;
    const answered: Answered[] = [];
    if (step.kind === 'invoke') out[this.clientsAt + 2 * step.client + 1] = 1;
    for (const e of w.history.slice(heard)) {
      if (e.type === 'invoke') continue;
      const c = e.process % C;
      const at = this.clientsAt + 2 * c;
      out[at] = (out[at] as number) + 1;
      out[at + 1] = 0;
      const peer = (this.options.clients[c] as RegisterClientPlan).peer;
      const round = before.peers[peer]?.rounds[KEY]?.snapshot.context;
      if (e.type !== 'info' && round) answered.push({ group: peer, n: round.n });
    }
    return answered;
  }

  /**
   * The messages in flight, ascending (a multiset: a duplicate appears twice), less the
   * answers no round will ever take. An answer is for the round of its number, and a
   * peer's rounds take numbers it never used before (in this life, above the last; after a
   * restart, of the new incarnation), so an answer its addressee ignores now it ignores
   * forever: delivering or dropping it later leads to the same world.
   */
  private writeMessages(w: RegisterWorld, out: Int32Array): number {
    const live = w.inFlight.filter((m) => !this.ignoredAnswer(w, m, out) && !this.staleRequest(w, m, out));
    if (this.messagesAt + live.length > this.maxLength)
      throw new Error(`more than ${MAX_MESSAGES} messages in flight`);
    const ids = live.map((m) => this.internMessage(m)).sort((x, y) => x - y);
    out.set(ids, this.messagesAt);
    return this.messagesAt + ids.length;
  }

  /**
   * A prepare or accept numbered n below its acceptor's promise, whose sender's round is
   * not at n, and whose delivery now changes nothing but sending that sender a refusal:
   * forgotten, as its delivery would be a stutter however late it came. The acceptor's
   * machine refuses every number below its promise and stays as it was (the guards
   * higherThanPromised and atLeastPromised), the promise never goes down (the floor below,
   * checked on every step the model takes: see checkFloors), and the refusal names n, which
   * no round of the sender takes again (fresh numbers, as for the answers writeMessages
   * forgets; every guard of a round reads only answers of its own number). A refusal maps to
   * no spec message, so the delivery maps to a stutter: no history, no prepare, the acceptor
   * as it was. So a run from the world with m either never delivers m (a run from the world
   * without it: nothing else reads the messages in flight, as for drops) or delivers it in a
   * step that changes nothing but taking m out, and leaving that step out is a run from the
   * world without m with the same checks. With two clients of two operations each, to depth
   * 16 without faults, worlds that differed only in such requests were half the worlds.
   */
  private staleRequest(w: RegisterWorld, m: KeyedSend, out: Int32Array): boolean {
    if (this.options.keepStale) return false;
    const { message } = m;
    if (message.type !== 'prepare' && message.type !== 'accept') return false;
    const state = w.peers[m.to] as RegisterPeerState;
    if (message.n >= this.floor(m.to, this.internPeer(m.to, state))) return false;
    const sender = w.peers[message.from]?.rounds[KEY]?.snapshot.context.n;
    if (sender === message.n && !this.frozen(w, message.from, out)) return false;
    const r = this.sim.logic.step(m.to, state, { type: 'deliver', key: m.key, message });
    return (
      !r.save &&
      r.completed.length === 0 &&
      r.timers.length === 0 &&
      this.internPeer(m.to, r.state) === this.internPeer(m.to, state) &&
      r.sends.every(
        ({ to, message: a }) =>
          to === message.from &&
          a.n === message.n &&
          ((a.type === 'prepare_ack' && !a.promised) || (a.type === 'accept_ack' && a.minProposal > a.n)),
      )
    );
  }

  /**
   * The lower of the key's promise at a peer and at the peer restarted from its durable
   * state (the very state a crash step makes): the number every request below which its
   * acceptor refuses from now on, if it never goes down. 0 while it has no acceptor (a
   * peer state with an acceptor names its peer, so the memo is per state).
   */
  private floor(id: PeerId, peer: number): number {
    let f = this.floors[peer];
    if (f === undefined) {
      const state = this.peerStates.value(peer);
      const restarted = this.sim.logic.init(id, this.sim.logic.durable(state));
      const promise = (p: RegisterPeerState) => p.acceptors[KEY]?.context.minProposal ?? 0;
      f = Math.min(promise(state), promise(restarted));
      this.floors[peer] = f;
    }
    return f;
  }

  /**
   * That a step did not lower a peer's floor, which the requests staleRequest forgot rely
   * on: an error rather than a search that may have missed runs (the real machines, and the
   * faulty variants, never trip it: an acceptor that forgets its promise on a restart
   * already had the lower floor its restart makes).
   */
  private checkFloor(id: PeerId, before: number, after: number): void {
    if (this.options.keepStale || before === after) return;
    if (this.floor(id, after) < this.floor(id, before))
      throw new Error(
        `internal error: peer ${id}'s acceptor went below its promise (${this.floor(id, before)} to ${this.floor(id, after)}), which forgetting requests below it relies on`,
      );
  }

  /** The step's spec state, and whether it is a step of the spec. */
  /**
   * The step's spec state, and what it breaks: a prepare with a number its peer used
   * before (rounds must take fresh numbers: the answers writeMessages forgets rely on it,
   * and the spec cannot see a reused number, since sending a message twice is sending it
   * once), or a step that is no step of spec/Registers.tla.
   */
  private mapStep(
    s: Int32Array,
    w: RegisterWorld,
    sent: readonly number[],
    answered: readonly Answered[],
    out: Int32Array,
  ): void {
    const opIdx = this.params.ops.map((_, g) => {
      const c = this.options.clients.findIndex((x) => x.peer === g + 1);
      return c < 0 ? 1 : (out[this.clientsAt + 2 * c] as number) + 1;
    });
    const keyLength = this.writeRefinementKey(s, w, sent, opIdx, answered, out);
    const key = this.refinementKey;
    let mapped = this.refinements.get(key, keyLength);
    if (!mapped) {
      const spec = this.specStates.value(s[G] as number);
      const messages = sent.map((id) => this.messages.value(id).message);
      const after = mapWorld(
        this.params,
        { ...peersView(w.peers, KEY), key: KEY, messages, opIdx },
        spec,
        answered,
      );
      const reused = messages.find(
        (m) => m.type === 'prepare' && spec.msgs.some((x) => x.type === '1a' && x.bal === m.n - 1),
      );
      const breach: Breach | null = reused
        ? {
            invariant: 'FreshNumbers',
            detail: `peer ${reused.from} began a round with number ${reused.n}, which it used before`,
          }
        : !this.options.refinement || isSpecStep(this.params, spec, after)
          ? null
          : { invariant: 'Refinement', detail: 'the step maps to no action of spec/Registers.tla' };
      const kept = this.options.keepSettled ? after : forgetSettled(this.params, after);
      mapped = { id: this.specStates.intern(stateKey(kept), kept), breach };
      this.refinements.set(key, keyLength, mapped);
    }
    out[G] = mapped.id;
    this.stepBreach = mapped.breach;
  }

  /**
   * What the refinement of a step depends on, as ints: the spec state before, each peer's
   * acceptor after (its durable state: all mapWorld reads of an acceptor), what was sent
   * and, for each accept sent, its sender's state after (newAccept reads the round that sent
   * it), each group's operation and what was answered (counts first, so no two tuples read
   * alike). Keyed by whole peers, steps that differ only in rounds no accept came from,
   * timers and numbers kept missed the memo: 55% of the lookups of two clients of two
   * operations with a crash.
   */
  private writeRefinementKey(
    s: Int32Array,
    w: RegisterWorld,
    sent: readonly number[],
    opIdx: readonly number[],
    answered: readonly Answered[],
    out: Int32Array,
  ): number {
    const need = 3 + this.options.peers + 3 * sent.length + opIdx.length + 2 * answered.length;
    if (need > this.refinementKey.length) this.refinementKey = new Int32Array(2 * need);
    const key = this.refinementKey;
    let i = 0;
    key[i++] = s[G] as number;
    for (let p = PEERS; p < this.roundsAt; p++) key[i++] = this.acceptorOf(out[p] as number);
    key[i++] = sent.length;
    for (const id of sent) {
      key[i++] = id;
      const { message } = this.messages.value(id);
      if (message.type !== 'accept') continue;
      key[i++] = out[PEERS + message.from - 1] as number;
      // The promise newAccept reads, which the peer's key leaves out once the accept is sent (deadFields).
      const read = highestAccepted(w.peers[message.from]?.rounds[KEY]?.snapshot.context.promises ?? []);
      key[i++] = this.promisesRead.intern(JSON.stringify(read ?? null), true);
    }
    for (const x of opIdx) key[i++] = x;
    key[i++] = answered.length;
    for (const a of answered) {
      key[i++] = a.group;
      key[i++] = a.n;
    }
    return i;
  }

  /** An id for the key's acceptor of a peer state, alike for alike durable states (-1: none yet). */
  private acceptorOf(peer: number): number {
    let id = this.acceptorIds[peer];
    if (id === undefined) {
      const a = this.peerStates.value(peer).acceptors[KEY];
      id = a ? this.acceptors.intern(JSON.stringify(acceptorDurable(a.context)), true) : -1;
      this.acceptorIds[peer] = id;
    }
    return id;
  }

  /**
   * Linearizability of the state's history: read off its linearizations, the history itself
   * checked (for the breach's words) only when they are none, or always with `keepHistories`.
   */
  checkState(s: Int32Array): Breach | null {
    if (!this.options.keepHistories && this.linearizations.linearizable(s[J] as number)) return null;
    const id = s[H] as number;
    let verdict = this.verdicts.get(id);
    if (verdict === undefined) {
      const r = checkWorld({ history: this.histories.value(id) } as RegisterWorld);
      if (r.verdict === 'LINEARIZABLE' && !this.options.keepHistories)
        throw new Error('internal error: a linearizable history without linearizations');
      verdict =
        r.verdict === 'LINEARIZABLE'
          ? null
          : {
              invariant: r.verdict === 'UNKNOWN' ? 'LinearizabilityUnknown' : 'Linearizable',
              detail: r.failure ? `cannot place ${r.failure.operation.text}` : (r.unknown ?? ''),
            };
      this.verdicts.set(id, verdict);
    }
    return verdict;
  }

  /** The most operations answered (ok or refused) in one history: that the bound let operations finish. */
  mostAnswered(): number {
    return Math.max(
      0,
      ...this.histories.values.map((h) => h.filter((e) => e.type === 'ok' || e.type === 'fail').length),
    );
  }

  checkStep(): Breach | null {
    return this.stepBreach;
  }

  describe(
    before: Int32Array | null,
    _bl: number,
    _step: number,
    after: Int32Array,
    afterLength: number,
    breach: Breach | null,
  ): TraceStep {
    const w = this.world(after, afterLength);
    const state = {
      peers: w.peers.slice(1).map((p) => ({
        incarnation: p.incarnation,
        acceptor: p.acceptors[KEY]?.context ?? null,
        round: p.rounds[KEY]
          ? { state: p.rounds[KEY].snapshot.value, n: p.rounds[KEY].snapshot.context.n }
          : null,
      })),
      history: w.history,
      messages: w.inFlight.length,
      ...(breach ? { breach } : {}),
    };
    const last = this.lastStep;
    const words = last ? describeStep(last.step, last.before, this.options.clients) : '';
    return { action: before === null ? 'Init' : words, state };
  }

  fingerprint(s: Int32Array, length: number, out: Int32Array): void {
    fingerprintInts(this.from === 0 ? s : s.subarray(this.from), length - this.from, out);
  }

  key(s: Int32Array, length: number, out: Int32Array): number {
    out.set(s.subarray(this.from, length));
    return length - this.from;
  }
}

/**
 * The spec state less the promises and votes no action of spec/Registers.tla can read
 * again: those of a ballot b whose owner p has gone past it (pBal[p] > b, or p has no
 * operation left), and the promises of a ballot whose accept was sent. Accept reads only
 * promises of pBal[p] while no 2a of pBal[p] exists; Complete reads only votes of pBal[p];
 * pBal, opIdx and the 2a messages only grow, so neither ever reads these again. Nor can a
 * step send one again (an acceptor promises a ballot once; a vote sent again is sent by the
 * machine and by AcceptAck alike), so a step maps to an action or a stutter from the state
 * less them exactly when it does from the whole state. The prepares (FreshNumbers reads
 * them) and accepts stay. Worlds that differ only in a promise once sent and since
 * overtaken (an acceptor that promised 0 then 1, or took 1 first and refused 0) are one.
 *
 * `done` goes too, all of it: no action reads it (Complete only adds to it; only the
 * invariant AtomicRegister reads it, and this model does not check it), so all a step's
 * check reads of it is the element the step adds. That element names the operation current
 * before the step ([p, opIdx[p]]), and every element already in done names an operation
 * opIdx has since gone past (each earlier step was checked to be a spec step, and Complete
 * moves opIdx on), so none is added twice: done ∪ A equals done ∪ X exactly when A equals
 * X, and a step maps to an action or a stutter from the state less done exactly when it
 * does from the whole state.
 */
function forgetSettled(p: RegistersParams, s: RegistersState): RegistersState {
  const proposers = p.ops.length;
  const owner = (b: number) => b % proposers;
  const past = (b: number) =>
    (s.pBal[owner(b)] as number) > b ||
    (s.opIdx[owner(b)] as number) > (p.ops[owner(b)] as readonly unknown[]).length;
  const accepted = new Set(s.msgs.flatMap((m) => (m.type === '2a' ? [m.bal] : [])));
  const settled = (m: RegistersState['msgs'][number]) =>
    (m.type === '1b' && (past(m.bal) || accepted.has(m.bal))) || (m.type === '2b' && past(m.bal));
  const msgs = s.msgs.filter((m) => !settled(m));
  return msgs.length === s.msgs.length && s.done.length === 0 ? s : { ...s, msgs, done: [] };
}

/**
 * Every step of peer p's round, with their labels, when no answer can reach it any more
 * but those in flight: it runs a round, and no prepare or accept of p is in flight (an
 * answer is only ever sent to the sender of a request). Its steps are then the deliveries
 * of the answers in flight to p and its timer; null if it runs none or its requests are
 * still out. `copy(i)`: message i is a copy of the one before (one delivery stands for both).
 */
function roundSteps(
  w: RegisterWorld,
  p: PeerId,
  copy: (i: number) => boolean,
): [number, RegisterStep][] | null {
  const peer = w.peers[p];
  if (!peer?.rounds[KEY]) return null;
  const isRequest = (m: KeyedSend) => m.message.type === 'prepare' || m.message.type === 'accept';
  if (w.inFlight.some((m) => isRequest(m) && m.message.from === p)) return null;
  const steps: [number, RegisterStep][] = [];
  w.inFlight.forEach((m, i) => {
    if (m.to === p && !isRequest(m) && !copy(i))
      steps.push([labelOf('deliver', i), { kind: 'deliver', index: i }]);
  });
  if (peer.timers[KEY]) {
    // Timers are indexed in peer order (world.ts, armedTimers), one key here.
    const before = w.peers.slice(0, p).reduce((n, q) => n + (q ? Object.keys(q.timers).length : 0), 0);
    steps.push([labelOf('timeout', before), { kind: 'timeout', index: before }]);
  }
  return steps;
}

/**
 * The logic with each peer's step remembered per (state, input): worlds share peer states,
 * so most steps were taken before in another world. A step's result is only read.
 */
function memoised(logic: RegisterPeerLogic): RegisterPeerLogic {
  const memo = new WeakMap<RegisterPeerState, Map<unknown, RegisterPeerStep>>();
  return {
    ...logic,
    step(id, state, input) {
      let known = memo.get(state);
      if (!known) {
        known = new Map();
        memo.set(state, known);
      }
      // Messages are interned objects, so one stands for its content; the rest are rare.
      const key = input.type === 'deliver' ? input.message : JSON.stringify(input);
      let r = known.get(key);
      if (!r) {
        // A step consumes the state it is given, and worlds share this one.
        r = logic.step(id, copyPeerState(state), input);
        known.set(key, r);
      }
      return r;
    },
  };
}

/** Fresh containers over the same immutable parts: what `apply` may change in place. */
const copyWorld = (w: RegisterWorld): RegisterWorld => ({
  ...w,
  peers: w.peers.slice(),
  inFlight: w.inFlight.slice(),
  clients: w.clients.map((c) => ({ ...c })),
  history: w.history.slice(),
});

/**
 * A peer state as far as its future can tell (roundKey): peer `id` among `groupCount`
 * groups (each peer its own, in order). With `keepDead`, its rounds' dead fields and its
 * numbers as they are (for the test that compares).
 *
 * A number a peer keeps is read only as the next own number above it. lastNumber is read
 * only by a round's start, whose beginRound takes the peer's next number above it (this
 * life's numbers, machines/round.ts); `highest` only by a key loaded from a store, which this
 * model never does. So lastNumber is keyed by that next number, and `highest` not at all.
 */
export function peerKey(p: RegisterPeerState, id: PeerId, groupCount: number, keepDead = false): string {
  const next = (n: number) =>
    nextProposalNumber(id + p.incarnation * groupCount, groupCount * INCARNATION_LIMIT, n);
  return JSON.stringify([
    p.incarnation,
    Object.entries(p.acceptors).map(([k, s]) => [k, s.value, s.context]),
    Object.entries(p.rounds).map(([k, r]) => [
      k,
      r.request.id,
      r.snapshot.value,
      roundKey(keepDead ? null : r.snapshot.value, r.snapshot.context),
    ]),
    p.queued,
    keepDead ? [p.lastNumber, p.highest] : Object.entries(p.lastNumber).map(([k, n]) => [k, next(n)]),
    // Which timer is armed, not its backoff attempt: this host fires it at any time.
    Object.entries(p.timers).map(([k, t]) => [k, t.kind]),
  ]);
}

/**
 * A round's context as far as its future can tell. `highestSeen` is only ever read through
 * the round's next number, numberAboveSeen, the smallest of its own numbers above
 * max(n, highestSeen) (a retry's number; and at the round's end the peer keeps that max,
 * which the next round reads the same way), and noteHighestSeen commutes with it (the
 * next number above a max is the max of the next numbers), so contexts alike in it are
 * alike, and an answer that raises highestSeen short of a new next number is ignored. In
 * these models a life's numbers are 3 * 65,536 apart, so that is nearly every refusal.
 * `refusals` only sets a backoff timer's attempt, that is its duration, which this host
 * does not read (a timer fires at any time it is armed): left out. Contexts alike by this
 * key differ only in what no guard, action of this host, or the refinement mapping reads.
 *
 * So are the fields a state of the round overwrites before it reads them (deadFields).
 * Without `value`, both as they are (max(n, highestSeen), every field).
 */
const roundKey = (value: unknown, c: RegisterRoundContext): string =>
  JSON.stringify({
    ...c,
    highestSeen: value === null ? Math.max(c.n, c.highestSeen) : numberAboveSeen(c),
    refusals: 0,
    ...deadFields(value),
  });

/**
 * The fields of a round's context that no step from this state reads before it writes
 * them (machines/registerRound.ts), as the key writes them. The promises are read only on
 * the way out of preparing (completesPromiseMajority, applyChange; the refinement reads
 * the promises of a round whose accept it maps in the step that sends it, so from the
 * peer state that step made, not the key's): after that, in accepting and backingOff,
 * nothing reads them until beginRound empties them. Nor does anything read, in backingOff,
 * the acceptances, the proposal and the result (beginRound resets the first two, and
 * applyChange sets the result before writesBack or reportResult reads it), nor the result
 * in preparing (the same). The fields left are those some step reads first.
 */
function deadFields(value: unknown): Partial<RegisterRoundContext> {
  if (value === 'accepting') return { promises: [] };
  if (value === 'backingOff') return { promises: [], accepted: [], proposal: null, result: null };
  if (value === 'preparing') return { result: null };
  return {};
}

type RoundSnapshotView = { value: unknown; context: RegisterRoundContext };

/** A round's snapshot with highestSeen at its number: what a frozen round's future reads of it. */
const settled = <S extends RoundSnapshotView>(r: S): S => ({
  ...r,
  context: { ...r.context, highestSeen: r.context.n },
});

/** Two snapshots of a round alike in state and context (an event the round ignores changes neither). */
const sameRound = (a: RoundSnapshotView | undefined, b: RoundSnapshotView | undefined): boolean =>
  a === b ||
  (a !== undefined &&
    b !== undefined &&
    a.value === b.value &&
    roundKey(a.value, a.context) === roundKey(b.value, b.context));

const requestId = (client: number, op: number): number => client * 1000 + op;

function sameInts(a: Int32Array, al: number, b: Int32Array, bl: number): boolean {
  if (al !== bl) return false;
  for (let i = 0; i < al; i++) if (a[i] !== b[i]) return false;
  return true;
}

function describeStep(
  step: RegisterStep,
  before: RegisterWorld,
  clients: readonly RegisterClientPlan[],
): string {
  switch (step.kind) {
    case 'deliver':
    case 'drop':
    case 'duplicate': {
      const { message: m, to } = before.inFlight[step.index] as KeyedSend;
      return `${step.kind} ${m.type}(${m.n}) from peer ${m.from} to peer ${to}`;
    }
    case 'invoke':
      return `client ${step.client} asks peer ${clients[step.client]?.peer} for ${JSON.stringify(step.operation)}`;
    case 'timeout':
      return `the round timer of peer ${timerPeer(before, step.index)} fires`;
    case 'restart':
      return `peer ${step.peer} crashes and restarts`;
  }
}

/** The peer of the `index`-th armed timer, in the simulator's order (peer, then key). */
function timerPeer(w: RegisterWorld, index: number): number | undefined {
  const armed = w.peers.flatMap((p, id) => (p ? Object.keys(p.timers).map(() => id) : []));
  return armed[index % Math.max(1, armed.length)];
}
