/**
 * Peers as interned values with memoised steps. The checker drives peers only through
 * src/peer/node.ts (`createPeerLogic`), so the protocol is never re-written here; it runs
 * XState once per distinct (peer state, input) pair and replays the recorded outcome
 * (next peer state id, messages sent, the chose line) every other time the same local step
 * occurs in another world.
 */
import { type AcceptorDurable, acceptorDurable } from '../../../machines/acceptor';
import { learnerDurable } from '../../../machines/learner';
import {
  type GroupId,
  MESSAGE_TYPES,
  type Message,
  NO_PROPOSAL,
  type PeerId,
  type Send,
  type Value,
} from '../../../machines/messages';
import { nextRoundNumber } from '../../../machines/proposer';
import type { Timer } from '../../../machines/timers';
import { canStart, type PeerInput, type PeerLogic, type PeerState } from '../../peer/node';
import { decodeMessage, encodeMessage } from '../../runtime/codec';
import { hashString, SEED_A, SEED_B } from '../hash';
import type { TransitionCoverage } from './coverage';
import type { GhostHistory } from './ghost';
import { Interner, PairMemo } from './interner';
import { type Closure, Reactivity, union, within } from './reactivity';

export interface LocalStep {
  /** The peer's state id afterwards. */
  next: number;
  /** Interned messages sent, in the order the machines emitted them. */
  sends: Int32Array;
  /** The same, sorted (for merging into a sorted multiset). */
  sortedSends: Int32Array;
  /** Ghost items this step adds: the vote it casts, the spec-relevant messages it sends. */
  ghost: number[];
  /** The peer's chose line, on the step where its learner learns. */
  learned: { n: number; value: Value } | null;
  /** Whether the acceptor's durable state changed (the spec sees acceptor variables). */
  acceptorChanged: boolean;
  /** Transitions its machines took (coverage.ts indices); empty unless coverage is on. */
  taken: Int32Array;
  /** A message of this step that the runtime's codec would refuse at its destination, said in words; null when all pass. */
  refused: string | null;
  /** The step prints chose on a peer that printed it before (and forgot it in a restart). */
  printsAgain: boolean;
}

export interface ProposerFacts {
  group: GroupId;
  /** Whether the proposer takes a START now (it has not started, nor heard of a decision). */
  startable: boolean;
  /** The timer it armed last, if it has not fired: its TIMEOUT is enabled exactly then. */
  timer: Timer | null;
  /** The number a START or a new-round TIMEOUT would take now (the machine says; 0 once decided: none). */
  nextNumber: number;
}

export interface PeerFacts {
  owner: PeerId;
  learned: { n: number; value: Value } | null;
  acceptor: AcceptorDurable | null;
  /** Interned acceptor durable state, -1 without an acceptor. */
  acceptorId: number;
  proposers: ProposerFacts[];
}

const NONE = new Int32Array(0);
const RESTART = 'a restart';

const snapshotKey = (s: { value: unknown; context: unknown } | undefined) =>
  s === undefined ? null : [s.value, s.context];

/**
 * What tells two states of a peer apart: its machines' states and contexts, its armed
 * timers, and whether it printed chose on the way (a ghost: a second chose line is a breach).
 */
export const peerStateKey = (owner: PeerId, state: PeerState, printed: boolean): string =>
  JSON.stringify([
    owner,
    Object.entries(state.proposers).map(([g, s]) => [g, snapshotKey(s), state.timers[Number(g)] ?? null]),
    snapshotKey(state.acceptor),
    snapshotKey(state.learner),
    printed,
  ]);

