/**
 * A real run from structured traces (`paxos peer --trace`, `paxos cluster --trace-dir`) as a
 * RunView, built from the records themselves: one row per record, in the order of paxos
 * trace's own merge (src/trace/structured.ts: every send before its receives, each peer's
 * order kept), with its crash settlement deciding which steps were never durable.
 *
 * Records carry what lab lines cannot: message ids (so a receive is paired with its send
 * exactly, a second receive of one id is a duplicate, and a send nobody received is lost),
 * incarnations (a new boot is a restart, so the process died in between), the timer that
 * fired and the timers armed, and each acceptor's durable state after every step. So
 * nothing here is inferred the way fromTrace.ts must infer it from lab lines.
 */
import { isAcceptance, type PeerId } from '../../machines/messages';
import { describeTimer } from '../../machines/timers';
import type { ClusterConfig } from '../config/cluster';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../peer/logLine';
import type { TraceResult } from '../trace/index';
import { describeRecord, type PlacedRecord } from '../trace/structured';
import { Acceptances } from '../world/chosen';
import { messageFields, shortName, toneOf } from './fromSim';
import { type ChosenMark, type RunView, type ViewEvent, type ViewMessage, viewPeers } from './runView';

export interface PlacedRun {
  records: PlacedRecord[];
  /** How many records, from the first, the merge placed; the rest follow in each peer's own order. */
  placed: number;
  warnings: string[];
}

const where = (p: PlacedRecord) => `${p.file}:${p.line}`;

/** What the records have drawn so far, and the indexes later phases look events up in. */
interface Drawing {
  cluster: ClusterConfig;
  host: (id: PeerId) => string;
  rows: string[];
  events: ViewEvent[];
  messages: ViewMessage[];
  down: NonNullable<RunView['down']>;
  chosen: ChosenMark[];
  mainEvent: Map<PlacedRecord, ViewEvent>;
  choseEvent: Map<PlacedRecord, ViewEvent>;
  crashRow: Map<PeerId, number>;
  voters: Acceptances;
  /** Message id -> the arrow of its send. */
  original: Map<string, ViewMessage>;
}

const addEvent = (d: Drawing, e: Omit<ViewEvent, 'id'>): ViewEvent => {
  const event = { id: d.events.length, ...e };
  d.events.push(event);
  return event;
};

export function viewOfStructured(
  cluster: ClusterConfig,
  run: PlacedRun,
  result: TraceResult | undefined,
  title: string,
): RunView {
  const host = (id: PeerId) => cluster.peers.find((p) => p.id === id)?.host ?? `peer${id}`;
  const { records } = run;

  // The last record of each incarnation, and the boot that follows it: the process died in between.
  const diedAfter = new Map<PlacedRecord, PlacedRecord>();
  const byPeer = new Map<PeerId, PlacedRecord[]>();
  for (const p of records) byPeer.set(p.record.id, [...(byPeer.get(p.record.id) ?? []), p]);
  for (const list of byPeer.values())
    list.forEach((p, i) => {
      if (i > 0 && p.record.input.kind === 'boot') diedAfter.set(list[i - 1] as PlacedRecord, p);
    });

  const d: Drawing = {
    cluster,
    host,
    rows: [],
    events: [],
    messages: [],
    down: [],
    chosen: [],
    mainEvent: new Map(),
    choseEvent: new Map(),
    crashRow: new Map(),
    voters: new Acceptances(cluster.groups),
    original: new Map(),
  };

  records.forEach((p, index) => {
    const r = p.record;
    const row = d.rows.length;
    const unplaced = index >= run.placed;
    const event = drawRecord(d, p, unplaced);
    drawSends(d, p, event, row, unplaced);
    if (r.chose)
      d.choseEvent.set(
        p,
        addEvent(d, {
          peer: r.id,
          row,
          kind: 'chose',
          label: `chose ${r.chose.value}`,
          detail: [formatLogLine(choseLine(r.id, r.chose)), where(p)],
          ...(p.setAside ? { neverDurable: true } : {}),
        }),
      );
    const reboot = diedAfter.get(p);
    if (reboot) drawCrash(d, p, reboot, byPeer.get(r.id) ?? []);
  });

  pairReceives(d, records);
  // Nothing says where or when a message nobody received was lost: a stub just below its
  // send says so without a line across the whole run.
  const last = Math.max(0, d.rows.length - 1);
  for (const m of d.messages)
    if (m.fate === 'lost') m.endRow = Math.min(last, (d.events[m.send]?.row ?? 0) + 1);

  const setAside = records.filter((p) => p.setAside).length;
  const view: RunView = {
    title,
    kind: 'real run',
    peers: viewPeers(cluster),
    rows: d.rows,
    events: d.events,
    messages: d.messages,
    chosen: d.chosen,
    ...(d.down.length > 0 ? { down: d.down } : {}),
    notes: [
      "structured traces, one row per record, in paxos trace's merge: every send above its receives (paired by message id), each peer's order kept",
      'a message no record received ends in a cross: lost, or still in flight when its receiver stopped',
      ...(setAside > 0
        ? [`${setAside} step(s) drawn faded were never durable: a crash interrupted their batch`]
        : []),
      ...(run.placed < records.length
        ? [`${records.length - run.placed} record(s) could not be placed; drawn at the end`]
        : []),
      ...run.warnings,
    ],
  };
  const failure = result?.failure;
  if (failure) {
    const broken = records.find((p) => where(p) === failure.at);
    const main = broken ? d.mainEvent.get(broken) : undefined;
    const chose = broken ? d.choseEvent.get(broken) : undefined;
    const event = chose && /chose/.test(`${failure.rule} ${failure.message}`) ? chose : main;
    view.violation = {
      ...(event ? { event: event.id } : {}),
      row: event ? event.row : last,
      rule: failure.rule,
      ruleText: failure.ruleText,
      message: failure.message,
    };
  }
  return view;
}

