/**
 * A simulator run as a RunView. The steps are replayed through the simulator itself (not
 * read off a finished run) because the picture needs each acceptor's stable state after
 * each of its steps, and a copy of the network's in-flight list to know which message each
 * deliver, drop or duplicate took.
 */
import { isAcceptance, type Message, type PeerId, type Send } from '../../machines/messages';
import { describeTimer } from '../../machines/timers';
import type { ClusterConfig } from '../config/cluster';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../peer/logLine';
import { createPeerLogic } from '../peer/node';
import { groundTruth } from '../sim/groundTruth';
import { describeMessage, describeStep } from '../sim/runText';
import { isMessageAction } from '../world/action';
import {
  type Applied,
  createSimulator,
  messageIndex,
  type SimStep,
  type Simulator,
  type World,
} from '../world/world';
import {
  type AcceptorState,
  type RunKind,
  type RunView,
  type Tone,
  type ViewEvent,
  type ViewMessage,
  viewPeers,
} from './runView';

export function toneOf(m: Message): Tone {
  switch (m.type) {
    case 'prepare':
    case 'accept':
      return 'request';
    case 'prepare_ack':
      return m.promised ? 'yes' : 'no';
    case 'accept_ack':
      return isAcceptance(m) ? 'yes' : 'no';
    case 'chose':
      return 'decision';
  }
}

export function messageFields(send: Send): ViewMessage['fields'] {
  const { type, from, ...rest } = send.message;
  return { type, from, to: send.to, ...rest };
}

/** A message in a few words, for its arrow. */
export const shortName = (m: Message): string => {
  switch (m.type) {
    case 'prepare':
      return `prepare ${m.n}`;
    case 'prepare_ack':
      return m.promised
        ? `promise ${m.n}${m.acceptedProposal > 0 ? ` (${m.acceptedProposal}, ${m.acceptedValue})` : ''}`
        : `refuse ${m.n} (min ${m.minProposal})`;
    case 'accept':
      return `accept ${m.n} ${m.value}`;
    case 'accept_ack':
      return isAcceptance(m) ? `accepted ${m.n} ${m.value}` : `reject ${m.n} (min ${m.minProposal})`;
    case 'chose':
      return `chose ${m.n} ${m.value}`;
  }
};

export interface SimViewOptions {
  title: string;
  kind?: RunKind;
  /** Called after each step with the world after it (the checker's replay compares its own account). */
  onStep?: (index: number, applied: Applied, world: World, sim: Simulator) => void;
}

/** Replays `steps` from the initial world of `cluster` and draws what happened. */
export function viewOfSimulation(
  cluster: ClusterConfig,
  steps: readonly SimStep[],
  options: SimViewOptions,
): RunView {
  const sim = createSimulator(createPeerLogic(cluster));
  const world = sim.initial();
  const truth = groundTruth(cluster);
  const host = (id: PeerId) => cluster.peers.find((p) => p.id === id)?.host ?? `peer${id}`;
  const acceptorOf = (id: PeerId): AcceptorState | undefined => {
    const a = sim.durableOf(world, id).acceptor;
    return a ? { ...a } : undefined;
  };

  const d: SimDrawing = {
    host,
    events: [],
    messages: [],
    rows: [],
    chosen: [],
    inFlight: [],
    voters: new Map(),
  };
  const { rows, messages, inFlight } = d;

  steps.forEach((step, index) => {
    const row = rows.length;
    const at = isMessageAction(step) ? messageIndex(world, step) : -1;
    const taken = at >= 0 ? (inFlight[at] as number) : undefined;
    const a = sim.apply(world, step);
    const m = a.message;
    rows.push(
      m
        ? `${step.kind} ${describeMessage(m.message)} ${host(m.message.from)} -> ${host(m.to)}${a.handled ? '' : ' (no effect)'}`
        : `${describeStep(step)}${a.handled ? '' : ' (no effect)'}`,
    );
    if (!drawStep(d, { step, applied: a, row, at, taken }, acceptorOf)) return;
    markChosen(d, a, truth.observe(a.sends), row);
    options.onStep?.(index, a, world, sim);
  });
  for (const id of inFlight) {
    const m = messages[id] as ViewMessage;
    m.endRow = rows.length - 1;
  }
  return {
    title: options.title,
    kind: options.kind ?? 'simulation',
    peers: viewPeers(cluster),
    rows,
    events: d.events,
    messages,
    chosen: d.chosen,
    notes: [],
  };
}

/** What the steps have drawn so far. */
interface SimDrawing {
  host: (id: PeerId) => string;
  events: ViewEvent[];
  messages: ViewMessage[];
  rows: string[];
  chosen: RunView['chosen'];
  /** Parallel to world.inFlight: which ViewMessage each in-flight copy is. */
  inFlight: number[];
  /** Acceptors that sent an acceptance, by `group n value`: who made a value chosen. */
  voters: Map<string, Set<PeerId>>;
}

