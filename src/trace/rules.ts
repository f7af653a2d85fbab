/**
 * The rules a reader of the lab expects of a run, checked against what each peer can have
 * known: its own earlier lines and, through candidate matches (interleave.ts), what the
 * lines it received carried. What an acceptor's ack meant is read off the acceptor's own
 * sequence (`replayAcceptor`), because the line alone does not say which request it
 * answers. Choices are explained in src/trace/README.md.
 */
import { majority } from '../../machines/messages';
import type { GroupConfig } from '../config/cluster';
import { Acceptances } from '../world/chosen';
import { at, type ObservedRun, type TraceEvent } from './events';
import {
  type Alternative,
  candidates,
  type Edge,
  executed,
  extraEdges,
  type Obligation,
  type Schedule,
} from './interleave';

export type RuleId =
  | 'receive-matches-send'
  | 'roles'
  | 'ack-answers-request'
  | 'prepare-ack-reports-accepted'
  | 'accept-above-promise'
  | 'accept-ack-explained'
  | 'unique-proposal-numbers'
  | 'one-value-per-proposal'
  | 'accept-after-promises'
  | 'accept-value'
  | 'chose-once'
  | 'chose-known'
  | 'chose-message-known'
  | 'one-value'
  | 'one-interleaving'
  | 'expect-decided'
  | 'durable-recovered'
  | 'happens-before'
  | 'machines'
  | 'refinement'
  | 'invariant';

export const RULES: Record<RuleId, string> = {
  'receive-matches-send':
    'every received line matches an earlier sent line of the same sender, type, value, number',
  roles: 'only proposers send prepare and accept, only acceptors answer them',
  'ack-answers-request': 'an acceptor answers only requests it received',
  'prepare-ack-reports-accepted': 'a prepare_ack reports what that acceptor last accepted',
  'accept-above-promise': 'acceptors never accept below their promise',
  'accept-ack-explained':
    'an accept_ack is an acceptance of a received accept or a rejection by a higher promise',
  'unique-proposal-numbers': 'proposal numbers are unique to one proposer',
  'one-value-per-proposal': 'one proposal number carries one value',
  'accept-after-promises':
    "a proposer sends accept(n, v) only after promises for n from a majority of its group's acceptors",
  'accept-value': 'v is the value of the highest accepted proposal the promises report (free if none)',
  'chose-once': 'a peer prints chose at most once',
  'chose-known':
    "a peer prints chose only when it can know that a majority of a group's acceptors accepted that proposal",
  'chose-message-known': 'a peer sends a chose message only when it can know the proposal was chosen',
  'one-value': 'at most one value is chosen',
  'one-interleaving': 'one interleaving explains all the checks at once',
  'expect-decided': 'every peer that takes part prints chose (--expect-decided)',
  'durable-recovered':
    'a restarted peer recovers the state after its last batch, or the one before it if that batch was never synced',
  'happens-before':
    'every message received was sent, in a step whose state was durable, before it was received',
  machines: 'every step is what the statecharts do with that input (messages, timers, chose, durable state)',
  refinement: 'every step is one action of the spec (Prepare, PrepareAck, Accept, AcceptAck) or a stutter',
  invariant: "the spec's invariants (TypeOK, Agreement, Validity, Inv) hold in every state",
};

interface Related {
  event: number;
  note: string;
}

export interface Violation {
  /** The line that cannot be explained; undefined for a peer that printed too little. */
  event?: number;
  /** Without an event: the peer's input, for file names in reports. */
  peer?: number;
  rule: RuleId;
  message: string;
  related: Related[];
}

interface Vote {
  n: number;
  v: string;
  at: number;
}

/** What an acceptor's prepare_ack meant, from the acceptor's own sequence. */
interface PrepareAckMeaning {
  answers: number;
  n: number;
  to: number;
  promise: boolean;
  vote: Vote | null;
  /** The promise in force before it, for explanations. */
  before: { n: number; at: number | undefined };
}

interface AcceptAckMeaning {
  answers: number;
  acceptance: { n: number; v: string } | null;
  /** A new (acceptor, n, v) vote: a spec AcceptAck, not a repeat. */
  fresh: boolean;
}

