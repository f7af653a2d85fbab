/**
 * A real run (the lab's lines, per peer or from `docker compose`) as a RunView, placed by
 * paxos trace's own happens-before search: rows follow its canonical interleaving, and what
 * each ack meant (promise or refusal, acceptance or rejection) is its reading, not a second
 * one made here.
 *
 * Lab lines do not say where a sent line went. A received line is drawn from a sent line
 * the search allows it to deliver (same sender and content, not caused by the receive),
 * preferring one no other receive took and one placed above it, so a one-line-per-destination
 * log pairs up exactly and arrows point down the page.
 */
import { at, type ObservedRun, type TraceEvent } from '../trace/events';
import type { TraceResult } from '../trace/index';
import { candidates, schedule } from '../trace/interleave';
import { type AckMeaning, analyze } from '../trace/rules';
import { Acceptances } from '../world/chosen';
import {
  type AcceptorState,
  type ChosenMark,
  type RunView,
  type Tone,
  type ViewEvent,
  type ViewMessage,
  viewPeers,
} from './runView';

const toneOf = (e: TraceEvent, meaning: AckMeaning | undefined): Tone => {
  if (e.type === 'chose') return 'decision';
  if (e.type === 'prepare' || e.type === 'accept') return 'request';
  if (!meaning) return 'request';
  return meaning.kind === 'promise' || meaning.kind === 'acceptance' ? 'yes' : 'no';
};

const labelOf = (e: TraceEvent, meaning: AckMeaning | undefined): string => {
  const v = e.value === '' ? '' : ` ${e.value}`;
  switch (e.type) {
    case 'prepare':
      return `prepare ${e.num}`;
    case 'accept':
      return `accept ${e.num}${v}`;
    case 'chose':
      return `chose ${e.num}${v}`;
    case 'prepare_ack':
      if (meaning?.kind === 'refusal') return `refuse ${meaning.n}`;
      return `promise ${meaning?.n ?? '?'}${e.value === '' ? '' : ` (${e.num}, ${e.value})`}`;
    case 'accept_ack':
      if (meaning?.kind === 'rejection') return `reject ${meaning.n} (min ${e.num})`;
      return `accepted ${e.num}${v}`;
  }
};

export function viewOfObservedRun(run: ObservedRun, result: TraceResult | undefined, title: string): RunView {
  const s = schedule(run);
  const { acks } = analyze(run, s, { expectDecided: false });
  const ev = (id: number) => run.events[id] as TraceEvent;
  const host = (peer: number) => run.cluster.peers[peer - 1]?.host ?? `peer ${peer}`;
  const placed = [...s.order];
  const unplaced = run.events.map((e) => e.id).filter((id) => (s.position[id] as number) < 0);
  const rowOf = new Map<number, number>();
  for (const [row, id] of [...placed, ...unplaced].entries()) rowOf.set(id, row);
  const rows = [...placed, ...unplaced].map((id) => {
    const e = ev(id);
    return `${host(e.peer)} ${e.text}  (${at(e)})${(s.position[id] as number) < 0 ? ' (not placed: nothing explains it)' : ''}`;
  });

  const { events, eventOf } = drawEvents(run, [...placed, ...unplaced], acks, rowOf);

  const { messages, messageOfSend } = sendArrows(run, placed, acks, eventOf, rows.length - 1);
  const pos = (id: number) => s.position[id] as number;
  for (const id of placed) {
    const e = ev(id);
    if (e.action !== 'received') continue;
    const options = candidates(run, s, id).filter((c) => messageOfSend.has(c));
    const above = options.filter((c) => pos(c) < pos(id));
    const free = above.find((c) => (messageOfSend.get(c) as ViewMessage).receive === undefined);
    const send = free ?? s.matched.get(id) ?? above[0];
    if (send === undefined) continue;
    const original = messageOfSend.get(send) as ViewMessage;
    const receive = (eventOf.get(id) as ViewEvent).id;
    if (original.receive === undefined) {
      original.to = e.peer;
      original.receive = receive;
      original.fate = 'delivered';
      delete original.endRow;
      continue;
    }
    messages.push({
      ...original,
      id: messages.length,
      to: e.peer,
      receive,
      fate: 'delivered',
      duplicate: { row: rowOf.get(id) as number },
    });
  }

  const chosen = chosenMarks(run, placed, acks, rowOf);

  const view: RunView = {
    title,
    kind: 'real run',
    peers: viewPeers(run.cluster),
    rows,
    events,
    messages,
    chosen,
    notes: [
      "placed by paxos trace's happens-before search: order is known only within one peer",
      ...(run.events.some((e) => e.msgId !== undefined)
        ? []
        : ['lab lines name no destination: each received line is drawn from a sent line it can deliver']),
      ...(unplaced.length > 0 ? [`${unplaced.length} line(s) could not be placed; drawn at the end`] : []),
    ],
  };
  const failure = result?.failure;
  if (failure) {
    const broken = run.events.find((e) => at(e) === failure.at);
    const event = broken ? eventOf.get(broken.id) : undefined;
    view.violation = {
      ...(event ? { event: event.id } : {}),
      row: event ? event.row : Math.max(0, rows.length - 1),
      rule: failure.rule,
      ruleText: failure.ruleText,
      message: failure.message,
    };
  }
  return view;
}

