/**
 * Counterexamples as people read them: each step prints as the lab's log lines of the peer
 * that took it; the last one shows the acceptors, the chose lines, the network and what broke.
 */

import { choseLine, formatLogLine, receivedLine, sentLine } from '../../peer/logLine';
import { type Action, describeAction, describeSend } from '../../world/action';
import type { Breach } from '../model';
import type { TraceStep } from '../result';
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
} from './packedWorld';
import type { LocalStep } from './peerTable';

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
  if (!s) return { action: 'Init', state };
  const step = actionOfStep(world, s.code);
  return { action: describeAction(world.options.cluster, step), step, state };
}

const host = (world: WorldModel, id: number) =>
  world.options.cluster.peers.find((p) => p.id === id)?.host ?? `peer${id}`;

/** A step's code as the reference world's action. */
export function actionOfStep(world: WorldModel, code: number): Action {
  const id = world.slots[stepSlot(code)] as number;
  const arg = stepArg(code);
  switch (stepKind(code)) {
    case DELIVER:
      return { kind: 'deliver', send: world.peers.send(arg) };
    case DROP:
      return { kind: 'drop', send: world.peers.send(arg) };
    case DUP:
      return { kind: 'duplicate', send: world.peers.send(arg) };
    case CRASH:
      return { kind: 'restart', peer: id };
    case START:
      return { kind: 'start', group: arg, value: world.options.values[arg] as string };
    case TIMEOUT:
      return { kind: 'timeout', group: arg };
    default:
      throw new Error(`internal error: no step of code ${code}`);
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
      ? messages.map((m) => describeSend(world.options.cluster, world.peers.send(m)))
      : messages.length,
  };
}