/** What an ack line meant, read off its acceptor's sequence (exported for pictures of runs). */
export interface AckMeaning {
  kind: 'promise' | 'refusal' | 'acceptance' | 'rejection';
  /** The request it answers: a received prepare or accept line. */
  answers: number;
  /** The request's proposal number. */
  n: number;
  /** An acceptance: the value accepted. */
  value?: string;
}

export interface Analysis {
  violations: Violation[];
  /** Forms the lab allows but does not fix, read one way (e.g. how "nothing accepted" is spelled). */
  warnings: string[];
  obligations: Obligation[];
  specActions: number;
  chosen: { value: string; n: number }[];
  /** Ack line id -> what it meant; lines that break a rule have none. */
  acks: Map<number, AckMeaning>;
}

/** Alternatives kept per fact: enough for the rare run that needs another match, small enough to search. */
const KEEP = 4;

const show = (n: number) => (n === Number.NEGATIVE_INFINITY ? 'nothing' : String(n));

/** What analyze has read of the acceptors, for the checks of accepts and of who knows what was chosen. */
interface Reading {
  run: ObservedRun;
  s: Schedule;
  host: (id: number) => string;
  fail: (event: number, rule: RuleId, message: string, related?: Related[]) => void;
  obligations: Obligation[];
  prepareAcks: Map<number, PrepareAckMeaning>;
  acceptAcks: Map<number, AcceptAckMeaning>;
  /** Acceptances per acceptor in program order: (event, n, v). */
  acceptances: Map<number, { event: number; n: number; v: string }[]>;
  /** Sent chose lines known to be justified, with the matches each justification needs. */
  knowing: Map<number, Alternative[]>;
}

/** An accept needs promises for its number from a majority of a group, reporting no higher vote for another value. */
function checkAccept(ctx: Reading, id: number): void {
  const { run, s, host, fail, obligations, prepareAcks } = ctx;
  const ev = (x: number) => run.events[x] as TraceEvent;
  const peerEvents = (p: number) => run.peers[p - 1]?.events ?? [];
  const groupsOf = (p: number): GroupConfig[] => run.cluster.groups.filter((g) => g.proposer === p);
  const e = ev(id);
  const received = peerEvents(e.peer)
    .slice(0, e.index)
    .filter((r) => ev(r).action === 'received' && ev(r).type === 'prepare_ack');
  /** Per acceptor: distinct votes its promises for n could have reported, each with the match it needs. */
  const options = new Map<number, { vote: Vote | null; edge: Edge }[]>();
  const related: Related[] = [];
  for (const r of received) {
    const from = ev(r).from;
    let why = '';
    let counted = false;
    for (const c of candidates(run, s, r)) {
      const m = prepareAcks.get(c);
      if (!m) continue;
      if (m.to !== e.peer || m.n !== e.num) {
        why ||= `answers ${host(m.to)}'s prepare(${m.n})`;
        continue;
      }
      if (!m.promise) {
        why ||=
          `${host(from)} had already promised ${show(m.before.n)}${m.before.at === undefined ? '' : ` at ${at(ev(m.before.at))}`}, ` +
          'so this is a refusal or a promise lower than before (lab lines cannot tell them apart)';
        continue;
      }
      counted = true;
      const list = options.get(from) ?? [];
      options.set(from, list);
      if (!list.some((o) => o.vote?.n === m.vote?.n && o.vote?.v === m.vote?.v))
        list.push({ vote: m.vote, edge: [c, r] });
    }
    if (counted) related.push({ event: r, note: `promise for ${e.num} from ${host(from)}` });
    else if (why) related.push({ event: r, note: `not a promise for ${e.num}: ${why}` });
  }
  const alternatives: Alternative[] = [];
  let shortOf = '';
  let wrongValue: { group: GroupConfig; vote: Vote } | undefined;
  for (const g of groupsOf(e.peer)) {
    const need = majority(g.acceptors.length);
    const eligible = g.acceptors.filter((a) => options.has(a));
    if (eligible.length < need) {
      shortOf ||= `promises for ${e.num} from ${eligible.length > 0 ? `${eligible.map(host).join(', ')} only` : 'no acceptor'}; a majority of group ${g.id}'s acceptors (${g.acceptors.map(host).join(', ')}) is ${need}`;
      continue;
    }
    for (const Q of subsets(eligible, need)) {
      for (const pick of product(
        Q.map((a) => options.get(a) ?? []),
        256,
      )) {
        const highest = pick.reduce<Vote | null>(
          (best, o) => (o.vote && (!best || o.vote.n > best.n) ? o.vote : best),
          null,
        );
        if (highest && highest.v !== e.value) {
          wrongValue ??= { group: g, vote: highest };
          continue;
        }
        if (alternatives.length < KEEP * 4) alternatives.push(pick.map((o) => o.edge));
      }
    }
  }
  if (alternatives.length > 0) {
    obligations.push({
      event: id,
      rule: 'accept-after-promises',
      alternatives: alternatives.slice(0, KEEP),
      truncated: alternatives.length > KEEP,
    });
    return;
  }
  if (wrongValue)
    fail(
      id,
      'accept-value',
      `accept(${e.num}, ${e.value}), but every majority of group ${wrongValue.group.id}'s promises for ${e.num} reports a higher ` +
        `accepted proposal with another value, e.g. (${wrongValue.vote.n}, ${wrongValue.vote.v}): the value must be ${wrongValue.vote.v}`,
      [
        { event: wrongValue.vote.at, note: `accepted (${wrongValue.vote.n}, ${wrongValue.vote.v}) here` },
        ...related,
      ],
    );
  else if (groupsOf(e.peer).length > 0)
    fail(
      id,
      'accept-after-promises',
      `${host(e.peer)} sends accept(${e.num}, ${e.value}) after ${shortOf}`,
      related,
    );
}