type Acks = ReturnType<typeof analyze>['acks'];

/** An event per line, in `order`; an acceptor's state follows what its answers mean. */
function drawEvents(
  run: ObservedRun,
  order: readonly number[],
  acks: Acks,
  rowOf: ReadonlyMap<number, number>,
): { events: ViewEvent[]; eventOf: Map<number, ViewEvent> } {
  const ev = (id: number) => run.events[id] as TraceEvent;
  const isAcceptor = (peer: number) => (run.cluster.peers[peer - 1]?.acceptor.length ?? 0) > 0;
  const states = new Map<number, AcceptorState>();
  const events: ViewEvent[] = [];
  const eventOf = new Map<number, ViewEvent>();
  for (const id of order) {
    const e = ev(id);
    const meaning = acks.get(id);
    let acceptor: AcceptorState | undefined;
    if (isAcceptor(e.peer)) {
      const before = states.get(e.peer) ?? { minProposal: 0, acceptedProposal: 0, acceptedValue: null };
      acceptor =
        meaning?.kind === 'promise'
          ? { ...before, minProposal: meaning.n }
          : meaning?.kind === 'acceptance'
            ? { minProposal: meaning.n, acceptedProposal: meaning.n, acceptedValue: meaning.value ?? null }
            : before;
      states.set(e.peer, acceptor);
    }
    const view: ViewEvent = {
      id: events.length,
      peer: e.peer,
      row: rowOf.get(id) as number,
      kind: e.action === 'sent' ? 'send' : e.action === 'received' ? 'receive' : 'chose',
      label: e.action === 'chose' ? `chose ${e.value}` : '',
      detail: [e.text, at(e), ...(meaning ? [`meaning: ${meaning.kind} of ${meaning.n}`] : [])],
      ...(acceptor ? { acceptor } : {}),
    };
    events.push(view);
    eventOf.set(id, view);
  }
  return { events, eventOf };
}

/** The moment a majority of a group's acceptors had accepted one proposal, in the canonical order. */
function chosenMarks(
  run: ObservedRun,
  placed: readonly number[],
  acks: Acks,
  rowOf: ReadonlyMap<number, number>,
): ChosenMark[] {
  const ev = (id: number) => run.events[id] as TraceEvent;
  const host = (peer: number) => run.cluster.peers[peer - 1]?.host ?? `peer ${peer}`;
  const chosen: ChosenMark[] = [];
  const tally = new Acceptances(run.cluster.groups);
  const ownerOf = new Map<number, number>();
  for (const id of placed) {
    const e = ev(id);
    if (e.action === 'sent' && (e.type === 'prepare' || e.type === 'accept') && !ownerOf.has(e.num))
      ownerOf.set(e.num, e.peer);
    const meaning = acks.get(id);
    if (meaning?.kind !== 'acceptance') continue;
    // A log line names no group: the acceptance counts for the groups of the number's proposer.
    const owner = ownerOf.get(meaning.n);
    for (const g of run.cluster.groups) {
      if (g.proposer !== owner) continue;
      const value = meaning.value ?? '';
      if (!tally.add(g.id, e.peer, meaning.n, value)) continue;
      const voters = tally.votersOf(g.id, meaning.n, value);
      chosen.push({
        row: rowOf.get(id) as number,
        group: g.id,
        n: meaning.n,
        value,
        text: `${meaning.value} chosen (n=${meaning.n}): a majority of group ${g.id}'s acceptors (${voters.map(host).join(', ')}) accepted`,
      });
    }
  }
  return chosen;
}

/** An arrow per sent line, to no one yet: receives are paired with them afterwards. */
function sendArrows(
  run: ObservedRun,
  placed: readonly number[],
  acks: Acks,
  eventOf: ReadonlyMap<number, ViewEvent>,
  lastRow: number,
): { messages: ViewMessage[]; messageOfSend: Map<number, ViewMessage> } {
  const ev = (id: number) => run.events[id] as TraceEvent;
  const messages: ViewMessage[] = [];
  const messageOfSend = new Map<number, ViewMessage>();
  for (const id of placed) {
    const e = ev(id);
    if (e.action !== 'sent') continue;
    const meaning = acks.get(id);
    const m: ViewMessage = {
      id: messages.length,
      from: e.from,
      to: null,
      type: e.type,
      tone: toneOf(e, meaning),
      label: labelOf(e, meaning),
      fields: {
        type: e.type,
        from: e.from,
        value: e.value,
        proposal_num: e.num,
        line: e.text,
        at: at(e),
        ...(meaning ? { meaning: meaning.kind, answers: meaning.n } : {}),
      },
      send: (eventOf.get(id) as ViewEvent).id,
      fate: 'unmatched',
      endRow: lastRow,
    };
    messages.push(m);
    messageOfSend.set(id, m);
  }
  return { messages, messageOfSend };
}
