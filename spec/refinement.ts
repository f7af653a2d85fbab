/**
 * The refinement mapping from the implementation to spec/Paxos.tla: what a world of peers
 * (the acceptors' durable state and every wire message sent so far) means as a spec state,
 * and which spec action, if any, one implementation step is. If every step of every run
 * maps to a step of Next or to a stutter, every run of the implementation is a behaviour of
 * the spec, and the spec's invariants (Agreement above all) hold of the implementation.
 *
 *   implementation                                   spec
 *   proposal number n (from 1)                       ballot n - 1 (from 0)
 *   acceptor minProposal / acceptedProposal          maxBal / maxVBal (0 -> -1)
 *   acceptor acceptedValue (null)                    maxVal (None)
 *   prepare n                                        1a(bal)
 *   prepare_ack promised                             1b(acc = from, bal, mbal, mval)
 *   accept n, value                                  2a(bal, val)
 *   accept_ack with minProposal === n                2b(acc = from, bal, val)
 *   refused prepare_ack, rejecting accept_ack, chose nothing: they change no spec variable
 */
import type { AcceptorDurable } from '../machines/acceptor';
import { type Message, majority, type PeerId } from '../machines/messages';
import type { ClusterConfig } from '../src/config/cluster';
import {
  type Acceptor,
  applyAction,
  type Ballot,
  compareMessages,
  formatAction,
  messageSet,
  None,
  type SpecAction,
  type SpecMessage,
  type SpecParams,
  type SpecState,
  sameState,
  type Value,
  withMessage,
} from './paxos';

/**
 * The constants for a cluster: Acceptors are the peers that hold an acceptor role; Quorums
 * are, for each proposer group, its acceptors' majorities of the least size (a larger
 * majority contains one of these, and every formula of the spec says "some quorum", so
 * the two choices give the same Next and the same invariants). QuorumAssumption is not
 * checked here: `checkParams` does, and fails for clusters accepted under
 * --allow-unsafe-quorums. `maxBallot` bounds the ballots the spec allows: a step that
 * uses proposal number maxBallot + 2 or more maps to no action of Next; pass
 * Number.MAX_SAFE_INTEGER for no bound.
 */
export function specParamsFor(cluster: ClusterConfig, values: string[], maxBallot: number): SpecParams {
  const acceptors = cluster.peers.filter((p) => p.acceptor.length > 0).map((p) => p.id);
  const seen = new Set<string>();
  const quorums: Acceptor[][] = [];
  for (const group of cluster.groups) {
    for (const q of subsetsOfSize(
      [...group.acceptors].sort((a, b) => a - b),
      majority(group.acceptors.length),
    )) {
      const key = q.join(',');
      if (!seen.has(key)) {
        seen.add(key);
        quorums.push(q);
      }
    }
  }
  return { acceptors: acceptors.sort((a, b) => a - b), values: [...values], quorums, maxBallot };
}

function subsetsOfSize<T>(xs: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  const out: T[][] = [];
  for (let i = 0; i + k <= xs.length; i++) {
    for (const rest of subsetsOfSize(xs.slice(i + 1), k - 1)) out.push([xs[i] as T, ...rest]);
  }
  return out;
}

/** Proposal number n is ballot n - 1; "nothing" (0) is -1. */
export const ballotOf = (n: number): Ballot => n - 1;

/** The spec message a wire message is, or null for those that change nothing in the spec. */
export function mapMessage(message: Message): SpecMessage | null {
  switch (message.type) {
    case 'prepare':
      return { type: '1a', bal: ballotOf(message.n) };
    case 'prepare_ack':
      if (!message.promised) return null;
      return {
        type: '1b',
        acc: message.from,
        bal: ballotOf(message.n),
        mbal: ballotOf(message.acceptedProposal),
        mval: message.acceptedValue ?? None,
      };
    case 'accept':
      return { type: '2a', bal: ballotOf(message.n), val: message.value };
    case 'accept_ack':
      if (message.minProposal !== message.n) return null;
      // An acceptance without a value is a malformed 2b: it matches no 2a, so no action of Next allows it.
      return { type: '2b', acc: message.from, bal: ballotOf(message.n), val: message.value as Value };
    case 'chose':
      return null;
  }
}

export interface ImplementationView {
  /** Every acceptor's durable state, crashed ones included (what they would recover). */
  acceptors: ReadonlyMap<PeerId, AcceptorDurable>;
  /** Every wire message sent so far, duplicates and all, in any order. */
  sent: Iterable<Message>;
}

