/**
 * The refinement mapping from worlds of register peers (src/registers/world.ts, the real
 * machines) to spec/Registers.tla: every step of the machines is a step of the spec or
 * leaves the mapped state as it was.
 *
 * Most of the spec's state is read off the world: the acceptors' variables from the key's
 * acceptor machines, msgs from the messages sent (the set network keeps every one), opIdx
 * from the clients. What the machines do not keep is carried from the previous mapped
 * state (a ghost, as history variables are in TLA+): the operation, the answer and the
 * vote read by an accept, which only its sender's round knew when it sent it, and `done`.
 */
import { type AcceptorDurable, acceptorDurable } from '../../../machines/acceptor';
import { type Message, NO_PROPOSAL, type PeerId } from '../../../machines/messages';
import { decodeRegister, type Operation } from '../../../machines/register';
import type { RegisterRoundContext } from '../../../machines/registerRound';
import { highestAccepted } from '../../../machines/round';
import {
  Abandon,
  Accept,
  AcceptAck,
  Complete,
  Init,
  type Msg2a,
  type Op,
  Prepare,
  PrepareAck,
  type Reg,
  type RegistersParams,
  type RegistersState,
  type RegMessage,
  send,
  stateKey,
  withElement,
} from '../../../spec/registers';
import type { RegisterPeerState } from '../../registers/peer';

/** The machines' proposal number n is the spec's ballot n - 1: both give proposer p the residue of its group. */
const ballot = (n: number): number => n - 1;

const reg = (value: string | null): Reg => {
  const s = decodeRegister(value);
  return { val: s.value, ver: s.version };
};

const specOp = (op: Operation): Op =>
  op.kind === 'get'
    ? { kind: 'get' }
    : op.kind === 'put'
      ? { kind: 'put', val: op.value, ver: op.ifVersion ?? -1 }
      : { kind: 'delete', ver: op.ifVersion ?? -1 };

/** The spec's constants for peers (each a proposer group and an acceptor) and each group's operations. */
export function specParams(
  peers: readonly PeerId[],
  ops: readonly (readonly Operation[])[],
): RegistersParams {
  const majority = Math.floor(peers.length / 2) + 1;
  const quorums: PeerId[][] = [];
  const pick = (from: number, chosen: PeerId[]) => {
    if (chosen.length === majority) quorums.push(chosen);
    else for (let i = from; i < peers.length; i++) pick(i + 1, [...chosen, peers[i] as PeerId]);
  };
  pick(0, []);
  return {
    acceptors: peers,
    quorums,
    ops: ops.map((o) => o.map(specOp)),
    maxBallot: Number.POSITIVE_INFINITY,
  };
}

export const initialSpecState = Init;

/**
 * What the mapping reads of a world: each acceptor's durable state and each peer's round
 * on the key, the messages the step sent, and each group's current operation, 1-based.
 * Both the checker's worlds and a real run's replay (src/trace/serve/) provide it.
 */
export interface MappedWorld {
  key: string;
  messages: readonly Message[];
  opIdx: readonly number[];
  acceptor(id: PeerId): AcceptorDurable | null;
  round(id: PeerId): RegisterRoundContext | undefined;
}

/** The view of a world of register peers (undefined: a peer that is down). */
export function peersView(
  peers: readonly (RegisterPeerState | undefined)[],
  key: string,
): Pick<MappedWorld, 'acceptor' | 'round'> {
  return {
    acceptor: (id) => {
      const s = peers[id]?.acceptors[key];
      return s ? acceptorDurable(s.context) : null;
    },
    round: (id) => peers[id]?.rounds[key]?.snapshot.context,
  };
}

/** The spec message a machine message stands for, or null for one the spec has no word for (a refusal). */
function specMessage(world: MappedWorld, before: RegistersState, m: Message): RegMessage | null {
  switch (m.type) {
    case 'prepare':
      return { type: '1a', bal: ballot(m.n) };
    case 'prepare_ack':
      if (!m.promised) return null;
      return {
        type: '1b',
        acc: m.from,
        bal: ballot(m.n),
        mbal: ballot(m.acceptedProposal),
        mval: m.acceptedProposal === NO_PROPOSAL ? null : reg(m.acceptedValue),
      };
    case 'accept':
      return (
        before.msgs.find((x): x is Msg2a => x.type === '2a' && x.bal === ballot(m.n)) ?? newAccept(world, m)
      );
    case 'accept_ack':
      if (m.minProposal !== m.n) return null;
      return { type: '2b', acc: m.from, bal: ballot(m.n), val: reg(m.value) };
    case 'chose':
      return null;
  }
}