/** What the peer of line `id` can know of acceptances of its (n, v), and how: the matches each way needs. */
function knowledge(
  ctx: Reading,
  id: number,
): {
  alts: Alternative[];
  truncated: boolean;
  related: Related[];
  acceptors: Set<number>;
} {
  const { run, s, host, acceptAcks, acceptances, knowing } = ctx;
  const { cluster } = run;
  const ev = (x: number) => run.events[x] as TraceEvent;
  const peerEvents = (p: number) => run.peers[p - 1]?.events ?? [];
  const e = ev(id);
  const before = peerEvents(e.peer).slice(0, e.index);
  const related: Related[] = [];
  const alts: Alternative[] = [];
  // Acceptances of (n, v) this peer can know of, per acceptor.
  const perAcceptor = new Map<number, Alternative[]>();
  const add = (a: number, alt: Alternative) => {
    const list = perAcceptor.get(a) ?? [];
    perAcceptor.set(a, list);
    if (list.length < KEEP) list.push(alt);
  };
  for (const own of acceptances.get(e.peer) ?? [])
    if (ev(own.event).index < e.index && own.n === e.num && own.v === e.value) add(e.peer, []);
  for (const r of before) {
    const re = ev(r);
    if (re.action !== 'received') continue;
    if (re.type === 'accept_ack') {
      const c = candidates(run, s, r).find((c) => {
        const m = acceptAcks.get(c)?.acceptance;
        return m !== undefined && m !== null && m.n === e.num && m.v === e.value;
      });
      if (c !== undefined) {
        add(re.from, [[c, r]]);
        related.push({ event: r, note: `${host(re.from)} accepted (${e.num}, ${e.value})` });
      }
    }
    if (re.type === 'chose' && re.num === e.num && re.value === e.value) {
      let justified = false;
      for (const c of candidates(run, s, r)) {
        for (const alt of knowing.get(c) ?? []) {
          alts.push([[c, r], ...alt]);
          justified = true;
        }
      }
      related.push({
        event: r,
        note: justified
          ? `chose message from ${host(re.from)}, who knew`
          : `chose message from ${host(re.from)}, who could not know`,
      });
    }
  }
  const cost = (alt: Alternative) => extraEdges(run, s, alt).length;
  for (const g of cluster.groups) {
    const need = majority(g.acceptors.length);
    const known = g.acceptors.filter((a) => perAcceptor.has(a));
    if (known.length < need) continue;
    // The cheapest: acceptances that need no match beyond the base ones first.
    const cheapest = known
      .map(
        (a) =>
          (perAcceptor.get(a) as Alternative[]).slice().sort((x, y) => cost(x) - cost(y))[0] as Alternative,
      )
      .sort((x, y) => cost(x) - cost(y));
    alts.push(cheapest.slice(0, need).flat());
  }
  alts.sort((x, y) => cost(x) - cost(y));
  return {
    alts: alts.slice(0, KEEP),
    truncated: alts.length > KEEP,
    related,
    acceptors: new Set(perAcceptor.keys()),
  };
}

