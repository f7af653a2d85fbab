/**
 * The register round's local invariants, judged on a replayed path by a monitor that keeps
 * its own record of what the round was told, independent of its context: CASPaxos's
 * phases, numbers of its own incarnation, the change applied to the highest accepted state,
 * and an answer only once a majority accepted it.
 */
import { type Accept, majority, NO_PROPOSAL, type Prepare, type Send } from '../../machines/messages';
import { INCARNATION_LIMIT, nextProposalNumber, ownsNumber } from '../../machines/proposalNumbers';
import { change, decodeRegister, encodeRegister, type Operation } from '../../machines/register';
import type { RegisterRoundEmitted, RegisterRoundInput } from '../../machines/registerRound';
import type { Replayed } from './replay';
import type { RegisterRoundMachine } from './roles';

interface Reported {
  acceptedProposal: number;
  acceptedValue: string | null;
}

const sorted = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);
const sameList = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** What the promises for one number call for: the operation applied to the highest accepted state. */
function expectedChange(operation: Operation, promised: readonly Reported[]) {
  let highest: Reported | undefined;
  for (const p of promised)
    if (p.acceptedProposal !== NO_PROPOSAL && (!highest || p.acceptedProposal > highest.acceptedProposal))
      highest = p;
  return change(operation, decodeRegister(highest?.acceptedValue ?? null));
}

/** The monitor's record of one path, updated by what the round is told. */
class Record {
  operation: Operation | null = null;
  round: number;
  highestReported: number;
  /** First promise of each member, per number. */
  readonly promises = new Map<number, Map<number, Reported>>();
  readonly acceptances = new Map<number, Set<number>>();
  readonly sent = new Map<number, { value: string; result: ReturnType<typeof change> }>();
  /** A change (not a write-back) went out with accept: the round may not start another number. */
  changeSent = false;
  answered = false;

  constructor(readonly input: RegisterRoundInput) {
    this.round = input.lastNumber ?? NO_PROPOSAL;
    this.highestReported = this.round;
  }

  hear(e: Replayed<RegisterRoundMachine>['steps'][number]['event']) {
    if (e.type === 'START') this.operation = e.operation;
    if (e.type === 'prepare_ack') {
      this.highestReported = Math.max(this.highestReported, e.minProposal, e.acceptedProposal);
      const forN = this.promises.get(e.n) ?? new Map<number, Reported>();
      this.promises.set(e.n, forN);
      if (e.promised && this.input.acceptors.includes(e.from) && !forN.has(e.from))
        forN.set(e.from, { acceptedProposal: e.acceptedProposal, acceptedValue: e.acceptedValue });
    }
    if (e.type === 'accept_ack') {
      this.highestReported = Math.max(this.highestReported, e.minProposal);
      if (e.minProposal === e.n && this.input.acceptors.includes(e.from))
        this.acceptances.set(e.n, (this.acceptances.get(e.n) ?? new Set<number>()).add(e.from));
    }
  }
}

/**
 * A round begins at the smallest own number above all it has seen; a retry after a second
 * refusal in a row (leaving backingOff) above the refuser's next number too, one stride
 * higher, so that the refuser's next round on the key cannot take it over again at once.
 */
function checkPrepare(r: Record, prepares: Send[], afterRefusal: boolean, at: string, out: string[]) {
  const first = prepares[0]?.message as Prepare | undefined;
  if (!first) return;
  const { input } = r;
  const n = first.n;
  const own = {
    first: input.group + input.incarnation * input.groupCount,
    stride: input.groupCount * INCARNATION_LIMIT,
  };
  if (r.changeSent) out.push(`${at}: prepare(${n}) after its change went out with accept`);
  if (!ownsNumber(own.first, own.stride, n))
    out.push(`${at}: prepare(${n}) is not a number of its incarnation`);
  const seen = Math.max(r.round, r.highestReported);
  const expected = nextProposalNumber(own.first, own.stride, afterRefusal ? seen + own.stride : seen);
  if (n !== expected)
    out.push(
      `${at}: prepare(${n}), but the smallest own number above ${afterRefusal ? "the refuser's next" : 'all seen'} is ${expected}`,
    );
  if (!sameList(sorted(prepares.map((s) => s.to)), sorted(input.acceptors)))
    out.push(`${at}: prepare not sent once to each acceptor`);
  r.round = n;
}

function checkAccept(r: Record, accepts: Send[], at: string, out: string[]) {
  const first = accepts[0]?.message as Accept | undefined;
  if (!first) return;
  const { n, value } = first;
  if (accepts.some((s) => (s.message as Accept).value !== value))
    out.push(`${at}: one accept broadcast, two states`);
  if (n !== r.round) out.push(`${at}: accept(${n}) outside its current round ${r.round}`);
  if (!sameList(sorted(accepts.map((s) => s.to)), sorted(r.input.acceptors)))
    out.push(`${at}: accept not sent once to each acceptor`);
  const promised = [...(r.promises.get(n)?.values() ?? [])];
  const quorum = majority(r.input.acceptors.length);
  if (promised.length < quorum)
    out.push(`${at}: accept(${n}) after ${promised.length} promises, a majority is ${quorum}`);
  const result = expectedChange(r.operation ?? { kind: 'get' }, promised);
  if (value !== encodeRegister(result.state))
    out.push(
      `${at}: accept(${n}, ${value}), but the operation on the highest accepted state gives ${encodeRegister(result.state)}`,
    );
  if (r.sent.has(n)) out.push(`${at}: number ${n} sent with accept twice`);
  r.sent.set(n, { value, result });
  if (r.operation?.kind !== 'get' && result.outcome === 'ok') r.changeSent = true;
}

function checkAnswers(r: Record, emitted: RegisterRoundEmitted[], at: string, out: string[]) {
  for (const e of emitted) {
    if (e.type !== 'completed' && e.type !== 'uncertain') continue;
    if (r.answered) out.push(`${at}: a second answer`);
    r.answered = true;
    const sent = r.sent.get(e.n);
    if (e.type === 'uncertain' && !r.changeSent) out.push(`${at}: uncertain, though it sent no change`);
    if (e.type !== 'completed') continue;
    const accepted = r.acceptances.get(e.n)?.size ?? 0;
    if (!sent || accepted < majority(r.input.acceptors.length))
      out.push(`${at}: completed(${e.n}) without a majority of acceptances`);
    else if (JSON.stringify(e.result) !== JSON.stringify(sent.result))
      out.push(
        `${at}: completed(${e.n}) with ${JSON.stringify(e.result)}, but its accept carried ${JSON.stringify(sent.result)}`,
      );
  }
}

export function registerRoundViolations(
  path: Replayed<RegisterRoundMachine>,
  input: RegisterRoundInput,
): string[] {
  const out: string[] = [];
  const r = new Record(input);
  for (const [i, { event: e, emitted, before }] of path.steps.entries()) {
    const at = `step ${i + 1} ${e.type}${'n' in e ? `(${e.n} from ${'from' in e ? e.from : '-'})` : ''}`;
    if (r.answered) out.push(`${at}: a step after the round answered`);
    r.hear(e);
    const sent = (emitted as RegisterRoundEmitted[]).filter((m): m is Send => m.type === 'send');
    checkPrepare(
      r,
      sent.filter((s) => s.message.type === 'prepare'),
      before.value === 'backingOff' && before.context.refusals >= 2,
      at,
      out,
    );
    checkAccept(
      r,
      sent.filter((s) => s.message.type === 'accept'),
      at,
      out,
    );
    checkAnswers(r, emitted as RegisterRoundEmitted[], at, out);
  }
  return out;
}
