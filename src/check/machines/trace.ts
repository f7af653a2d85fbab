/**
 * Counterexamples as people read them: each step prints as the lab's log lines of the peer
 * that took it; the last one shows the acceptors, the chose lines, the network and what broke.
 */
import type { Message, Send } from '../../../machines/messages';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../../peer/logLine';
import type { Breach } from '../model';
import type { TraceStep } from '../result';
import type { LocalStep } from './peerTable';
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

/** One step as a trace prints it: the step taken and the world it led to. */
export interface ReplayedStep {
  code: number;
  after: Int32Array;
  local: LocalStep | null;
}

/** The trace entry of a step (null: the initial world); with the breach on the last one. */
export function traceStep(
  world: WorldModel,
  s: ReplayedStep | null,
  key: Int32Array,
  breach: Breach | null,
): TraceStep {
  const state: Record<string, unknown> = s
    ? { ...printed(world, s), ...summary(world, key, breach !== null) }
    : summary(world, key, breach !== null);
  if (breach) state.violation = breach.detail;
  return { action: s ? describeStep(world, s) : 'Init', state };
}

const host = (world: WorldModel, id: number) =>
  world.options.cluster.peers.find((p) => p.id === id)?.host ?? `peer${id}`;

function describeSend(world: WorldModel, send: Send): string {
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