type PeerTrace = ObservedRun['peers'][number];

/** An acceptor's requests and state as its lines are read in order. */
interface AcceptorSoFar {
  minP: number;
  promisedAt: number | undefined;
  acc: Vote | null;
  prepares: { e: number; n: number; from: number; answered: boolean }[];
  accepts: { e: number; n: number; v: string; from: number; answered: boolean }[];
  votes: Set<string>;
}

// The most recent request first, unanswered ones before answered ones (a sequential acceptor answers in turn).
const recent = <T extends { answered: boolean }>(xs: T[]): T[] => [
  ...xs.filter((x) => !x.answered).reverse(),
  ...xs.filter((x) => x.answered).reverse(),
];

/** What each ack line of one peer meant, and the acceptor's own rules; returns the spec actions its lines executed. */
function readAcceptor(
  ctx: Reading,
  trace: PeerTrace,
  noteEmptyForm: (acceptor: string, id: number, num: number) => void,
): number {
  const { run, fail } = ctx;
  const { cluster } = run;
  const isAcceptor = (p: number) => (cluster.peers[p - 1]?.acceptor.length ?? 0) > 0;
  const st: AcceptorSoFar = {
    minP: Number.NEGATIVE_INFINITY,
    promisedAt: undefined,
    acc: null,
    prepares: [],
    accepts: [],
    votes: new Set<string>(),
  };
  let specActions = 0;
  for (const id of trace.events) {
    const e = run.events[id] as TraceEvent;
    if (e.action === 'received' && e.type === 'prepare')
      st.prepares.push({ e: id, n: e.num, from: e.from, answered: false });
    if (e.action === 'received' && e.type === 'accept')
      st.accepts.push({ e: id, n: e.num, v: e.value, from: e.from, answered: false });
    if (e.action !== 'sent' || (e.type !== 'prepare_ack' && e.type !== 'accept_ack')) continue;
    if (!isAcceptor(trace.peer))
      fail(id, 'roles', `${trace.host} holds no acceptor role in ${cluster.source} but sends ${e.type}`);
    specActions +=
      e.type === 'prepare_ack'
        ? readPrepareAck(ctx, trace, st, id, noteEmptyForm)
        : readAcceptAck(ctx, trace, st, id);
  }
  return specActions;
}