/** The record's row and the event of its input, with the timers it armed in the details. */
function drawRecord(d: Drawing, p: PlacedRecord, unplaced: boolean): ViewEvent {
  const { rows, down, crashRow, host } = d;
  const r = p.record;
  const row = rows.length;
  rows.push(
    `${describeRecord(r)}  (${where(p)})${p.setAside ? ' (never durable: a crash interrupted its batch)' : ''}${unplaced ? ' (not placed: it receives a message no placed step sent)' : ''}`,
  );
  const detail: string[] = [];
  const holdsAcceptor = (d.cluster.peers.find((x) => x.id === r.id)?.acceptor.length ?? 0) > 0;
  const acceptor = holdsAcceptor && r.durable.acceptor ? { ...r.durable.acceptor } : undefined;
  const base = {
    peer: r.id,
    row,
    detail,
    ...(acceptor ? { acceptor } : {}),
    ...(p.setAside ? { neverDurable: true } : {}),
  };
  const input = r.input;
  let event: ViewEvent;
  switch (input.kind) {
    case 'boot': {
      const restart = crashRow.has(r.id);
      detail.push(
        restart
          ? `restarted as incarnation ${r.boot}, from what stable storage held`
          : `process started (incarnation ${r.boot})`,
        `durable state: ${JSON.stringify(r.durable)}`,
      );
      event = addEvent(d, {
        ...base,
        kind: restart ? 'restart' : 'boot',
        label: restart ? 'restart' : 'boot',
      });
      if (restart) down.push({ peer: r.id, fromRow: crashRow.get(r.id) as number, toRow: row });
      crashRow.delete(r.id);
      break;
    }
    case 'receive':
      detail.push(
        input.from === r.id
          ? `received its own ${input.message.type} (${input.message.n})`
          : formatLogLine(receivedLine(input.message)),
        `message id ${input.id ?? '(none in the frame)'}`,
      );
      event = addEvent(d, { ...base, kind: 'receive', label: '' });
      break;
    case 'start':
      event = addEvent(d, { ...base, kind: 'start', label: `start ${input.value}` });
      break;
    case 'timeout':
      detail.push(
        `timer fired: ${input.timer ? describeTimer(input.timer) : 'unknown'} (proposer${input.group})`,
      );
      event = addEvent(d, {
        ...base,
        kind: 'timeout',
        label: `timeout p${input.group}${input.timer ? ` ${input.timer.kind}` : ''}`,
      });
      break;
  }
  for (const t of r.timers) detail.push(`arms timer ${describeTimer(t.timer)} (proposer${t.group})`);
  // Backoffs are what tells a duel apart from a slow network; round and announce timers
  // are armed on nearly every step and stay in the details, as in simulations.
  const backoffs = r.timers.flatMap((t) =>
    t.timer.kind === 'backoff' ? [`backoff #${t.timer.attempt}`] : [],
  );
  if (backoffs.length > 0) event.label = [event.label, ...backoffs].filter((x) => x !== '').join(' ');
  if (p.setAside)
    detail.push(
      'never durable: the process died before this batch was on stable storage, so nothing of it should have left',
    );
  detail.push(`${where(p)} (peer ${host(r.id)}, #${r.seq}, batch ${r.batch}, clock ${r.clock})`);
  d.mainEvent.set(p, event);
  return event;
}

