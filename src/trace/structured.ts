/**
 * Validation of structured traces (`paxos peer --trace`, one NDJSON record per step), the
 * way etcd and CCF validate theirs against TLA+:
 *
 *  1. Crashes. A process killed between writing a batch's records and syncing its state
 *     let nothing of that batch out. The next incarnation's recovered state tells which:
 *     it must be the state after the last batch (kept) or the one before it (the last
 *     batch was never durable, and its records are set aside). Any other state is one the
 *     trace never reached.
 *  2. Happens-before. Every receive names the id of the message it delivers; the peers'
 *     records are merged in an order where each send comes before its receives and every
 *     peer's own order is kept (Lamport clocks break ties). A receive of a message no kept
 *     step sent is the first failure.
 *  3. The machines. Each peer's steps are replayed through the real peer logic from its
 *     recovered state: the same input must give the same messages, timers, chose line and
 *     durable state as the trace shows, so what ran is what the statecharts say.
 *  4. The spec. Along the merged order, the acceptors' logged durable state and every
 *     message sent map through spec/refinement.ts to a spec state; each step must be one
 *     action of Next or a stutter, the invariants (TypeOK, Agreement, Validity, Inv) must
 *     hold in every state, and a peer may print chose only for a value chosen in it.
 *  5. The lab's rules, on the same run seen as log lines (with exact message ids).
 */
import type { Message, PeerId } from '../../machines/messages';
import { chosen, type SpecState, specInvariants } from '../../spec/paxos';
import {
  ballotOf,
  type SpecMessageLog as Log,
  SpecMessageLog,
  specParamsFor,
  specStepBetween,
} from '../../spec/refinement';
import type { ClusterConfig } from '../config/cluster';
import { choseLine, receivedLine, sentLine } from '../peer/logLine';
import { createPeerLogic, type PeerDurable, type PeerInput, type PeerState } from '../peer/node';
import { type ObservedRun, type PeerTrace, type TraceEvent, TraceInputError } from './events';
import type { TraceResult } from './index';
import { validateRun } from './index';
import { firstRecord, isObject } from './jsonLines';
import type { TraceRecord } from './record';
import { RULES, type RuleId } from './rules';

export interface StructuredInput {
  file: string;
  text: string;
}

interface Located {
  record: TraceRecord;
  file: string;
  line: number;
}

/** Whether a file's first record looks like a structured trace (not lab lines). */
export function looksStructured(text: string): boolean {
  const v = firstRecord(text);
  return v !== undefined && 'input' in v && 'durable' in v && 'boot' in v;
}

function recordProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'not a JSON object';
  for (const [key, ok] of [
    ['peer', typeof v.peer === 'string'],
    ['id', Number.isSafeInteger(v.id)],
    ['boot', typeof v.boot === 'string'],
    ['seq', Number.isSafeInteger(v.seq)],
    ['clock', Number.isSafeInteger(v.clock)],
    ['batch', Number.isSafeInteger(v.batch)],
    ['input', isObject(v.input) && typeof v.input.kind === 'string'],
    ['sent', Array.isArray(v.sent)],
    ['timers', Array.isArray(v.timers)],
    ['chose', v.chose === null || isObject(v.chose)],
    ['durable', isObject(v.durable)],
  ] as const)
    if (!ok) return `field '${key}' is missing or of the wrong type`;
  return undefined;
}