export class PeerTable {
  readonly states = new Interner<PeerState>();
  readonly owners: PeerId[] = [];
  /**
   * Per peer state: whether the peer printed chose on the way there. An observer's fact, not
   * the peer's (its own state may forget it across a restart), kept with the peer state so
   * that a world pays nothing for it: in the ghost history it made every learning step a new
   * history and a refinement check, and the checker 40% slower.
   */
  private readonly printed: boolean[] = [];
  readonly sends = new Interner<Send>();
  /** Per interned message: why the codec refuses it, or null. */
  private readonly sendRefusals: (string | null)[] = [];
  readonly acceptorStates = new Interner<AcceptorDurable>();
  private readonly facts: PeerFacts[] = [];
  /** Memoised deliveries, by peer state then message id. */
  private readonly delivered: LocalStep[][] = [];
  private readonly started = new PairMemo<LocalStep>();
  private readonly timedOut = new PairMemo<LocalStep>();
  private readonly restarted = new Map<number, number>();
  /** Ghost item of each interned send: its message if spec-relevant, else -1. */
  private readonly sendGhost: number[] = [];
  /** Local steps run through XState (the rest came from the memo). */
  machineSteps = 0;
  private readonly reactivity = new Reactivity();
  /** Per peer state: bit i set when no machine of the peer can ever react to MESSAGE_TYPES[i]. */
  private readonly deadMasks: [number[], number[]] = [[], []];
  /** Per peer state, without and with restarts to come: what each of its machines may reach (reactivity.ts). */
  private readonly reach: [Closure[][], Closure[][]] = [[], []];
  /** The highest number each proposer group may take (the round bound): a START beyond it is never sent. */
  private lastNumber: (group: GroupId) => number = () => Number.POSITIVE_INFINITY;
  /** Whether peers may crash and restart, so that every step is checked against what a restart reaches too. */
  private restarts = false;
  /** Per interned send: the bit of its message type. */
  readonly typeBits: number[] = [];
  /** Content hashes (two lanes) of each interned peer state and send, the same in every thread. */
  readonly hashA: number[] = [];
  readonly hashB: number[] = [];
  readonly sendHashA: number[] = [];
  readonly sendHashB: number[] = [];

  /** Transitions taken by the XState run in progress, when coverage is on. */
  private taking: number[] = [];
  private readonly restartTaken = new Map<number, Int32Array>();
  private readonly initialTaken = new Map<PeerId, Int32Array>();

  constructor(
    readonly logic: PeerLogic,
    private readonly ghost: GhostHistory,
    private readonly relevant: (m: Message) => boolean,
    readonly coverage: TransitionCoverage | null = null,
    /** Whether messages go through the wire codec (off only to show the other checks fail). */
    private readonly wire = true,
  ) {
    if (coverage)
      logic.observe((_machine, taken) => {
        for (const i of coverage.indicesOf(taken)) this.taking.push(i);
      });
  }

  /** Runs f, returning what it returns and the transitions it took (coverage on). */
  private tracked<T>(f: () => T): [T, Int32Array] {
    if (!this.coverage) return [f(), NONE];
    this.taking = [];
    const r = f();
    return [r, Int32Array.from(this.taking)];
  }

  intern(owner: PeerId, state: PeerState, printed = false): number {
    const key = peerStateKey(owner, state, printed);
    const before = this.states.size;
    const id = this.states.intern(key, state);
    if (id === before) {
      this.hashA.push(hashString(key, SEED_A));
      this.hashB.push(hashString(key, SEED_B));
      this.owners.push(owner);
      this.printed.push(printed);
      this.facts.push(this.factsOf(owner, state));
    }
    return id;
  }

  initial(owner: PeerId): number {
    const [state, taken] = this.tracked(() => this.logic.init(owner));
    if (this.coverage) this.initialTaken.set(owner, taken);
    return this.intern(owner, state);
  }

  /** The transitions a fresh peer took while starting (`always` branches out of recovering). */
  takenAtStart(owner: PeerId): Int32Array {
    return this.initialTaken.get(owner) as Int32Array;
  }

  /** The transitions a restart of `state` took, once crash() made it. */
  takenAtRestart(state: number): Int32Array {
    return this.restartTaken.get(state) as Int32Array;
  }

  fact(id: number): PeerFacts {
    return this.facts[id] as PeerFacts;
  }

  owner(id: number): PeerId {
    return this.owners[id] as PeerId;
  }

  /** Whether the peer printed chose on the way to this state (see `printed`). */
  hasPrinted(id: number): boolean {
    return this.printed[id] as boolean;
  }