/** A prepare_ack: the prepare it answers and whether it promised; 1 for an executed promise. */
function readPrepareAck(
  ctx: Reading,
  trace: PeerTrace,
  st: AcceptorSoFar,
  id: number,
  noteEmptyForm: (acceptor: string, id: number, num: number) => void,
): number {
  const { s, fail, prepareAcks } = ctx;
  const e = ctx.run.events[id] as TraceEvent;
  const { prepares, acc } = st;
  if (prepares.length === 0) {
    fail(id, 'ack-answers-request', `${trace.host} sends prepare_ack but has received no prepare before it`);
    return 0;
  }
  const ordered = recent(prepares);
  const cand =
    e.value === ''
      ? answerReportingNothing(ordered, acc, e.num)
      : ordered.find((c) => acc !== null && acc.v === e.value && (e.num === acc.n || e.num === c.n));
  if (cand && e.value === '' && e.num !== cand.n) noteEmptyForm(trace.host, id, e.num);
  if (!cand) {
    const related = acc ? [{ event: acc.at, note: `${trace.host} accepted (${acc.n}, ${acc.v}) here` }] : [];
    const received = [...new Set(prepares.map((p) => p.n))].join(', ');
    const message =
      e.value === '' && acc !== null
        ? `prepare_ack reports no accepted proposal, but ${trace.host} had accepted (${acc.n}, ${acc.v})`
        : e.value !== '' && acc === null
          ? `prepare_ack reports accepted (${e.num}, ${e.value}), but ${trace.host} has accepted nothing`
          : e.value !== '' && acc !== null && acc.v !== e.value
            ? `prepare_ack reports accepted value ${e.value}, but the last value ${trace.host} accepted is ${acc.v} (proposal ${acc.n})`
            : `prepare_ack reports proposal ${e.num}, which is neither ${trace.host}'s last accepted proposal ` +
              `(${acc ? acc.n : 'none'}) nor a prepare it received (${received})`;
    fail(id, 'prepare-ack-reports-accepted', message, related);
    return 0;
  }
  cand.answered = true;
  const promise = cand.n > st.minP;
  prepareAcks.set(id, {
    answers: cand.e,
    n: cand.n,
    to: cand.from,
    promise,
    vote: acc,
    before: { n: st.minP, at: st.promisedAt },
  });
  if (!promise) return 0;
  st.minP = cand.n;
  st.promisedAt = id;
  return executed(s, id) ? 1 : 0;
}

/** An accept_ack: an acceptance of a received accept, or a rejection; 1 for an executed new vote. */
function readAcceptAck(ctx: Reading, trace: PeerTrace, st: AcceptorSoFar, id: number): number {
  const { s, fail, acceptAcks, acceptances } = ctx;
  const e = ctx.run.events[id] as TraceEvent;
  const { accepts, votes } = st;
  if (accepts.length === 0) {
    fail(id, 'ack-answers-request', `${trace.host} sends accept_ack but has received no accept before it`);
    return 0;
  }
  const ordered = recent(accepts);
  const same = ordered.find((c) => c.n === e.num && c.v === e.value);
  if (same) {
    same.answered = true;
    if (e.num < st.minP)
      fail(
        id,
        'accept-above-promise',
        `${trace.host} accepts (${e.num}, ${e.value}) below its promise ${st.minP}`,
        st.promisedAt === undefined
          ? []
          : [{ event: st.promisedAt, note: `${trace.host} promised ${st.minP} here` }],
      );
    const voteKey = `${e.num}|${e.value}`;
    const fresh = !votes.has(voteKey);
    votes.add(voteKey);
    acceptAcks.set(id, { answers: same.e, acceptance: { n: e.num, v: e.value }, fresh });
    const list = acceptances.get(trace.peer) ?? [];
    acceptances.set(trace.peer, list);
    list.push({ event: id, n: e.num, v: e.value });
    if (e.num >= st.minP) {
      st.minP = e.num;
      st.promisedAt = id;
    }
    st.acc = { n: e.num, v: e.value, at: id };
    return fresh && executed(s, id) ? 1 : 0;
  }
  const rejected = ordered.find((c) => c.n < st.minP);
  if (!rejected) {
    fail(
      id,
      'accept-ack-explained',
      `accept_ack (${e.num}, ${e.value || '""'}) is neither an acceptance of a received accept(${e.num}, ${e.value || '""'}) ` +
        `nor a rejection: ${trace.host}'s promise (${show(st.minP)}) is not above any accept it received (${accepts
          .map((a) => a.n)
          .join(', ')})`,
    );
    return 0;
  }
  rejected.answered = true;
  acceptAcks.set(id, { answers: rejected.e, acceptance: null, fresh: false });
  return 0;
}

