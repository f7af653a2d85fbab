/**
 * The vocabulary the three roles share: wire messages (what travels between peers)
 * and the numbers and values they carry. Machines consume wire messages as events
 * of the same `type`, so a statechart reads like the protocol: `on: { prepare: ... }`.
 */

/** A peer's id: its line number among the non-empty lines of the hostsfile, from 1. */
export type PeerId = number;
/** A proposer group K: proposerK, its acceptorK holders and its learnerK holders. */
export type GroupId = number;
export type Value = string;

/** "Nothing accepted yet": no real proposal number is 0 (they start at 1). */
export const NO_PROPOSAL = 0;

/** Phase 1a: a proposer asks its acceptors to promise `n`. */
export interface Prepare {
  type: 'prepare';
  from: PeerId;
  group: GroupId;
  n: number;
}

/**
 * Phase 1b. `promised` tells a promise (n was above the acceptor's minProposal, which is
 * now n) from a refusal (minProposal was already >= n). Both report what the acceptor
 * holds, so a refused proposer learns how high it must go next.
 */
export interface PrepareAck {
  type: 'prepare_ack';
  from: PeerId;
  group: GroupId;
  n: number;
  promised: boolean;
  minProposal: number;
  acceptedProposal: number;
  acceptedValue: Value | null;
}

/** Phase 2a: a proposer asks its acceptors to accept (n, value). */
export interface Accept {
  type: 'accept';
  from: PeerId;
  group: GroupId;
  n: number;
  value: Value;
}

/**
 * Phase 2b. Slide 45: the acceptor returns its minProposal; a result above `n` is a
 * rejection, a result equal to `n` means (n, value) is now accepted. `value` is what the
 * acceptor holds after the step, so a learner can learn from acks alone.
 */
export interface AcceptAck {
  type: 'accept_ack';
  from: PeerId;
  group: GroupId;
  n: number;
  minProposal: number;
  value: Value | null;
}

/** The decision: (n, value) was accepted by a majority of the sender's group. */
export interface Chose {
  type: 'chose';
  from: PeerId;
  group: GroupId;
  n: number;
  value: Value;
}

export type Message = Prepare | PrepareAck | Accept | AcceptAck | Chose;
export type MessageType = Message['type'];
export const MESSAGE_TYPES: readonly MessageType[] = [
  'prepare',
  'prepare_ack',
  'accept',
  'accept_ack',
  'chose',
];

/** A message on its way to one peer. Machines emit these; hosts deliver them. */
export interface Send {
  type: 'send';
  to: PeerId;
  message: Message;
}

/** An accept_ack says "accepted" exactly when the returned minProposal is the proposal's own number. */
export const isAcceptance = (ack: AcceptAck): boolean => ack.minProposal === ack.n;

/** Majority of a set of `size` acceptors. */
export const majority = (size: number): number => Math.floor(size / 2) + 1;
