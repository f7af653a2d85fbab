/**
 * The first half of validating a register service's run: each peer's records replayed
 * through the real register peer (src/registers/peer.ts) from its boot, so that what the
 * host did (the messages it framed and their keys, the timers, the answers, what it wrote
 * and what it read back from its store) is what the machines say it must have done.
 * Multiplexing errors show here: a message framed with another key, a batch saved under
 * the wrong key, a key read back from the store that is not what was saved.
 */
import { isDeepStrictEqual } from 'node:util';
import { type AcceptorDurable, acceptorDurable } from '../../../machines/acceptor';
import type { Message, PeerId } from '../../../machines/messages';
import type { RegisterRoundContext } from '../../../machines/registerRound';
import {
  type Completion,
  leavesBeforeWrite,
  type RegisterPeerInput,
  type RegisterPeerLogic,
  type RegisterPeerState,
} from '../../registers/peer';
import type { ServeTraceRecord } from '../serveRecord';
import type { Located } from './read';

export type ServeRule =
  | 'records-in-order'
  | 'load-returns-saved'
  | 'machines'
  | 'saved-what-changed'
  | 'saved-before-next-batch'
  | 'drop-only-idle'
  | 'receive-matches-send'
  | 'refinement';

export const SERVE_RULES: Record<ServeRule, string> = {
  'records-in-order': "a peer's records of one incarnation are numbered 0, 1, 2 ... and begin with its boot",
  'load-returns-saved': "a key read from the store is the acceptor the peer's last write of it saved",
  machines: 'each step does what the register peer machines do with the same input',
  'saved-what-changed':
    "a batch's write saves exactly the keys whose acceptor its steps changed, as they left them",
  'saved-before-next-batch': 'a batch starts only once the previous one was saved',
  'drop-only-idle': 'a key is dropped from memory only when nothing is under way on it',
  'receive-matches-send':
    'a message received was sent to this peer, with this key, by a saved batch (or, an accept, before its batch was saved)',
  refinement: "every key's run is a behaviour of spec/Registers.tla",
};

export class ServeViolation extends Error {
  constructor(
    readonly rule: ServeRule,
    readonly at: Located,
    readonly detail: string,
  ) {
    super(`${at.file}:${at.line}: ${SERVE_RULES[rule]}: ${detail}`);
  }
}

/** A step as the spec mapping needs it: what it sent, what ended and began, the state it left. */
export interface ReplayedStep {
  at: Located;
  peer: PeerId;
  boot: number;
  key: string;
  /** Messages that left (the batch was saved, or they left before its write), with their wire keys and ids. */
  sent: { to: PeerId; key: string; id: string; message: Message }[];
  /** The id of the message this step received, if any. */
  received: string | null;
  /** Rounds on the key that ended in this step: answered (ok, mismatch) or not. */
  ended: { answered: boolean; n: number }[];
  /** The operations of rounds that began on the key in this step. */
  began: RegisterRoundContext['operation'][];
  /** The key's round after the step (what an accept it sent read and answers). */
  round: RegisterRoundContext | undefined;
  /** The key's acceptor after the step, if the peer holds it. */
  acceptor: AcceptorDurable | undefined;
}

type Step = Extract<ServeTraceRecord, { kind: 'step' }>;

const inputOf = (r: Step): RegisterPeerInput => {
  const { msgId: _, ...input } = r.input as RegisterPeerInput & { msgId?: unknown };
  return input;
};

/** The machines' effects beside the trace's: the first that differs, or undefined. */
function difference(r: Step, out: ReturnType<RegisterPeerLogic['step']>): string | undefined {
  const sent = r.sent.map((s) => ({ to: s.to, key: s.key, message: s.message }));
  if (!isDeepStrictEqual(sent, out.sends))
    return `sent ${JSON.stringify(sent)}, the machines send ${JSON.stringify(out.sends)}`;
  if (!isDeepStrictEqual(r.timers, out.timers))
    return `armed ${JSON.stringify(r.timers)}, the machines arm ${JSON.stringify(out.timers)}`;
  if (!isDeepStrictEqual(r.completed, out.completed))
    return `answered ${JSON.stringify(r.completed)}, the machines answer ${JSON.stringify(out.completed)}`;
  return undefined;
}

type Round = RegisterPeerState['rounds'][string];

const roundOf = (state: RegisterPeerState, key: string): Round | undefined =>
  Object.hasOwn(state.rounds, key) ? state.rounds[key] : undefined;

/** Which rounds on the key a step ended, and which it began (`was`: the key's round before it). */
function roundsChanged(
  was: Round | undefined,
  after: RegisterPeerState,
  key: string,
  completed: Completion[],
) {
  const is = roundOf(after, key);
  const ended = completed
    .filter((c) => c.request.id === was?.request.id)
    .map((c) => ({
      answered: c.outcome === 'ok' || c.outcome === 'mismatch',
      n: was?.snapshot.context.n ?? 0,
    }));
  const began = is && is.request.id !== was?.request.id ? [is.snapshot.context.operation] : [];
  return { ended, began, round: is?.snapshot.context };
}