/** Proposers' prepare and accept lines in the canonical order: roles, numbers, one value per number, and each accept's promises. Returns the spec actions they are. */
function readProposals(ctx: Reading): number {
  const { run, s, host, fail } = ctx;
  const { cluster } = run;
  const ev = (x: number) => run.events[x] as TraceEvent;
  const groupsOf = (p: number): GroupConfig[] => cluster.groups.filter((g) => g.proposer === p);
  let proposals = 0;
  const numberOwner = new Map<number, number>();
  const acceptValue = new Map<number, number>();
  const prepared = new Set<number>();
  for (const id of s.order) {
    const e = ev(id);
    if (e.action !== 'sent' || (e.type !== 'prepare' && e.type !== 'accept')) continue;
    if (groupsOf(e.peer).length === 0)
      fail(id, 'roles', `${host(e.peer)} holds no proposer role in ${cluster.source} but sends ${e.type}`);
    const owner = numberOwner.get(e.num);
    if (owner === undefined) numberOwner.set(e.num, id);
    else if (ev(owner).peer !== e.peer)
      fail(
        id,
        'unique-proposal-numbers',
        `${host(e.peer)} uses proposal ${e.num}, which ${host(ev(owner).peer)} uses too`,
        [{ event: owner, note: `${host(ev(owner).peer)} uses ${e.num} here` }],
      );
    if (e.type === 'prepare') {
      if (!prepared.has(e.num)) proposals += 1;
      prepared.add(e.num);
      continue;
    }
    const first = acceptValue.get(e.num);
    if (first === undefined) {
      acceptValue.set(e.num, id);
      proposals += 1;
    } else if (ev(first).value !== e.value)
      fail(
        id,
        'one-value-per-proposal',
        `accept(${e.num}, ${e.value}) after accept(${e.num}, ${ev(first).value})`,
        [{ event: first, note: 'the first accept of this number' }],
      );
    checkAccept(ctx, id);
  }
  return proposals;
}

/** What each ack line meant, for pictures of runs; lines that break a rule have none. */
function ackMeanings(
  run: ObservedRun,
  prepareAcks: ReadonlyMap<number, PrepareAckMeaning>,
  acceptAcks: ReadonlyMap<number, AcceptAckMeaning>,
): Map<number, AckMeaning> {
  const ev = (x: number) => run.events[x] as TraceEvent;
  const acks = new Map<number, AckMeaning>();
  for (const [id, m] of prepareAcks)
    acks.set(id, { kind: m.promise ? 'promise' : 'refusal', answers: m.answers, n: m.n });
  for (const [id, m] of acceptAcks) {
    const n = ev(m.answers).num;
    acks.set(
      id,
      m.acceptance
        ? { kind: 'acceptance', answers: m.answers, n, value: m.acceptance.v }
        : { kind: 'rejection', answers: m.answers, n },
    );
  }
  return acks;
}

/** Least fixpoint: a chose message is justified by acceptances or by earlier justified chose messages. */
function justifyChoseMessages(ctx: Reading): void {
  const { run, s, knowing } = ctx;
  const ev = (x: number) => run.events[x] as TraceEvent;
  const choseSends = s.order.filter((id) => ev(id).action === 'sent' && ev(id).type === 'chose');
  for (let changed = true, rounds = 0; changed && rounds <= choseSends.length + 1; rounds++) {
    changed = false;
    for (const id of choseSends) {
      const { alts } = knowledge(ctx, id);
      if (alts.length > 0 && !knowing.has(id)) changed = true;
      if (alts.length > 0) knowing.set(id, alts);
    }
  }
}

/** A sent chose message: an obligation if its sender can know, else a violation. */
function checkChoseMessage(ctx: Reading, id: number): void {
  const { run, host, fail, obligations, knowing } = ctx;
  const e = run.events[id] as TraceEvent;
  if (e.action === 'sent' && e.type === 'chose' && !knowing.has(id)) {
    const k = knowledge(ctx, id);
    fail(
      id,
      'chose-message-known',
      `${host(e.peer)} sends chose(${e.num}, ${e.value}) but cannot know that a majority accepted it`,
      k.related,
    );
  }
  if (e.action === 'sent' && e.type === 'chose' && knowing.has(id))
    obligations.push({
      event: id,
      rule: 'chose-message-known',
      alternatives: knowing.get(id) ?? [],
      truncated: false,
    });
}

