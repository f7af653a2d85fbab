/**
 * The learner's local invariants, judged on a replayed path: it prints chose at most once
 * in its life (a restart after learning counts as that once), and only when it has grounds:
 * a majority of one group's acceptors accepted the same number, or it was told.
 */
import type { Learned, LearnerInput } from '../../machines/learner';
import { majority } from '../../machines/messages';
import type { Replayed } from './replay';
import type { LearnerMachine } from './roles';

export function learnerViolations(path: Replayed<LearnerMachine>, input: LearnerInput): string[] {
  const out: string[] = [];
  const groups = Object.values(input.groups ?? {});
  let printed = input.durable?.learned ? 1 : 0;
  /** Who accepted each number, with the value they accepted it with. */
  const accepted = new Map<number, Map<number, string | null>>();

  for (const [i, { event: e, emitted }] of path.steps.entries()) {
    const at = `step ${i + 1} ${e.type}(${e.n}${'from' in e ? ` by ${e.from}` : ''})`;
    if (e.type === 'accept_ack' && e.minProposal === e.n) {
      const forN = accepted.get(e.n) ?? new Map<number, string | null>();
      if (!forN.has(e.from)) forN.set(e.from, e.value);
      accepted.set(e.n, forN);
    }
    for (const l of emitted as Learned[]) {
      printed += 1;
      if (printed > 1) out.push(`${at}: learned a second time (${l.n}, ${l.value})`);
      const told = (e.type === 'chose' || e.type === 'decided') && e.n === l.n && e.value === l.value;
      const forN = accepted.get(l.n) ?? new Map<number, string | null>();
      const byMajority = groups.some((acceptors) => {
        const agreeing = acceptors.filter((a) => forN.has(a) && forN.get(a) === l.value);
        return agreeing.length >= majority(acceptors.length);
      });
      if (!told && !byMajority)
        out.push(`${at}: learned (${l.n}, ${l.value}) without a majority of one group or being told`);
    }
  }
  return out;
}
