/**
 * The proposer's local invariants (slides 45-46), judged on a replayed path by a monitor
 * that keeps its own record of what the proposer was told, independent of its context.
 */
import {
  type Accept,
  type Chose,
  majority,
  NO_PROPOSAL,
  type Prepare,
  type Send,
} from '../../machines/messages';
import { nextProposalNumber, ownsNumber } from '../../machines/proposalNumbers';
import type { Decided, ProposerEmitted, ProposerInput } from '../../machines/proposer';
import type { Replayed } from './replay';
import type { ProposerMachine } from './roles';

interface Reported {
  acceptedProposal: number;
  acceptedValue: string | null;
}

export function proposerViolations(path: Replayed<ProposerMachine>, input: ProposerInput): string[] {
  const out: string[] = [];
  const members = new Set(input.acceptors);
  const quorum = majority(input.acceptors.length);
  const sorted = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);
  const audience = sorted(
    new Set([...input.acceptors, ...(input.learners ?? [])].filter((p) => p !== input.self)),
  );

  let ownValue: string | null = null;
  let round = input.durable?.n ?? NO_PROPOSAL;
  let highestReported = round;
  /** First promise of each member, per number. */
  const promises = new Map<number, Map<number, Reported>>();
  const acceptances = new Map<number, Set<number>>();
  const valueSent = new Map<number, string>();
  // A decision recovered from stable storage is known as a LEARNED one is.
  const learned: { n: number; value: string }[] = input.durable?.chosen ? [input.durable.chosen] : [];

  for (const [i, { event: e, emitted }] of path.steps.entries()) {
    const at = `step ${i + 1} ${e.type}${'n' in e ? `(${e.n} from ${'from' in e ? e.from : '-'})` : ''}`;
    switch (e.type) {
      case 'START':
        ownValue = e.value;
        break;
      case 'LEARNED':
        learned.push({ n: e.n, value: e.value });
        break;
      case 'prepare_ack': {
        highestReported = Math.max(highestReported, e.minProposal, e.acceptedProposal);
        const forN = promises.get(e.n) ?? new Map<number, Reported>();
        promises.set(e.n, forN);
        if (e.promised && members.has(e.from) && !forN.has(e.from))
          forN.set(e.from, { acceptedProposal: e.acceptedProposal, acceptedValue: e.acceptedValue });
        break;
      }
      case 'accept_ack': {
        highestReported = Math.max(highestReported, e.minProposal);
        if (e.minProposal === e.n && members.has(e.from)) {
          const forN = acceptances.get(e.n) ?? new Set<number>();
          forN.add(e.from);
          acceptances.set(e.n, forN);
        }
        break;
      }
      default:
        break;
    }

    const sent = (emitted as ProposerEmitted[]).filter((m): m is Send => m.type === 'send');
    const decided = (emitted as ProposerEmitted[]).filter((m): m is Decided => m.type === 'decided');
    const prepares = sent.filter((s) => s.message.type === 'prepare');
    const accepts = sent.filter((s) => s.message.type === 'accept');
    const choses = sent.filter((s) => s.message.type === 'chose');

    const firstPrepare = prepares[0]?.message as Prepare | undefined;
    if (firstPrepare && input.durable?.chosen)
      out.push(`${at}: prepare(${firstPrepare.n}) from a proposer that decided before its restart`);
    if (firstPrepare) {
      const n = firstPrepare.n;
      if (prepares.some((s) => (s.message as Prepare).n !== n)) out.push(`${at}: one round, two numbers`);
      if (!ownsNumber(input.group, input.groupCount, n))
        out.push(`${at}: prepare(${n}) is not its own number`);
      if (n <= round) out.push(`${at}: prepare(${n}) does not increase on ${round}`);
      const expected = nextProposalNumber(input.group, input.groupCount, Math.max(round, highestReported));
      if (n !== expected)
        out.push(`${at}: prepare(${n}), but the smallest own number above all seen is ${expected}`);
      if (!sameList(sorted(prepares.map((s) => s.to)), sorted(members)))
        out.push(`${at}: prepare not sent once to each acceptor of the group`);
      round = n;
    }

    const firstAccept = accepts[0]?.message as Accept | undefined;
    if (firstAccept) {
      const { n, value } = firstAccept;
      if (accepts.some((s) => (s.message as Accept).n !== n || (s.message as Accept).value !== value))
        out.push(`${at}: one accept broadcast, two proposals`);
      if (n !== round) out.push(`${at}: accept(${n}) outside its current round ${round}`);
      if (!sameList(sorted(accepts.map((s) => s.to)), sorted(members)))
        out.push(`${at}: accept not sent once to each acceptor of the group`);
      const promisedBy = [...(promises.get(n)?.values() ?? [])];
      if (promisedBy.length < quorum)
        out.push(`${at}: accept(${n}) after ${promisedBy.length} promises, a majority is ${quorum}`);
      let highest: Reported | undefined;
      for (const p of promisedBy)
        if (p.acceptedProposal !== NO_PROPOSAL && (!highest || p.acceptedProposal > highest.acceptedProposal))
          highest = p;
      const expected = highest ? highest.acceptedValue : ownValue;
      if (value !== expected)
        out.push(
          `${at}: accept(${n}, ${value}), but the promises call for ${expected} (highest accepted, else its own)`,
        );
      const before = valueSent.get(n);
      if (before !== undefined && before !== value)
        out.push(`${at}: number ${n} sent with ${before} and ${value}`);
      valueSent.set(n, value);
    }

    const majorityFor = (n: number, value: string) =>
      (acceptances.get(n)?.size ?? 0) >= quorum && valueSent.get(n) === value;
    for (const s of choses) {
      const { n, value } = s.message as Chose;
      const told = learned.some((l) => l.n === n && l.value === value);
      if (!majorityFor(n, value) && !told)
        out.push(
          `${at}: chose(${n}, ${value}) without a majority of acceptances of (${n}, ${value}) or a LEARNED`,
        );
    }
    if (choses.length > 0 && !sameList(sorted(choses.map((s) => s.to)), audience))
      out.push(`${at}: chose not sent once to each acceptor and learner of the group`);
    for (const d of decided)
      if (!majorityFor(d.n, d.value))
        out.push(`${at}: decided(${d.n}, ${d.value}) without a majority of acceptances`);
  }
  return out;
}

const sameList = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);