/** A chose line: once per peer, the value noted as chosen, and only by a peer that can know. */
function checkChoseLine(
  ctx: Reading,
  id: number,
  choseLineOf: Map<number, number>,
  noteChosen: (id: number, value: string, n: number, how: string) => void,
): void {
  const { run, host, fail, obligations } = ctx;
  const { cluster } = run;
  const e = run.events[id] as TraceEvent;
  const earlier = choseLineOf.get(e.peer);
  if (earlier !== undefined)
    fail(id, 'chose-once', `${host(e.peer)} prints chose a second time`, [
      { event: earlier, note: `first chose line of ${host(e.peer)}` },
    ]);
  else choseLineOf.set(e.peer, id);
  noteChosen(id, e.value, e.num, `by ${host(e.peer)}'s chose line`);
  const k = knowledge(ctx, id);
  if (k.alts.length === 0) {
    const counts = cluster.groups
      .map((g) => {
        const mine = g.acceptors.filter((a) => k.acceptors.has(a));
        return `${mine.length} of the ${majority(g.acceptors.length)} acceptances group ${g.id} needs${mine.length ? ` (${mine.map(host).join(', ')})` : ''}`;
      })
      .join('; ');
    fail(
      id,
      'chose-known',
      `${host(e.peer)} prints chose (${e.num}, ${e.value}) but can know of only ${counts}, and of no chose message from a peer who knew`,
      k.related,
    );
  } else obligations.push({ event: id, rule: 'chose-known', alternatives: k.alts, truncated: k.truncated });
}

export function analyze(run: ObservedRun, s: Schedule, options: { expectDecided: boolean }): Analysis {
  const { cluster } = run;
  const ev = (id: number) => run.events[id] as TraceEvent;
  const violations: Violation[] = [];
  const obligations: Obligation[] = [];
  const warnings: string[] = [];
  const emptyForms = new Set<string>();
  /** Once per acceptor: its prepare_acks say "nothing accepted" with a number of their own. */
  const noteEmptyForm = (acceptor: string, id: number, num: number) => {
    if (emptyForms.has(acceptor)) return;
    emptyForms.add(acceptor);
    warnings.push(
      `${at(ev(id))}: ${acceptor}'s prepare_acks report nothing accepted as ("", ${num}), not with the prepare's number; read as nothing accepted`,
    );
  };
  const fail = (event: number, rule: RuleId, message: string, related: Related[] = []) => {
    violations.push({ event, rule, message, related });
  };
  const host = (id: number) => cluster.peers[id - 1]?.host ?? `peer ${id}`;

  // ---- acceptors: what each ack meant, and their own rules ----
  const prepareAcks = new Map<number, PrepareAckMeaning>();
  const acceptAcks = new Map<number, AcceptAckMeaning>();
  /** Acceptances per acceptor in program order: (event, n, v). */
  const acceptances = new Map<number, { event: number; n: number; v: string }[]>();
  let specActions = 0;

  const ctx: Reading = {
    run,
    s,
    host,
    fail,
    obligations,
    prepareAcks,
    acceptAcks,
    acceptances,
    knowing: new Map(),
  };
  for (const trace of run.peers) specActions += readAcceptor(ctx, trace, noteEmptyForm);

  // ---- the canonical order: proposers, numbers, and what was chosen ----
  specActions += readProposals(ctx);

  // ---- knowledge: who can know what was chosen ----

  justifyChoseMessages(ctx);

  const choseLineOf = new Map<number, number>();
  let firstValue: { value: string; event: number } | undefined;
  const chosen: { value: string; n: number }[] = [];
  const noteChosen = (id: number, value: string, n: number, how: string) => {
    if (!chosen.some((c) => c.value === value && c.n === n)) chosen.push({ value, n });
    if (!firstValue) firstValue = { value, event: id };
    else if (firstValue.value !== value)
      fail(id, 'one-value', `${value} is chosen ${how}, but ${firstValue.value} was chosen before`, [
        { event: firstValue.event, note: `${firstValue.value} chosen here` },
      ]);
  };
  // A log line names no group: an acceptance counts for every group its acceptor is in.
  const tally = new Acceptances(cluster.groups);
  for (const id of s.order) {
    const e = ev(id);
    const m = acceptAcks.get(id)?.acceptance;
    if (m) {
      for (const g of cluster.groups.filter((g) => g.acceptors.includes(e.peer)))
        if (tally.add(g.id, e.peer, m.n, m.v))
          noteChosen(id, m.v, m.n, `(a majority of group ${g.id} accepted (${m.n}, ${m.v}))`);
    }
    checkChoseMessage(ctx, id);
    if (e.action !== 'chose') continue;
    checkChoseLine(ctx, id, choseLineOf, noteChosen);
  }

  if (options.expectDecided) violations.push(...undecidedPeers(run, choseLineOf));

  const acks = ackMeanings(run, prepareAcks, acceptAcks);
  return {
    violations: violations.filter((v) => v.event === undefined || executed(s, v.event)),
    warnings,
    obligations,
    specActions,
    chosen,
    acks,
  };
}