const heldAcceptor = (state: RegisterPeerState, key: string): AcceptorDurable | undefined => {
  const s = Object.hasOwn(state.acceptors, key) ? state.acceptors[key] : undefined;
  return s ? acceptorDurable(s.context) : undefined;
};

/** A batch stepped but not known to be saved, with the acceptors its write would have saved. */
interface Batch {
  no: number;
  boot: number;
  changed: Set<string>;
  steps: ReplayedStep[];
  /** Steps whose messages left before the batch's write (see leavesBeforeWrite): they count even if it never happened. */
  early: Set<ReplayedStep>;
  writes?: Map<string, AcceptorDurable>;
}

/**
 * One peer's replay: its state, the batch under way, and the steps of saved batches by
 * life. A life's last batch may lack its `saved` record and still have been written (the
 * process was killed after the write, before the record): it is set aside until a key it
 * wrote is read back, which tells whether the write happened.
 */
class PeerReplay {
  private state: RegisterPeerState;
  private batch: Batch | undefined;
  private limbo: Batch | undefined;
  private readonly kept = new Map<number, ReplayedStep[]>();
  private readonly boots: Located[] = [];

  constructor(
    private readonly logic: RegisterPeerLogic,
    private readonly id: PeerId,
    /** The store as the peer's writes left it: what a load must return. */
    private readonly saved: Map<string, AcceptorDurable>,
  ) {
    this.state = logic.start(0);
  }

  apply(at: Located): void {
    const r = at.record;
    if (r.kind === 'boot') this.reboot(at);
    else if (r.kind === 'load') this.load(at, r.key, r.durable);
    else if (r.kind === 'drop') this.drop(at, r.key);
    else if (r.kind === 'step') this.step(at, r);
    else this.commit(at, r.keys);
  }

  /** The saved steps, each life's rounds still running at its end cut short at the next boot. */
  steps(): ReplayedStep[] {
    return this.boots.flatMap((boot, i) => {
      const steps = this.kept.get(boot.record.boot) ?? [];
      const next = this.boots[i + 1];
      return next ? [...steps, ...cutShort(next, this.id, steps)] : steps;
    });
  }

  /**
   * A new life: the last one's unsaved batch waits to be told apart by what the store
   * returns, but for the steps whose messages had left before its write.
   */
  private reboot(at: Located): void {
    const batch = this.batch;
    if (batch) {
      const writes = new Map<string, AcceptorDurable>();
      for (const key of batch.changed) {
        const a = heldAcceptor(this.state, key);
        if (a) writes.set(key, a);
      }
      this.kept.get(batch.boot)?.push(...batch.steps.filter((s) => batch.early.has(s)));
      const rest = batch.steps.filter((s) => !batch.early.has(s));
      this.limbo = writes.size > 0 ? { ...batch, steps: rest, writes } : undefined;
    }
    this.boots.push(at);
    this.kept.set(at.record.boot, []);
    this.batch = undefined;
    this.state = this.logic.start(at.record.boot);
  }

  private load(at: Located, key: string, durable: AcceptorDurable | null): void {
    const expected = this.saved.get(key) ?? null;
    const written = this.limbo?.writes?.get(key);
    if (written && isDeepStrictEqual(durable, written)) this.keepLimbo();
    else if (!isDeepStrictEqual(durable, expected))
      throw new ServeViolation(
        'load-returns-saved',
        at,
        `key ${JSON.stringify(key)} read back as ${JSON.stringify(durable)}, last saved as ${JSON.stringify(expected)}`,
      );
    else if (written) this.limbo = undefined;
    this.state = this.logic.load(this.id, this.state, key, durable ?? undefined);
  }

  /** The write of a life's last batch happened after all: its steps count, their messages lost. */
  private keepLimbo(): void {
    const limbo = this.limbo as Batch;
    for (const [key, a] of limbo.writes ?? []) this.saved.set(key, a);
    // Among its early steps, kept at the reboot: in the order they were taken.
    this.kept.get(limbo.boot)?.push(...limbo.steps);
    this.kept.get(limbo.boot)?.sort((a, b) => a.at.record.seq - b.at.record.seq);
    this.limbo = undefined;
  }

  private drop(at: Located, key: string): void {
    if (!this.logic.idle(this.state, key))
      throw new ServeViolation(
        'drop-only-idle',
        at,
        `key ${JSON.stringify(key)} dropped with work under way`,
      );
    this.state = this.logic.drop(this.state, key);
  }