/** Parses the files: a torn line is tolerated at a file's end, or just before a new incarnation's first record. */
function readStructured(
  cluster: ClusterConfig,
  inputs: readonly StructuredInput[],
): { peers: Map<PeerId, Located[]>; warnings: string[] } {
  const peers = new Map<PeerId, Located[]>();
  const warnings: string[] = [];
  for (const { file, text } of inputs) {
    const lines = text.split('\n');
    let pendingTorn: number | undefined;
    lines.forEach((raw, i) => {
      if (raw.trim() === '') return;
      let v: unknown;
      try {
        v = JSON.parse(raw);
      } catch {
        if (pendingTorn !== undefined) throw new TraceInputError(file, pendingTorn, 'not JSON');
        pendingTorn = i + 1;
        return;
      }
      const problem = recordProblem(v);
      if (problem)
        throw new TraceInputError(file, i + 1, `${problem}; expected a record of paxos peer --trace`);
      const record = v as unknown as TraceRecord;
      if (pendingTorn !== undefined) {
        if (record.input.kind !== 'boot')
          throw new TraceInputError(
            file,
            pendingTorn,
            'not JSON (a cut line is only allowed where the peer was killed)',
          );
        warnings.push(`${file}:${pendingTorn}: a line cut off where the peer was killed, skipped`);
        pendingTorn = undefined;
      }
      const peer = cluster.peers.find((p) => p.id === record.id);
      if (!peer || peer.host !== record.peer)
        throw new TraceInputError(
          file,
          i + 1,
          `peer ${record.peer} (id ${record.id}) is not in ${cluster.source}`,
        );
      const list = peers.get(record.id) ?? [];
      if (list.length === 0 && record.input.kind !== 'boot')
        throw new TraceInputError(file, i + 1, 'the first record of a peer must be its boot record');
      requireOneDataDir(list, { record, file, line: i + 1 });
      list.push({ record, file, line: i + 1 });
      peers.set(record.id, list);
    });
    if (pendingTorn !== undefined)
      warnings.push(`${file}:${pendingTorn}: the last line is cut off (the peer was killed), skipped`);
  }
  return { peers, warnings };
}

/**
 * A peer's records must come from one data directory. A boot on another one is a second
 * run appended to the same file (a reused trace file), not a peer that lost its state, and
 * the file cannot be judged as one run.
 */
function requireOneDataDir(earlier: readonly Located[], next: Located): void {
  const store = (r: TraceRecord) => (r.input.kind === 'boot' ? r.input.store : undefined);
  const mine = store(next.record);
  if (mine === undefined) return;
  const other = earlier.find((l) => store(l.record) !== undefined && store(l.record) !== mine);
  if (other === undefined) return;
  throw new TraceInputError(
    next.file,
    next.line,
    `${next.record.peer} boots here on another data directory than at ${other.file}:${other.line} ` +
      `(${store(other.record)}, now ${mine}): the file holds two runs; give one run's trace files`,
  );
}

