/**
 * Counterexamples: the parent pointers give the shortest path of stored (possibly
 * canonical) worlds; replaying it from the real initial world, step by step, recovers real
 * steps whose successors have those keys, and each step prints as the lab's log lines of
 * the peer that took it.
 */
import type { Message, Send } from '../../../machines/messages';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../../peer/logLine';
import type { TraceStep } from '../result';
import type { Breach } from './invariants';
import type { LocalStep } from './peerTable';
import { checkStep, type SearchContext } from './stepChecks';
import {
  CRASH,
  DELIVER,
  DROP,
  DUP,
  START,
  stepArg,
  stepKind,
  stepSlot,
  TIMEOUT,
  type WorldModel,
} from './world';

/** Where the search stopped: a stored world that breaks an invariant, or a step that does. */
export type BreachAt =
  | { kind: 'world'; index: number; breach: Breach }
  | { kind: 'step'; parent: number; breach: Breach };

interface ReplayedStep {
  code: number;
  before: Int32Array;
  after: Int32Array;
  local: LocalStep | null;
}

export function buildTrace(ctx: SearchContext, at: BreachAt): TraceStep[] {
  const { store, world, canon } = ctx;
  const chain: number[] = [];
  for (let i = at.kind === 'world' ? at.index : at.parent; i >= 0; i = store.parent(i)) chain.push(i);
  chain.reverse();

  const scratch = new Int32Array(1 << 16);
  const canonical = new Int32Array(1 << 16);
  const target = new Int32Array(1 << 16);
  let real: Int32Array = scratch.slice(0, world.initial(scratch));
  const initial = real;
  const steps: ReplayedStep[] = [];

  const keyOf = (out: Int32Array, n: number) =>
    canon ? canonical.subarray(0, canon.canonical(out, n, canonical)) : out.subarray(0, n);
  const sameKey = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((x, i) => x === b[i]);

  for (const index of chain.slice(1)) {
    const want = target.subarray(0, store.read(index, target));
    const storedCode = store.step(index);
    let found: ReplayedStep | null = null;
    world.successors(real, real.length, scratch, (code, out, n, local) => {
      if (!sameKey(keyOf(out, n), want)) return false;
      const candidate = { code, before: real, after: out.slice(0, n), local };
      if (!found || code === storedCode) found = candidate;
      return code === storedCode;
    });
    if (!found) throw new Error('internal error: a stored path cannot be replayed');
    steps.push(found);
    real = (found as ReplayedStep).after;
  }
  // Under symmetry the stored path may be a renaming of the real one: describe the real breach.
  let detail = at.breach.detail;
  if (at.kind === 'world') {
    const facts = world.slots.map((_, slot) => world.peers.fact(real[slot] as number));
    detail = ctx.invariants.checkWorld(facts, real[world.history] as number)?.detail ?? detail;
  } else {
    let found: ReplayedStep | null = null;
    world.successors(real, real.length, scratch, (code, out, n, local) => {
      const after = out.slice(0, n);
      const breach = checkStep(ctx, real, code, after, local);
      if (breach?.invariant !== at.breach.invariant) return false;
      found = { code, before: real, after, local };
      detail = breach.detail;
      return true;
    });
    if (!found) throw new Error('internal error: the breaching step cannot be replayed');
    steps.push(found);
  }

  const trace: TraceStep[] = [{ action: 'Init', state: summary(world, initial, steps.length === 0) }];
  steps.forEach((s, i) => {
    const last = i === steps.length - 1;
    trace.push({
      action: describeStep(world, s),
      state: { ...printed(world, s), ...summary(world, s.after, last) },
    });
  });
  const final = trace[trace.length - 1] as TraceStep;
  final.state = { ...(final.state as object), violation: detail };
  return trace;
}

const host = (world: WorldModel, id: number) =>
  world.options.cluster.peers.find((p) => p.id === id)?.host ?? `peer${id}`;

export function describeSend(world: WorldModel, send: Send): string {
  const m: Message = send.message;
  const head = `${m.type} ${host(world, m.from)}->${host(world, send.to)} n=${m.n}`;
  switch (m.type) {
    case 'prepare':
      return head;
    case 'prepare_ack':
      return `${head} ${m.promised ? 'promised' : `refused minProposal=${m.minProposal}`} accepted=${m.acceptedProposal}:${m.acceptedValue ?? '-'}`;
    case 'accept':
    case 'chose':
      return `${head} value=${m.value}`;
    case 'accept_ack':
      return `${head} minProposal=${m.minProposal} value=${m.value ?? '-'}`;
  }
}

function describeStep(world: WorldModel, s: ReplayedStep): string {
  const slot = stepSlot(s.code);
  const id = world.slots[slot] as number;
  const arg = stepArg(s.code);
  switch (stepKind(s.code)) {
    case DELIVER:
      return `deliver ${describeSend(world, world.peers.send(arg))}`;
    case DROP:
      return `drop ${describeSend(world, world.peers.send(arg))}`;
    case DUP:
      return `duplicate ${describeSend(world, world.peers.send(arg))}`;
    case CRASH:
      return `crash and restart ${host(world, id)} from stable storage`;
    case START:
      return `START ${host(world, id)} proposer${arg} with ${world.options.values[arg]}`;
    case TIMEOUT:
      return `TIMEOUT ${host(world, id)} proposer${arg}`;
    default:
      return `step ${s.code}`;
  }
}

/** The log lines the acting peer prints on this step, in the lab's format. */
function printed(world: WorldModel, s: ReplayedStep): { peer?: string; lines: string[] } {
  if (!s.local) return { lines: [] };
  const id = world.slots[stepSlot(s.code)] as number;
  const lines: string[] = [];
  if (stepKind(s.code) === DELIVER)
    lines.push(formatLogLine(receivedLine(world.peers.send(stepArg(s.code)).message)));
  for (const m of s.local.sends) lines.push(formatLogLine(sentLine(id, world.peers.send(m).message)));
  if (s.local.learned) lines.push(formatLogLine(choseLine(id, s.local.learned)));
  return { peer: host(world, id), lines };
}

/** What a reader needs to follow the trace: acceptors' stable state, chose lines, network. */
function summary(world: WorldModel, key: Int32Array, full: boolean): Record<string, unknown> {
  const acceptors: Record<string, unknown> = {};
  const chose: Record<string, unknown> = {};
  world.slots.forEach((id, slot) => {
    const f = world.peers.fact(key[slot] as number);
    if (f.acceptor) acceptors[host(world, id)] = f.acceptor;
    if (f.learned) chose[host(world, id)] = f.learned;
  });
  const messages = world.messages(key, key.length);
  // On the set network the messages are every message sent (that can still matter).
  return {
    acceptors,
    chose,
    [world.options.network === 'set' ? 'sent' : 'inFlight']: full
      ? messages.map((m) => describeSend(world, world.peers.send(m)))
      : messages.length,
  };
}
