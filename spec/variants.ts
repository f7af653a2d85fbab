/**
 * Deliberately broken variants of the spec's actions: a checker is only trusted once it
 * has caught one. Each replaces one action of spec/paxos.ts by the mistake an implementer
 * might make; src/check/packedSpec.ts implements the same variants, held equal by a test.
 */
import {
  type Acceptor,
  type Ballot,
  type Msg2a,
  type SpecActions,
  type SpecParams,
  type SpecState,
  sent,
  specActions,
  type Value,
  withMessage,
} from './paxos';

export type SpecVariant = 'Paxos' | 'AcceptAckIgnoresPromise' | 'AcceptIgnoresReportedVotes';
export const SPEC_VARIANTS: readonly SpecVariant[] = [
  'Paxos',
  'AcceptAckIgnoresPromise',
  'AcceptIgnoresReportedVotes',
];

/** An acceptor that votes for any accept it receives, even below a ballot it promised. */
function AcceptAckIgnoresPromise(_p: SpecParams, s: SpecState, a: Acceptor, m: Msg2a): SpecState | null {
  if (!sent(s.msgs, m)) return null;
  return {
    maxBal: { ...s.maxBal, [a]: m.bal },
    maxVBal: { ...s.maxVBal, [a]: m.bal },
    maxVal: { ...s.maxVal, [a]: m.val },
    msgs: withMessage(s.msgs, { type: '2b', acc: a, bal: m.bal, val: m.val }),
  };
}

/** A proposer that, holding a quorum's promises, proposes its own value whatever votes they report. */
function AcceptIgnoresReportedVotes(p: SpecParams, s: SpecState, b: Ballot, v: Value): SpecState | null {
  if (s.msgs.some((m) => m.type === '2a' && m.bal === b)) return null;
  const promised = (Q: readonly Acceptor[]) =>
    Q.every((a) => s.msgs.some((m) => m.type === '1b' && m.acc === a && m.bal === b));
  if (!p.quorums.some(promised)) return null;
  return { ...s, msgs: withMessage(s.msgs, { type: '2a', bal: b, val: v }) };
}

export const variantActions: Readonly<Record<SpecVariant, SpecActions>> = {
  Paxos: specActions,
  AcceptAckIgnoresPromise: { ...specActions, AcceptAck: AcceptAckIgnoresPromise },
  AcceptIgnoresReportedVotes: { ...specActions, Accept: AcceptIgnoresReportedVotes },
};