interface Failure {
  at: Located;
  rule: RuleId;
  message: string;
  related: Located[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Step 1: the batch a crash interrupted, set aside; or the incarnation whose recovery fits nothing. */
function settleCrashes(records: Located[]): { kept: Located[]; dropped: Located[]; failure?: Failure } {
  const kept: Located[] = [];
  const dropped: Located[] = [];
  let incarnation: Located[] = [];
  const close = (boot: Located | undefined) => {
    if (!boot || incarnation.length === 0) {
      kept.push(...incarnation);
      return undefined;
    }
    const last = incarnation.at(-1) as Located;
    const lastBatch = incarnation.filter((r) => r.record.batch === last.record.batch);
    const before = incarnation[incarnation.length - lastBatch.length - 1] ?? incarnation[0];
    const recovered = boot.record.durable;
    if (same(recovered, last.record.durable)) kept.push(...incarnation);
    else if (before && same(recovered, before.record.durable)) {
      kept.push(...incarnation.slice(0, incarnation.length - lastBatch.length));
      dropped.push(...lastBatch);
    } else
      return {
        at: boot,
        rule: 'durable-recovered' as const,
        message: `the peer restarted with ${JSON.stringify(recovered)}, which is neither the state after its last batch (${JSON.stringify(last.record.durable)}) nor the one before it`,
        related: [last],
      };
    return undefined;
  };
  for (const r of records) {
    if (r.record.input.kind === 'boot' && incarnation.length > 0) {
      const f = close(r);
      if (f) return { kept, dropped, failure: f };
      incarnation = [];
    }
    incarnation.push(r);
  }
  close(undefined);
  return { kept, dropped };
}

/** Step 2: one order of all kept records that respects every peer's order and every send -> receive. */
function merge(
  peers: Map<PeerId, Located[]>,
  dropped: Map<string, Located>,
): { order: Located[]; failure?: Failure } {
  const heads = new Map<PeerId, number>([...peers.keys()].map((p) => [p, 0]));
  const sentIds = new Map<string, Located>();
  const order: Located[] = [];
  const total = [...peers.values()].reduce((n, l) => n + l.length, 0);
  const ready = (l: Located) => {
    const input = l.record.input;
    return input.kind !== 'receive' || input.id === null || sentIds.has(input.id);
  };
  while (order.length < total) {
    let best: Located | undefined;
    for (const [p, i] of heads) {
      const l = peers.get(p)?.[i];
      if (
        l &&
        ready(l) &&
        (!best ||
          l.record.clock < best.record.clock ||
          (l.record.clock === best.record.clock && l.record.id < best.record.id))
      )
        best = l;
    }
    if (!best) {
      const blocked = [...heads]
        .map(([p, i]) => peers.get(p)?.[i])
        .filter((l): l is Located => l !== undefined)
        .sort((a, b) => a.record.clock - b.record.clock)[0] as Located;
      const input = blocked.record.input as Extract<TraceRecord['input'], { kind: 'receive' }>;
      const lost = input.id === null ? undefined : dropped.get(input.id);
      return {
        order,
        failure: lost
          ? {
              at: blocked,
              rule: 'happens-before',
              message: `it received ${input.id}, sent in a step of ${lost.record.peer} that was never durable (the next incarnation recovered the state before it): a reply left before its state was on stable storage`,
              related: [lost],
            }
          : {
              at: blocked,
              rule: 'happens-before',
              message: `it received ${input.id} from peer ${input.from}, which no step of any trace sent before it`,
              related: [],
            },
      };
    }
    order.push(best);
    heads.set(best.record.id, (heads.get(best.record.id) ?? 0) + 1);
    for (const s of best.record.sent) sentIds.set(s.id, best);
  }
  return { order };
}

const inputOf = (r: TraceRecord): PeerInput | undefined => {
  const i = r.input;
  switch (i.kind) {
    case 'receive':
      return { type: 'deliver', message: i.message };
    case 'start':
      return { type: 'start', value: i.value };
    case 'timeout':
      return { type: 'timeout', group: i.group };
    case 'boot':
      return undefined;
  }
};

/** Step 3: every peer's steps through the real machines. */
function replayThroughMachines(cluster: ClusterConfig, peers: Map<PeerId, Located[]>): Failure | undefined {
  const logic = createPeerLogic(cluster);
  for (const [id, records] of peers) {
    let state: PeerState | undefined;
    for (const l of records) {
      const r = l.record;
      const input = inputOf(r);
      if (!input) {
        state = logic.init(id, r.durable as PeerDurable);
        if (!same(logic.durable(state), r.durable))
          return {
            at: l,
            rule: 'machines',
            message: 'the recorded boot state is not one the machines start from',
            related: [],
          };
        continue;
      }
      if (!state) return { at: l, rule: 'machines', message: 'a step before the boot record', related: [] };
      const step = logic.step(id, state, input);
      state = step.state;
      const want = {
        sent: step.sends.map((s) => ({ to: s.to, message: s.message })),
        timers: step.timers,
        chose: step.learned ? { n: step.learned.n, value: step.learned.value } : null,
        durable: logic.durable(step.state),
      };
      const got = {
        sent: r.sent.map((s) => ({ to: s.to, message: s.message })),
        timers: r.timers,
        chose: r.chose,
        durable: r.durable,
      };
      for (const key of ['sent', 'timers', 'chose', 'durable'] as const)
        if (!same(want[key], got[key]))
          return {
            at: l,
            rule: 'machines',
            message: `given this ${r.input.kind}, the machines give ${key} ${JSON.stringify(want[key])}, but the peer recorded ${JSON.stringify(got[key])}`,
            related: [],
          };
    }
  }
  return undefined;
}

/** Step 4: the merged run through the refinement mapping, invariants at every state. */
function refine(
  cluster: ClusterConfig,
  order: Located[],
): { failure?: Failure; actions: number; stutters: number; chosen: { value: string; n: number }[] } {
  const values = [
    ...new Set(order.flatMap((l) => (l.record.input.kind === 'start' ? [l.record.input.value] : []))),
  ];
  let maxN = 1;
  for (const l of order) for (const s of l.record.sent) maxN = Math.max(maxN, s.message.n);
  const params = specParamsFor(cluster, values, ballotOf(maxN));
  const acceptors = new Map(
    params.acceptors.map((a) => [
      a,
      { minProposal: 0, acceptedProposal: 0, acceptedValue: null as string | null },
    ]),
  );
  const log: Log = new SpecMessageLog();
  let before: SpecState = log.state(params, acceptors);
  let actions = 0;
  let stutters = 0;
  const decided: { value: string; n: number }[] = [];
  for (const l of order) {
    const r = l.record;
    if (r.durable.acceptor && acceptors.has(r.id)) acceptors.set(r.id, { ...r.durable.acceptor });
    for (const s of r.sent) log.add(s.message as Message);
    const after = log.state(params, acceptors);
    const step = specStepBetween(params, before, after);
    if (step === null)
      return {
        failure: {
          at: l,
          rule: 'refinement',
          message:
            'this step maps to no action of the spec (Prepare, PrepareAck, Accept, AcceptAck) and is no stutter',
          related: [],
        },
        actions,
        stutters,
        chosen: decided,
      };
    if (step === 'stutter') stutters++;
    else {
      actions++;
      for (const [name, holds] of Object.entries(specInvariants))
        if (!holds(params, after))
          return {
            failure: {
              at: l,
              rule: 'invariant',
              message: `the spec's ${name} does not hold after this step`,
              related: [],
            },
            actions,
            stutters,
            chosen: decided,
          };
    }
    if (r.chose) {
      if (!chosen(params, after).includes(r.chose.value))
        return {
          failure: {
            at: l,
            rule: 'chose-known',
            message: `it printed chose ${JSON.stringify(r.chose.value)}, which no quorum of the spec state had voted for`,
            related: [],
          },
          actions,
          stutters,
          chosen: decided,
        };
      if (!decided.some((d) => d.value === r.chose?.value && d.n === r.chose?.n))
        decided.push({ ...r.chose });
    }
    before = after;
  }
  return { actions, stutters, chosen: decided };
}

/** Step 5's input: the same run as the lab's log lines, ids attached. */
function asObservedRun(
  cluster: ClusterConfig,
  kept: Map<PeerId, Located[]>,
  warnings: string[],
): ObservedRun {
  const events: TraceEvent[] = [];
  const peers: PeerTrace[] = cluster.peers.map((p) => ({ peer: p.id, host: p.host, files: [], events: [] }));
  const push = (l: Located, e: Omit<TraceEvent, 'id' | 'peer' | 'index' | 'source'>) => {
    const trace = peers[l.record.id - 1] as PeerTrace;
    if (!trace.files.includes(l.file)) trace.files.push(l.file);
    const event: TraceEvent = {
      ...e,
      id: events.length,
      peer: l.record.id,
      index: trace.events.length,
      source: { file: l.file, line: l.line },
    };
    events.push(event);
    trace.events.push(event.id);
  };
  const fields = (line: ReturnType<typeof sentLine>) => ({
    type: line.message_type,
    value: line.message_value,
    num: line.proposal_num,
    text: JSON.stringify(line),
  });
  // Each peer's events in its own order; the validator finds the interleaving itself.
  for (const l of [...kept.keys()].sort((a, b) => a - b).flatMap((id) => kept.get(id) ?? [])) {
    const r = l.record;
    if (r.input.kind === 'receive' && r.input.from !== r.id) {
      const line = receivedLine(r.input.message);
      push(l, {
        action: 'received',
        from: r.input.from,
        ...fields(line),
        ...(r.input.id ? { msgId: r.input.id } : {}),
      });
    }
    for (const s of r.sent)
      if (s.to !== r.id)
        push(l, { action: 'sent', from: r.id, ...fields(sentLine(r.id, s.message)), msgId: s.id });
    if (r.chose) push(l, { action: 'chose', from: r.id, ...fields(choseLine(r.id, r.chose)) });
  }
  return { cluster, events, peers, skipped: 0, warnings };
}

/** A record as pictures of runs see it: where it was read, and whether step 1 set it aside. */
export interface PlacedRecord {
  record: TraceRecord;
  file: string;
  line: number;
  /** In a batch a crash interrupted before it was durable (step 1). */
  setAside: boolean;
}

/**
 * Every record of the run in one order of step 2's merge, for pictures of runs. Set-aside
 * records take part in the merge (what they sent may have left, which is the very fault a
 * picture must show); records the merge cannot place follow, peer by peer, in their own order.
 */
export function placeStructured(
  cluster: ClusterConfig,
  inputs: readonly StructuredInput[],
): { records: PlacedRecord[]; placed: number; warnings: string[] } {
  const { peers, warnings } = readStructured(cluster, inputs);
  const aside = new Set<Located>();
  for (const list of peers.values()) for (const l of settleCrashes(list).dropped) aside.add(l);
  const { order } = merge(peers, new Map());
  const inOrder = new Set(order);
  const rest = [...peers.keys()]
    .sort((a, b) => a - b)
    .flatMap((id) => (peers.get(id) ?? []).filter((l) => !inOrder.has(l)));
  return {
    records: [...order, ...rest].map((l) => ({ ...l, setAside: aside.has(l) })),
    placed: order.length,
    warnings,
  };
}

export function validateStructured(
  cluster: ClusterConfig,
  inputs: readonly StructuredInput[],
  options: { expectDecided?: boolean; maxInterleavings?: number } = {},
): TraceResult {
  const { peers, warnings } = readStructured(cluster, inputs);
  const records = [...peers.values()].reduce((n, l) => n + l.length, 0);
  const base: TraceResult = {
    verdict: 'PASS',
    peers: peers.size,
    events: records,
    specActions: 0,
    stutters: 0,
    unplaced: 0,
    interleavings: 1,
    skipped: 0,
    warnings,
    chosen: [],
  };
  const fail = (f: Failure, extra: Partial<TraceResult> = {}): TraceResult => ({
    ...base,
    ...extra,
    verdict: 'FAIL',
    failure: {
      at: `${f.at.file}:${f.at.line}`,
      peer: f.at.record.peer,
      text: describeRecord(f.at.record),
      rule: f.rule,
      ruleText: RULES[f.rule],
      message: f.message,
      events: f.related.map((l) => ({
        at: `${l.file}:${l.line}`,
        peer: l.record.peer,
        text: describeRecord(l.record),
      })),
    },
  });

  const kept = new Map<PeerId, Located[]>();
  const dropped = new Map<string, Located>();
  for (const [id, list] of peers) {
    const settled = settleCrashes(list);
    if (settled.failure) return fail(settled.failure);
    kept.set(id, settled.kept);
    for (const l of settled.dropped) for (const s of l.record.sent) dropped.set(s.id, l);
  }
  const merged = merge(kept, dropped);
  if (merged.failure) return fail(merged.failure);
  const machines = replayThroughMachines(cluster, kept);
  if (machines) return fail(machines);
  const spec = refine(cluster, merged.order);
  const counts = { specActions: spec.actions, stutters: spec.stutters, chosen: spec.chosen };
  if (spec.failure) return fail(spec.failure, counts);
  const lab = validateRun(asObservedRun(cluster, kept, warnings), options);
  return { ...lab, ...counts, peers: peers.size, events: records, warnings };
}

/** A record as one short line for reports. */
export function describeRecord(r: TraceRecord): string {
  const input = r.input;
  const what =
    input.kind === 'receive'
      ? `received ${input.message.type}(${input.message.n}) from peer ${input.from}${input.id ? ` [${input.id}]` : ''}`
      : input.kind === 'start'
        ? `start ${JSON.stringify(input.value)}`
        : input.kind === 'timeout'
          ? `timeout proposer${input.group}`
          : 'boot';
  const sent =
    r.sent.length > 0
      ? `; sent ${r.sent.map((s) => `${s.message.type}(${s.message.n})->${s.to} [${s.id}]`).join(', ')}`
      : '';
  return `${r.peer} #${r.seq} ${what}${sent}${r.chose ? `; chose ${JSON.stringify(r.chose.value)}` : ''}`;
}