/** maxBal, maxVBal, maxVal of the spec, from the acceptors' durable state. */
function mapAcceptors(
  params: SpecParams,
  acceptors: ReadonlyMap<PeerId, AcceptorDurable>,
): Pick<SpecState, 'maxBal' | 'maxVBal' | 'maxVal'> {
  const maxBal: Record<Acceptor, Ballot> = {};
  const maxVBal: Record<Acceptor, Ballot> = {};
  const maxVal: Record<Acceptor, Value | None> = {};
  for (const a of params.acceptors) {
    const d = acceptors.get(a);
    if (!d) throw new Error(`the view has no state for acceptor ${a}`);
    maxBal[a] = ballotOf(d.minProposal);
    maxVBal[a] = ballotOf(d.acceptedProposal);
    maxVal[a] = d.acceptedValue ?? None;
  }
  return { maxBal, maxVBal, maxVal };
}

/** The spec state a view of the implementation stands for. */
export function mapToSpec(params: SpecParams, view: ImplementationView): SpecState {
  const msgs: SpecMessage[] = [];
  for (const message of view.sent) {
    const m = mapMessage(message);
    if (m) msgs.push(m);
  }
  return { ...mapAcceptors(params, view.acceptors), msgs: messageSet(msgs) };
}

/**
 * msgs kept up to date one sent message at a time, for callers that step often: adding a
 * message that maps to nothing or to a message already there keeps the same array, so a
 * stutter costs no copy. Each `msgs` value is immutable and can be kept as `before`.
 */
export class SpecMessageLog {
  private current: readonly SpecMessage[] = [];

  get msgs(): readonly SpecMessage[] {
    return this.current;
  }

  add(message: Message): void {
    const m = mapMessage(message);
    if (m) this.current = withMessage(this.current, m);
  }

  state(params: SpecParams, acceptors: ReadonlyMap<PeerId, AcceptorDurable>): SpecState {
    return { ...mapAcceptors(params, acceptors), msgs: this.current };
  }
}

export type SpecStepKind = SpecAction | 'stutter' | null;

/**
 * Which step of the spec takes `before` to `after`: 'stutter' when they are equal, the one
 * action of Next that does it, or null when none does (a refinement violation). The
 * candidate is read off the difference (the acceptor that changed, the one new message),
 * then confirmed by applying it: cost linear in the number of spec messages.
 */
export function specStepBetween(params: SpecParams, before: SpecState, after: SpecState): SpecStepKind {
  const changed: Acceptor[] = [];
  for (const a of params.acceptors) {
    if (
      before.maxBal[a] !== after.maxBal[a] ||
      before.maxVBal[a] !== after.maxVBal[a] ||
      before.maxVal[a] !== after.maxVal[a]
    ) {
      changed.push(a);
    }
  }
  const added = addedMessages(before.msgs, after.msgs);
  if (added === null || added.length > 1 || changed.length > 1) return null;
  const m = added[0];
  const a = changed[0];
  if (m === undefined && a === undefined) return 'stutter';

  const candidates: SpecAction[] = [];
  if (m) {
    switch (m.type) {
      case '1a':
        candidates.push({ name: 'Prepare', b: m.bal });
        break;
      case '2a':
        candidates.push({ name: 'Accept', b: m.bal, v: m.val });
        break;
      case '1b':
        candidates.push({ name: 'PrepareAck', a: m.acc, m: { type: '1a', bal: m.bal } });
        break;
      case '2b':
        candidates.push({ name: 'AcceptAck', a: m.acc, m: { type: '2a', bal: m.bal, val: m.val } });
        break;
    }
  } else if (a !== undefined) {
    // An acceptor moved while re-sending a message already in msgs.
    const bal = after.maxBal[a] ?? -1;
    const val = after.maxVal[a] ?? None;
    candidates.push({ name: 'PrepareAck', a, m: { type: '1a', bal } });
    if (val !== None)
      candidates.push({ name: 'AcceptAck', a, m: { type: '2a', bal: after.maxVBal[a] ?? -1, val } });
  }
  for (const action of candidates) {
    const reached = applyAction(params, before, action);
    if (reached && sameState(reached, after)) return action;
  }
  return null;
}

/** specStepBetween, printed: 'stutter', e.g. 'AcceptAck(2) on 2a(bal=0, val=X)', or null. */
export function specActionBetween(params: SpecParams, before: SpecState, after: SpecState): string | null {
  const step = specStepBetween(params, before, after);
  return step === null || step === 'stutter' ? step : formatAction(step);
}

/** The messages of `after` not in `before`; null when `before` has one `after` lacks (msgs never shrinks). */
function addedMessages(before: readonly SpecMessage[], after: readonly SpecMessage[]): SpecMessage[] | null {
  if (before === after) return [];
  const added: SpecMessage[] = [];
  let i = 0;
  for (const m of after) {
    const b = before[i];
    if (b !== undefined && compareMessages(b, m) === 0) i++;
    else if (b !== undefined && compareMessages(b, m) < 0) return null;
    else added.push(m);
  }
  return i === before.length ? added : null;
}