  internSend(send: Send): number {
    const before = this.sends.size;
    const key = `${send.to}>${JSON.stringify(send.message)}`;
    const id = this.sends.intern(key, send);
    if (id === before) {
      // Through the wire codec once per distinct message, as the runtime's addressee decodes it.
      const decoded = this.wire
        ? decodeMessage(encodeMessage(send.message).trimEnd(), this.logic.cluster, send.to)
        : ({ ok: true } as const);
      this.sendRefusals.push(
        decoded.ok
          ? null
          : `peer${send.message.from} sent peer${send.to} a message the wire refuses: ${decoded.problem}`,
      );
      this.sendHashA.push(hashString(key, SEED_A));
      this.sendHashB.push(hashString(key, SEED_B));
      this.sendGhost.push(this.relevant(send.message) ? this.ghost.message(send.message) : -1);
      this.typeBits.push(1 << MESSAGE_TYPES.indexOf(send.message.type));
    }
    return id;
  }

  /** What the host does: the round bound (no START past it), and whether crash faults are on. */
  bound(lastNumber: (group: GroupId) => number, restarts: boolean): void {
    this.lastNumber = lastNumber;
    this.restarts = restarts;
  }

  /**
   * Message types this peer state will never react to again (see reactivity.ts);
   * `restart` when the peer may still crash and restart.
   */
  deadTypes(state: number, restart: boolean): number {
    const masks = this.deadMasks[restart ? 1 : 0];
    let mask = masks[state];
    if (mask === undefined) {
      const live = new Set<string>();
      for (const c of this.predicted(state, restart)) for (const e of c.events) live.add(e);
      mask = 0;
      if (!live.has('*'))
        MESSAGE_TYPES.forEach((t, i) => {
          if (!live.has(t)) mask = (mask as number) | (1 << i);
        });
      masks[state] = mask;
    }
    return mask;
  }

  /**
   * Per machine of the peer (proposers by group, acceptor, learner): the state nodes it may
   * reach from `state`, without taking a START the round bound forbids. With `restart`, also
   * those of the peer restarted from this state's stable storage, the very state crash()
   * makes. That covers the restart of any later state only if a step never reaches beyond
   * its source's prediction, which run() and crash() check.
   */
  private predicted(state: number, restart: boolean): Closure[] {
    const memo = this.reach[restart ? 1 : 0];
    let r = memo[state];
    if (r === undefined) {
      if (restart) {
        const now = this.predicted(state, false);
        const after = this.predicted(this.crash(state), false);
        r = now.map((c, i) => union([c, after[i] as Closure]));
      } else {
        const s = this.states.value(state);
        const fact = this.fact(state);
        r = [];
        for (const [g, snap] of Object.entries(s.proposers)) {
          const next = fact.proposers.find((p) => p.group === Number(g))?.nextNumber ?? 0;
          const skip = next > this.lastNumber(Number(g)) ? 'START' : null;
          r.push(this.reactivity.closure(snap.machine, snap.value, skip));
        }
        for (const snap of [s.acceptor, s.learner])
          if (snap) r.push(this.reactivity.closure(snap.machine, snap.value, null));
      }
      memo[state] = r;
    }
    return r;
  }

  /**
   * Throws unless every machine reaches, from `next`, only nodes it could reach from `state`:
   * after a local step, both without and with restarts to come; after a restart, with them.
   */
  private checkPrediction(state: number, next: number, what: string): void {
    if (state === next) return;
    const modes = what === RESTART ? [true] : this.restarts ? [false, true] : [false];
    for (const restart of modes) {
      const before = this.predicted(state, restart);
      const after = this.predicted(next, restart);
      before.forEach((c, i) => {
        if (!within(after[i] as Closure, c))
          throw new Error(
            `peer${this.owner(state)} reaches, after ${what}, a state node it could not reach before ` +
              `(${JSON.stringify(this.machineValues(state))} -> ${JSON.stringify(this.machineValues(next))}): ` +
              'the checker cannot tell which of its messages are dead, so it stops rather than prune wrongly',
          );
      });
    }
  }

