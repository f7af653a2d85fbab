/**
 * The acceptor's local invariants (slide 45), judged on a replayed path. Returns what was
 * violated, so a test can assert both "none" on the real machine and "some" on a faulty one.
 */
import type { AcceptorContext, AcceptorInput } from '../../machines/acceptor';
import type { AcceptAck, PrepareAck, Send } from '../../machines/messages';
import type { Replayed } from './replay';
import type { AcceptorMachine } from './roles';

const durableOf = (c: AcceptorContext) => ({
  minProposal: c.minProposal,
  acceptedProposal: c.acceptedProposal,
  acceptedValue: c.acceptedValue,
});
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function acceptorViolations(path: Replayed<AcceptorMachine>, input: AcceptorInput): string[] {
  const out: string[] = [];
  const start = path.initial.context;
  if (input.durable && !same(durableOf(start), input.durable)) out.push('start: stable storage not restored');
  if (start.acceptedProposal > start.minProposal) out.push('start: acceptedProposal above minProposal');

  for (const [i, { event: e, before, after, emitted }] of path.steps.entries()) {
    const at = `step ${i + 1} ${e.type}(${e.n})`;
    const b = before.context;
    const a = after.context;
    const sends = emitted as Send[];
    if (a.minProposal < b.minProposal)
      out.push(`${at}: minProposal decreased ${b.minProposal} -> ${a.minProposal}`);
    if (a.acceptedProposal > a.minProposal)
      out.push(`${at}: acceptedProposal ${a.acceptedProposal} above minProposal`);
    if (
      sends.some((s) => s.message.from !== input.self || s.message.n !== e.n || s.message.group !== e.group)
    )
      out.push(`${at}: a reply is not this acceptor's answer to this message`);

    if (e.type === 'prepare') {
      const replies = sends.filter((s) => s.message.type === 'prepare_ack');
      const reply = replies[0]?.message as PrepareAck | undefined;
      if (replies.length !== 1 || sends.length !== 1 || replies[0]?.to !== e.from || !reply) {
        out.push(`${at}: expected exactly one prepare_ack to ${e.from}, got ${JSON.stringify(sends)}`);
        continue;
      }
      if (e.n > b.minProposal) {
        if (!reply.promised || a.minProposal !== e.n) out.push(`${at}: a higher prepare was not promised`);
        if (reply.acceptedProposal !== b.acceptedProposal || reply.acceptedValue !== b.acceptedValue)
          out.push(`${at}: the promise does not report what was accepted before`);
        if (a.acceptedProposal !== b.acceptedProposal || a.acceptedValue !== b.acceptedValue)
          out.push(`${at}: a promise changed what was accepted`);
      } else {
        if (reply.promised) out.push(`${at}: promised ${e.n} though minProposal was ${b.minProposal}`);
        if (reply.minProposal !== b.minProposal) out.push(`${at}: the refusal does not report minProposal`);
        if (!same(durableOf(a), durableOf(b))) out.push(`${at}: a refusal changed the acceptor`);
      }
    } else {
      const acks = sends.map((s) => s.message as AcceptAck);
      if (sends.some((s) => s.message.type !== 'accept_ack'))
        out.push(`${at}: an accept was answered with another type`);
      if (e.n < b.minProposal) {
        if (a.acceptedProposal !== b.acceptedProposal || a.acceptedValue !== b.acceptedValue)
          out.push(`${at}: accepted below its promise ${b.minProposal}`);
        if (!same(durableOf(a), durableOf(b))) out.push(`${at}: a rejection changed the acceptor`);
        if (sends.length !== 1 || sends[0]?.to !== e.from || !(acks[0] && acks[0].minProposal > e.n))
          out.push(
            `${at}: expected one rejection to ${e.from} with minProposal > ${e.n}, got ${JSON.stringify(sends)}`,
          );
      } else {
        if (!same(durableOf(a), { minProposal: e.n, acceptedProposal: e.n, acceptedValue: e.value }))
          out.push(`${at}: did not accept (${e.n}, ${e.value}) at or above its promise`);
        const to = sends.map((s) => s.to).sort((x, y) => x - y);
        const expected = [...new Set([e.from, ...(input.learners?.[e.group] ?? [])])].sort((x, y) => x - y);
        if (!same(to, expected))
          out.push(`${at}: acceptance sent to ${to}, expected each of ${expected} once`);
        if (acks.some((m) => m.minProposal !== e.n || m.value !== e.value))
          out.push(`${at}: an acceptance does not say (${e.n}, ${e.value})`);
      }
    }
  }
  return out;
}