/** An accept its sender's round has just sent: what the round read and what it answers. */
function newAccept(world: MappedWorld, m: Message & { type: 'accept' }): Msg2a {
  const round = world.round(m.from);
  if (!round || round.n !== m.n || !round.operation)
    throw new Error(`accept ${m.n} from peer ${m.from} without the round that sent it`);
  const read = highestAccepted(round.promises);
  const op = round.operation;
  return {
    type: '2a',
    bal: ballot(m.n),
    val: reg(m.value),
    ok: op.kind === 'get' || round.result?.outcome === 'ok',
    op: [m.group, world.opIdx[m.group - 1] as number],
    pbal: read ? ballot(read.acceptedProposal) : -1,
    pval: read ? reg(read.acceptedValue) : null,
  };
}

/** An operation answered (ok or refused) in this step, at its round's number. */
export interface Answered {
  group: number;
  n: number;
}

/** The spec state of `world`, given the state its previous world mapped to and what this step answered. */
export function mapWorld(
  params: RegistersParams,
  world: MappedWorld,
  before: RegistersState,
  answered: readonly Answered[],
): RegistersState {
  let msgs: RegistersState = before;
  for (const m of world.messages) {
    const x = specMessage(world, before, m);
    if (x) msgs = send(msgs, x);
  }
  const acceptors = params.acceptors.map((a) => world.acceptor(a));
  const pBal = params.ops.map((_, i) =>
    Math.max(
      -1,
      ...msgs.msgs.filter((m) => m.type === '1a' && m.bal % params.ops.length === i).map((m) => m.bal),
    ),
  );
  let done = before.done;
  for (const a of answered)
    done = withElement(done, {
      op: [a.group, before.opIdx[a.group - 1] as number],
      bal: ballot(a.n),
      invoked: before.opIdx,
    });
  return {
    maxBal: acceptors.map((a) => (a ? ballot(a.minProposal) : -1)),
    maxVBal: acceptors.map((a) => (a ? ballot(a.acceptedProposal) : -1)),
    maxVal: acceptors.map((a) => (a && a.acceptedProposal !== NO_PROPOSAL ? reg(a.acceptedValue) : null)),
    msgs: msgs.msgs,
    opIdx: world.opIdx,
    pBal,
    done,
  };
}

/** The spec's steps from `s` that could lead to `after`: Next, with Prepare's ballots taken from after's prepares. */
function candidates(p: RegistersParams, s: RegistersState, after: RegistersState): RegistersState[] {
  const out: (RegistersState | null)[] = [];
  const proposers = p.ops.map((_, i) => i + 1);
  const known = new Set(s.msgs.map((m) => JSON.stringify(m)));
  const newPrepares = after.msgs.filter((m) => m.type === '1a' && !known.has(JSON.stringify(m)));
  for (const q of proposers) {
    for (const m of newPrepares) out.push(Prepare(p, s, q, m.bal));
    for (const h of s.msgs) if (h.type === '1b') out.push(Accept(p, s, q, h));
    for (const m of s.msgs) if (m.type === '2a') out.push(Complete(p, s, q, m));
    out.push(Abandon(p, s, q));
  }
  for (const a of p.acceptors)
    for (const m of s.msgs) {
      if (m.type === '1a') out.push(PrepareAck(p, s, a, m));
      if (m.type === '2a') out.push(AcceptAck(p, s, a, m));
    }
  return out.filter((x): x is RegistersState => x !== null);
}

/** Whether `before` to `after` is a step of the spec or a stutter. */
export function isSpecStep(p: RegistersParams, before: RegistersState, after: RegistersState): boolean {
  const k = stateKey(after);
  return k === stateKey(before) || candidates(p, before, after).some((c) => stateKey(c) === k);
}
