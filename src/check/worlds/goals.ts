/**
 * `sometimes` goals over worlds of the machines: steps that must be possible, or the checker
 * is exploring less than we think (a guard that never holds, a bound too tight). Each is a
 * predicate on one step, read from the local step the model hands the search.
 */
import type { Message, PeerId, Value } from '../../../machines/messages';
import type { Goal } from '../search';
import type { MachinesModel } from './machinesModel';
import { DELIVER, stepKind, stepSlot } from './packedWorld';

export interface MachineGoal {
  name: string;
  /** The goal as a predicate of the model (it reads the step being visited). */
  build(model: MachinesModel): Goal['reached'];
}

const sent = (model: MachinesModel): Message[] =>
  [...(model.current?.sends ?? [])].map((m) => model.peers.send(m).message);

/** A proposer sends accept with a value other than the one it was started with (slide 46). */
export const acceptsAnotherValue = (peer?: PeerId): MachineGoal => ({
  name: `${peer === undefined ? 'a proposer' : `peer${peer}`} sends accept with a value it did not propose`,
  build: (model) => {
    const own = (group: number): Value | undefined => model.options.values[group];
    return () =>
      sent(model).some(
        (m) => m.type === 'accept' && (peer === undefined || m.from === peer) && m.value !== own(m.group),
      );
  },
});

/** Two proposers are both in their accepting phase at once. */
export const twoAccepting: MachineGoal = {
  name: 'two proposers both reach accepting',
  build: (model) => (_b, _bl, _step, after) => {
    let accepting = 0;
    for (const p of model.world.proposers) {
      const proposer = model.peers.states.value(after[p.slot] as number).proposers[p.group];
      if (proposer?.matches({ undecided: 'accepting' })) accepting++;
    }
    return accepting >= 2;
  },
};

/** An acceptor refuses a prepare or rejects an accept. */
const acceptorRefuses: MachineGoal = {
  name: 'an acceptor refuses',
  build: (model) => (_b, _bl, step) =>
    stepKind(step) === DELIVER &&
    sent(model).some(
      (m) => (m.type === 'prepare_ack' && !m.promised) || (m.type === 'accept_ack' && m.minProposal !== m.n),
    ),
};

/** Never reachable where Agreement holds: the checker must say so. */
export const twoValuesPrinted: MachineGoal = {
  name: 'two peers print chose with different values',
  build: (model) => (_b, _bl, step, after) => {
    const learned = model.current?.learned;
    if (!learned) return false;
    const slot = stepSlot(step);
    return model.world.slots.some(
      (_, s) =>
        s !== slot &&
        (model.peers.fact(after[s] as number).learned?.value ?? learned.value) !== learned.value,
    );
  },
};

/** What `paxos check --goals` asks of every configuration. */
export const MACHINE_GOALS: readonly MachineGoal[] = [acceptsAnotherValue(), twoAccepting, acceptorRefuses];