  private step(at: Located, r: Step): void {
    if (this.batch && this.batch.no !== r.batch)
      throw new ServeViolation('saved-before-next-batch', at, `batch ${this.batch.no} was never saved`);
    this.batch ??= { no: r.batch, boot: r.boot, changed: new Set(), steps: [], early: new Set() };
    const was = roundOf(this.state, r.key);
    const out = this.logic.step(this.id, this.state, inputOf(r));
    const diff = difference(r, out);
    if (diff) throw new ServeViolation('machines', at, `key ${JSON.stringify(r.key)}: ${diff}`);
    this.state = out.state;
    if (out.save) this.batch.changed.add(r.key);
    const msgId = (r.input as { msgId?: unknown }).msgId;
    const step: ReplayedStep = {
      at,
      peer: this.id,
      boot: r.boot,
      key: r.key,
      sent: r.sent,
      received: typeof msgId === 'string' ? msgId : null,
      ...roundsChanged(was, this.state, r.key, out.completed),
      acceptor: heldAcceptor(this.state, r.key),
    };
    this.batch.steps.push(step);
    // As the host decides: an accept to another peer, its key with nothing unwritten.
    const changed = this.batch.changed;
    if (out.sends.some((s) => s.to !== this.id && leavesBeforeWrite(s) && !changed.has(s.key)))
      this.batch.early.add(step);
  }

  private commit(at: Located, keys: Record<string, AcceptorDurable>): void {
    const batch = this.batch ?? {
      no: at.record.batch,
      boot: at.record.boot,
      changed: new Set<string>(),
      steps: [],
      early: new Set<ReplayedStep>(),
    };
    const expected: Record<string, AcceptorDurable> = {};
    for (const key of batch.changed) {
      const a = heldAcceptor(this.state, key);
      if (a) expected[key] = a;
    }
    if (!isDeepStrictEqual({ ...keys }, expected))
      throw new ServeViolation(
        'saved-what-changed',
        at,
        `saved ${JSON.stringify(keys)}, the batch changed ${JSON.stringify(expected)}`,
      );
    for (const [key, a] of Object.entries(keys)) this.saved.set(key, a);
    this.kept.get(at.record.boot)?.push(...batch.steps);
    this.batch = undefined;
  }
}

/** The rounds a life left running, each ended (the spec's Abandon) at the next life's boot. */
function cutShort(next: Located, peer: PeerId, steps: readonly ReplayedStep[]): ReplayedStep[] {
  const last = new Map<string, ReplayedStep>();
  for (const s of steps) last.set(s.key, s);
  return [...last.values()]
    .filter((s) => s.round !== undefined)
    .map((s) => ({
      at: next,
      peer,
      boot: next.record.boot,
      key: s.key,
      sent: [],
      received: null,
      ended: [{ answered: false, n: s.round?.n ?? 0 }],
      began: [],
      round: undefined,
      acceptor: undefined,
    }));
}

/** Orders a peer's records by life and number, refusing gaps: a record missing is a step unseen. */
function ordered(records: readonly Located[]): Located[] {
  const sorted = [...records].sort((a, b) => a.record.boot - b.record.boot || a.record.seq - b.record.seq);
  sorted.forEach((x, i) => {
    const prev = sorted[i - 1];
    const expected = prev && prev.record.boot === x.record.boot ? prev.record.seq + 1 : 0;
    if (x.record.seq !== expected || (expected === 0 && x.record.kind !== 'boot'))
      throw new ServeViolation(
        'records-in-order',
        x,
        `record ${x.record.seq} of boot ${x.record.boot} of ${x.record.peer}, expected ${expected === 0 ? 'its boot record' : `record ${expected}`}`,
      );
  });
  return sorted;
}

/** Every peer's saved steps, in each peer's order, replayed through the machines. */
export function replayPeers(
  logic: RegisterPeerLogic,
  byPeer: ReadonlyMap<PeerId, readonly Located[]>,
): ReplayedStep[][] {
  return [...byPeer].map(([id, records]) => {
    const replay = new PeerReplay(logic, id, new Map());
    for (const at of ordered(records)) replay.apply(at);
    return replay.steps();
  });
}

/** Every message received was sent to its receiver with its key by a saved batch; a receive without an id cannot be told. */
export function checkReceives(peers: readonly ReplayedStep[][]): string | undefined {
  const sent = new Map<string, { to: PeerId; key: string; message: Message }>();
  for (const steps of peers) for (const s of steps) for (const m of s.sent) sent.set(m.id, m);
  for (const steps of peers)
    for (const s of steps) {
      if (s.received === null) continue;
      const m = sent.get(s.received);
      const input = (s.at.record as Step).input as { message?: Message };
      if (!m || m.to !== s.peer || m.key !== s.key || !isDeepStrictEqual(m.message, input.message))
        throw new ServeViolation(
          'receive-matches-send',
          s.at,
          m
            ? `message ${s.received} was sent to peer ${m.to} with key ${JSON.stringify(m.key)}, received by peer ${s.peer} with key ${JSON.stringify(s.key)}`
            : `message ${s.received} was sent by no saved batch of any traced peer, nor before an unsaved one's write`,
        );
    }
  const untold = peers
    .flat()
    .find((s) => s.received === null && s.at.record.kind === 'step' && s.at.record.input.type === 'deliver');
  return untold
    ? `${untold.at.file}:${untold.at.line}: a message received without an id (was its sender traced?)`
    : undefined;
}