const addSimEvent = (d: SimDrawing, e: Omit<ViewEvent, 'id'>): ViewEvent => {
  const event = { id: d.events.length, ...e };
  d.events.push(event);
  return event;
};

const addSimMessage = (
  d: SimDrawing,
  send: Send,
  from: number,
  duplicateOf?: ViewMessage,
  row?: number,
): ViewMessage => {
  const m: ViewMessage = {
    id: d.messages.length,
    from: send.message.from,
    to: send.to,
    type: send.message.type,
    tone: toneOf(send.message),
    label: shortName(send.message),
    fields: messageFields(send),
    send: from,
    fate: 'in-flight',
    ...(duplicateOf && row !== undefined ? { duplicate: { row } } : {}),
  };
  d.messages.push(m);
  return m;
};

/**
 * The step's event, arrows and fates: `taken` is the in-flight copy at position `at` that
 * the step took, if any. False for a step that draws nothing (and marks no choice).
 */
function drawStep(
  d: SimDrawing,
  stepAt: { step: SimStep; applied: Applied; row: number; at: number; taken: number | undefined },
  acceptorOf: (id: PeerId) => AcceptorState | undefined,
): boolean {
  const { messages, inFlight } = d;
  const { step, applied: a, row, at, taken } = stepAt;
  const m = a.message;
  if (step.kind === 'duplicate' && taken !== undefined && m) {
    const original = messages[taken] as ViewMessage;
    const copy = addSimMessage(d, m, original.send, original, row);
    inFlight.push(copy.id);
  } else if (step.kind === 'drop' && taken !== undefined) {
    inFlight.splice(at, 1);
    const lost = messages[taken] as ViewMessage;
    lost.fate = 'lost';
    lost.endRow = row;
  } else if (a.peer !== undefined) {
    const detail: string[] = [];
    let event: ViewEvent;
    const acceptor = acceptorOf(a.peer);
    const base = { peer: a.peer, row, ...(acceptor ? { acceptor } : {}) };
    if (step.kind === 'deliver' && m && taken !== undefined) {
      inFlight.splice(at, 1);
      detail.push(formatLogLine(receivedLine(m.message)));
      event = addSimEvent(d, {
        ...base,
        kind: 'receive',
        label: a.handled ? '' : 'ignored',
        detail,
      });
      const received = messages[taken] as ViewMessage;
      received.fate = 'delivered';
      received.receive = event.id;
    } else if (step.kind === 'restart') {
      event = addSimEvent(d, {
        ...base,
        kind: 'restart',
        label: 'crash, restart',
        detail: ['crashed; restarted from stable storage (volatile state lost, mail kept in flight)'],
      });
    } else if (step.kind === 'timeout') {
      event = addSimEvent(d, {
        ...base,
        kind: 'timeout',
        label: a.handled ? `timeout p${step.group}` : 'timeout (none armed)',
        detail,
      });
    } else if (step.kind === 'start') {
      event = addSimEvent(d, { ...base, kind: 'start', label: `start ${step.value}`, detail });
    } else return false;
    for (const t of a.timers) detail.push(`arms timer ${describeTimer(t.timer)} (proposer${t.group})`);
    // Backoffs are what tells a duel apart from a slow network; round and announce timers
    // are armed on nearly every step and stay in the details.
    const backoffs = a.timers.filter((t) => t.timer.kind === 'backoff');
    if (backoffs.length > 0)
      event.label = [
        event.label,
        ...backoffs.map((t) => `backoff #${t.timer.kind === 'backoff' ? t.timer.attempt : 0}`),
      ]
        .filter((x) => x !== '')
        .join(' ');
    for (const s of a.sends) {
      detail.push(formatLogLine(sentLine(a.peer, s.message)));
      inFlight.push(addSimMessage(d, s, event.id).id);
    }
    if (a.learned) {
      addSimEvent(d, {
        peer: a.peer,
        row,
        kind: 'chose',
        label: `chose ${a.learned.value}`,
        detail: [formatLogLine(choseLine(a.peer, a.learned))],
      });
    }
  }
  return true;
}

/** The acceptances the step sent, and the choices they completed, as chosen marks. */
function markChosen(
  d: SimDrawing,
  a: Applied,
  choices: ReturnType<ReturnType<typeof groundTruth>['observe']>,
  row: number,
): void {
  const { voters, host } = d;
  for (const s of a.sends) {
    const ack = s.message;
    if (ack.type !== 'accept_ack' || !isAcceptance(ack)) continue;
    const key = `${ack.group} ${ack.n} ${ack.value}`;
    voters.set(key, new Set([...(voters.get(key) ?? []), ack.from]));
  }
  for (const c of choices) {
    const who = [...(voters.get(`${c.group} ${c.n} ${c.value}`) ?? [])].map(host).join(', ');
    d.chosen.push({
      row,
      group: c.group,
      n: c.n,
      value: c.value,
      text: `${c.value} chosen (n=${c.n}): a majority of group ${c.group}'s acceptors (${who}) accepted`,
    });
  }
}