/** An arrow for each message the record sent; a durable acceptance that completes a majority marks a choice. */
function drawSends(d: Drawing, p: PlacedRecord, event: ViewEvent, row: number, unplaced: boolean): void {
  const { messages, original, voters, chosen, host } = d;
  const r = p.record;
  const detail = event.detail;
  for (const s of r.sent) {
    if (s.to !== r.id) detail.push(formatLogLine(sentLine(r.id, s.message)));
    const m: ViewMessage = {
      id: messages.length,
      from: r.id,
      to: s.to,
      type: s.message.type,
      tone: toneOf(s.message),
      label: shortName(s.message),
      fields: {
        ...messageFields({ type: 'send', to: s.to, message: s.message }),
        id: s.id,
        sent: where(p),
        ...(p.setAside ? { durable: false } : {}),
      },
      send: event.id,
      fate: 'lost',
    };
    messages.push(m);
    if (!original.has(s.id)) original.set(s.id, m);
    if (!p.setAside && !unplaced && s.message.type === 'accept_ack' && isAcceptance(s.message)) {
      const ack = s.message;
      const value = ack.value ?? '';
      if (voters.add(ack.group, ack.from, ack.n, value))
        chosen.push({
          row,
          group: ack.group,
          n: ack.n,
          value,
          text: `${ack.value} chosen (n=${ack.n}): a majority of group ${ack.group}'s acceptors (${voters.votersOf(ack.group, ack.n, value).map(host).join(', ')}) accepted`,
        });
    }
  }
}

/** The row and event of the process that ended after `p`, the last record of its incarnation. */
function drawCrash(
  d: Drawing,
  p: PlacedRecord,
  reboot: PlacedRecord,
  peerRecords: readonly PlacedRecord[],
): void {
  const r = p.record;
  const crash = d.rows.length;
  const aside = peerRecords.filter((x) => x.setAside && x.record.boot === r.boot).length;
  d.rows.push(
    `${d.host(r.id)}: the process of incarnation ${r.boot} ended (killed or stopped)${aside > 0 ? `; its last batch (${aside} step${aside === 1 ? '' : 's'}) was never durable` : ''}`,
  );
  d.crashRow.set(r.id, crash);
  addEvent(d, {
    peer: r.id,
    row: crash,
    kind: 'crash',
    label: aside > 0 ? 'crash: last batch not durable' : 'crash',
    detail: [
      `incarnation ${r.boot} ended after ${where(p)}`,
      aside > 0
        ? `the next incarnation recovered the state before its last batch: ${aside} step(s) set aside`
        : JSON.stringify(reboot.record.durable) === JSON.stringify(r.durable)
          ? 'the next incarnation recovered the state after its last step'
          : `the next incarnation recovered ${JSON.stringify(reboot.record.durable)}, a state this incarnation never reached`,
    ],
  });
}

/** Receives are paired by id once every send is known: an unplaced receive may come before its send. */
function pairReceives(d: Drawing, records: readonly PlacedRecord[]): void {
  const { messages } = d;
  for (const p of records) {
    const input = p.record.input;
    if (input.kind !== 'receive') continue;
    const receive = d.mainEvent.get(p) as ViewEvent;
    const m = input.id === null ? undefined : d.original.get(input.id);
    if (!m) {
      receive.detail.push(
        input.id === null
          ? 'the frame carried no id, so no send can be paired with it'
          : `no trace shows ${input.id} being sent (a peer without --trace?)`,
      );
      continue;
    }
    if (m.receive === undefined) {
      m.receive = receive.id;
      m.fate = 'delivered';
      continue;
    }
    messages.push({ ...m, id: messages.length, receive: receive.id, duplicate: { row: receive.row } });
  }
}