  private machineValues(state: number): unknown[] {
    const s = this.states.value(state);
    return [...Object.values(s.proposers), s.acceptor, s.learner].filter((x) => x).map((x) => x?.value);
  }

  send(id: number): Send {
    return this.sends.value(id);
  }

  deliver(state: number, send: number): LocalStep {
    let row = this.delivered[state];
    if (row === undefined) {
      row = [];
      this.delivered[state] = row;
    }
    let step = row[send];
    if (step === undefined) {
      step = this.run(state, { type: 'deliver', message: this.send(send).message });
      row[send] = step;
    }
    return step;
  }

  start(state: number, group: GroupId, value: Value): LocalStep {
    let step = this.started.get(state, group);
    if (step === undefined) {
      step = this.run(state, { type: 'start', group, value });
      this.started.set(state, group, step);
    }
    return step;
  }

  timeout(state: number, group: GroupId): LocalStep {
    let step = this.timedOut.get(state, group);
    if (step === undefined) {
      step = this.run(state, { type: 'timeout', group });
      this.timedOut.set(state, group, step);
    }
    return step;
  }

  /** The peer after a crash and a restart from what it had on stable storage. */
  crash(state: number): number {
    let next = this.restarted.get(state);
    if (next === undefined) {
      const owner = this.owner(state);
      const [restarted, taken] = this.tracked(() =>
        this.logic.init(owner, this.logic.durable(this.states.value(state))),
      );
      next = this.intern(owner, restarted, this.hasPrinted(state));
      this.restarted.set(state, next);
      if (this.coverage) this.restartTaken.set(state, taken);
      if (this.restarts) this.checkPrediction(state, next, RESTART);
    }
    return next;
  }

  /** Runs one input through the real peer logic (node.ts) and records the outcome. */
  run(state: number, input: PeerInput): LocalStep {
    this.machineSteps++;
    const owner = this.owner(state);
    const [r, taken] = this.tracked(() => this.logic.step(owner, this.states.value(state), input));
    const printedBefore = this.hasPrinted(state);
    const next = this.intern(owner, r.state, printedBefore || r.learned !== undefined);
    this.checkPrediction(state, next, `its ${input.type}`);
    const sends = Int32Array.from(r.sends, (s) => this.internSend(s));
    const ghost: number[] = [];
    const before = this.fact(state).acceptor;
    const after = this.fact(next).acceptor;
    const acceptorChanged = this.fact(state).acceptorId !== this.fact(next).acceptorId;
    if (
      after &&
      after.acceptedProposal !== NO_PROPOSAL &&
      (before?.acceptedProposal !== after.acceptedProposal || before?.acceptedValue !== after.acceptedValue)
    ) {
      ghost.push(this.ghost.vote(owner, after.acceptedProposal, after.acceptedValue));
    }
    for (const s of sends) {
      const g = this.sendGhost[s] as number;
      if (g >= 0 && !ghost.includes(g)) ghost.push(g);
    }
    return {
      next,
      sends,
      sortedSends: Int32Array.from(sends).sort(),
      ghost,
      learned: r.learned ? { n: r.learned.n, value: r.learned.value } : null,
      acceptorChanged,
      taken,
      refused: firstRefusal(sends, this.sendRefusals),
      printsAgain: printedBefore && r.learned !== undefined,
    };
  }

  private factsOf(owner: PeerId, state: PeerState): PeerFacts {
    const acceptor = state.acceptor ? acceptorDurable(state.acceptor.context) : null;
    return {
      owner,
      learned: state.learner ? learnerDurable(state.learner.context).learned : null,
      acceptor,
      acceptorId: acceptor ? this.acceptorStates.intern(JSON.stringify(acceptor), acceptor) : -1,
      proposers: Object.entries(state.proposers).map(([g, s]) => ({
        group: Number(g),
        startable: canStart(state, Number(g)),
        timer: state.timers[Number(g)] ?? null,
        nextNumber: nextRoundNumber(s.context),
      })),
    };
  }
}

function firstRefusal(sends: Int32Array, refusals: readonly (string | null)[]): string | null {
  for (const s of sends) {
    const r = refusals[s];
    if (r) return r;
  }
  return null;
}