/**
 * A prepare_ack with an empty value reports nothing accepted, whatever number it carries:
 * the lab fixes the keys, not how "none" is spelled (the prepare's number, 0, -1, a round-0
 * number of the implementation's own form). It answers the prepare of that number if there
 * is one, else the most recent; it is a lie only if the acceptor had accepted something.
 */
function answerReportingNothing<T extends { n: number }>(
  ordered: readonly T[],
  acc: Vote | null,
  num: number,
): T | undefined {
  if (acc !== null) return undefined;
  return ordered.find((c) => c.n === num) ?? ordered[0];
}

/**
 * --expect-decided: every peer of a group whose proposer started prints chose. A run in which
 * no proposer started decided nothing, so it fails too: the flag asks for a decision.
 */
function undecidedPeers(run: ObservedRun, choseLineOf: ReadonlyMap<number, number>): Violation[] {
  const { cluster } = run;
  const sentPrepare = (p: number) =>
    (run.peers[p - 1]?.events ?? []).some((id) => {
      const e = run.events[id] as TraceEvent;
      return e.action === 'sent' && e.type === 'prepare';
    });
  const started = cluster.groups.filter((g) => sentPrepare(g.proposer));
  if (started.length === 0) {
    const proposers = cluster.groups.map((g) => cluster.peers[g.proposer - 1]?.host ?? `peer ${g.proposer}`);
    return [
      {
        peer: cluster.groups[0]?.proposer,
        rule: 'expect-decided',
        message: `no proposer sent a prepare (${proposers.join(', ')}), so nothing was decided`,
        related: [],
      },
    ];
  }
  const takesPart = (peer: number) =>
    started.filter((g) => g.proposer === peer || g.acceptors.includes(peer) || g.learners.includes(peer));
  const silent = cluster.peers.filter((p) => takesPart(p.id).length > 0 && !choseLineOf.has(p.id));
  if (silent.length === 0) return [];
  const describe = (p: (typeof silent)[number]) => {
    const given = (run.peers[p.id - 1]?.files.length ?? 0) > 0;
    const groups = takesPart(p.id).map((g) => g.id);
    return `${p.host} (group ${groups.join(', ')}${given ? '' : '; no input was given for it'})`;
  };
  return [
    {
      peer: silent[0]?.id,
      rule: 'expect-decided',
      message: `${silent.length === 1 ? 'a peer that takes part prints' : 'peers that take part print'} no chose line: ${silent.map(describe).join(', ')}`,
      related: [],
    },
  ];
}

function* subsets<T>(xs: readonly T[], k: number, from = 0): Generator<T[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= xs.length - k; i++)
    for (const rest of subsets(xs, k - 1, i + 1)) yield [xs[i] as T, ...rest];
}

function* product<T>(lists: readonly (readonly T[])[], limit: number): Generator<T[]> {
  let count = 0;
  function* go(i: number, acc: T[]): Generator<T[]> {
    if (count >= limit) return;
    if (i === lists.length) {
      count += 1;
      yield [...acc];
      return;
    }
    for (const x of lists[i] as readonly T[]) yield* go(i + 1, [...acc, x]);
  }
  yield* go(0, []);
}
