/**
 * A peer as a pure value: the snapshots of the machines it hosts, and one step function
 * that routes an input (a wire message, a start, a timeout) to them and collects what they
 * emit. The TCP runtime, the simulator and the checker all drive peers through this
 * module, so how roles are wired inside a peer is written once.
 *
 * Wiring: prepare and accept go to the peer's one acceptor (if it holds acceptorK for the
 * message's group); prepare_ack and accept_ack go to the peer's proposerK; accept_ack and
 * chose also go to the peer's learner. A proposer's `decided` is told to the learner; the
 * learner's `learned` is the peer's chose line and is told to every proposer it hosts.
 */
import type { SnapshotFrom } from 'xstate';
import { type AcceptorDurable, acceptorDurable, acceptorMachine } from '../../machines/acceptor';
import { type Learned, type LearnerDurable, learnerDurable, learnerMachine } from '../../machines/learner';
import type { GroupId, Message, PeerId, Send, Value } from '../../machines/messages';
import {
  type ProposerDurable,
  type ProposerEmitted,
  type ProposerEvent,
  proposerDurable,
  proposerMachine,
} from '../../machines/proposer';
import { type ClusterConfig, type PeerConfig, peerById, takesPart } from '../config/cluster';
import { makeStepper, type Stepper } from './stepper';

/** The machines a peer runs. Faulty variants (made with `.provide()`) keep these types. */
export interface RoleMachines {
  proposer: typeof proposerMachine;
  acceptor: typeof acceptorMachine;
  learner: typeof learnerMachine;
}

export const roleMachines: RoleMachines = {
  proposer: proposerMachine,
  acceptor: acceptorMachine,
  learner: learnerMachine,
};

export type ProposerSnapshot = SnapshotFrom<typeof proposerMachine>;
export type AcceptorSnapshot = SnapshotFrom<typeof acceptorMachine>;
export type LearnerSnapshot = SnapshotFrom<typeof learnerMachine>;

export interface PeerState {
  /** One proposer per proposerK the peer holds, keyed by K. */
  proposers: Record<GroupId, ProposerSnapshot>;
  /** At most one acceptor, whatever number of acceptorK roles. */
  acceptor?: AcceptorSnapshot;
  /** Present exactly when the peer takes part in some group. */
  learner?: LearnerSnapshot;
}

/** What survives a crash: everything a peer must not forget to stay safe and print once. */
export interface PeerDurable {
  proposers: Record<GroupId, ProposerDurable>;
  acceptor?: AcceptorDurable;
  learner?: LearnerDurable;
}

export type PeerInput =
  | { type: 'deliver'; message: Message }
  /** Start this peer's proposers (or the one of `group`) with its value. */
  | { type: 'start'; value: Value; group?: GroupId }
  | { type: 'timeout'; group: GroupId };

export interface PeerStep {
  state: PeerState;
  /** Messages to send, in the order the machines emitted them. */
  sends: Send[];
  /** Set on the one step where this peer's learner learns: the peer's chose line. */
  learned?: Learned;
  /** False when no machine of this peer takes the input (wrong group, role not held). */
  handled: boolean;
}

export interface PeerLogic {
  readonly cluster: ClusterConfig;
  readonly machines: RoleMachines;
  init(id: PeerId, durable?: PeerDurable): PeerState;
  step(id: PeerId, state: PeerState, input: PeerInput): PeerStep;
  durable(state: PeerState): PeerDurable;
}

type Steppers = {
  proposer: Stepper<typeof proposerMachine>;
  acceptor: Stepper<typeof acceptorMachine>;
  learner: Stepper<typeof learnerMachine>;
};

const byGroup = <T>(groups: readonly GroupId[], f: (g: GroupId) => T): Record<GroupId, T> =>
  Object.fromEntries(groups.map((g) => [g, f(g)]));

export function createPeerLogic(cluster: ClusterConfig, machines: RoleMachines = roleMachines): PeerLogic {
  const steppers: Steppers = {
    proposer: makeStepper(machines.proposer),
    acceptor: makeStepper(machines.acceptor),
    learner: makeStepper(machines.learner),
  };
  const group = (k: GroupId) => {
    const g = cluster.groups.find((x) => x.id === k);
    if (!g) throw new Error(`group ${k} has no proposer in ${cluster.source}`);
    return g;
  };
  const peers = new Map<PeerId, PeerConfig>(cluster.peers.map((p) => [p.id, p]));
  const peer = (id: PeerId) => peers.get(id) ?? peerById(cluster, id);

  function init(id: PeerId, durable?: PeerDurable): PeerState {
    const p = peer(id);
    const state: PeerState = {
      proposers: byGroup(p.proposer, (k) =>
        steppers.proposer.initial({
          self: id,
          group: k,
          groupCount: cluster.groupCount,
          acceptors: group(k).acceptors,
          learners: group(k).learners,
          durable: durable?.proposers[k],
        }),
      ),
    };
    if (p.acceptor.length > 0) {
      state.acceptor = steppers.acceptor.initial({
        self: id,
        learners: byGroup(p.acceptor, (k) => group(k).learners),
        durable: durable?.acceptor,
      });
    }
    if (takesPart(p)) {
      state.learner = steppers.learner.initial({
        self: id,
        groups: byGroup(p.learner, (k) => group(k).acceptors),
        durable: durable?.learner,
      });
    }
    return state;
  }

  function step(id: PeerId, state: PeerState, input: PeerInput): PeerStep {
    const p = peer(id);
    const proposers = { ...state.proposers };
    let { acceptor, learner } = state;
    const sends: Send[] = [];
    let learned: Learned | undefined;
    let handled = false;

    const toLearner = (event: Parameters<Steppers['learner']['step']>[1]) => {
      if (!learner) return;
      handled = true;
      const [next, out] = steppers.learner.step(learner, event);
      learner = next;
      for (const e of out) {
        learned = e;
        for (const k of Object.keys(proposers))
          toProposer(Number(k), { type: 'LEARNED', n: e.n, value: e.value });
      }
    };
    const toProposer = (k: GroupId, event: ProposerEvent) => {
      const snapshot = proposers[k];
      if (!snapshot) return;
      handled = true;
      const [next, out] = steppers.proposer.step(snapshot, event);
      proposers[k] = next;
      for (const e of out as ProposerEmitted[]) {
        if (e.type === 'send') sends.push(e);
        else toLearner({ type: 'decided', n: e.n, value: e.value });
      }
    };

    switch (input.type) {
      case 'start':
        for (const k of p.proposer) {
          if (input.group === undefined || input.group === k)
            toProposer(k, { type: 'START', value: input.value });
        }
        break;
      case 'timeout':
        toProposer(input.group, { type: 'TIMEOUT' });
        break;
      case 'deliver': {
        const m = input.message;
        switch (m.type) {
          case 'prepare':
          case 'accept':
            if (acceptor && p.acceptor.includes(m.group)) {
              handled = true;
              const [next, out] = steppers.acceptor.step(acceptor, m);
              acceptor = next;
              sends.push(...out);
            }
            break;
          case 'prepare_ack':
            toProposer(m.group, m);
            break;
          case 'accept_ack':
            toProposer(m.group, m);
            toLearner(m);
            break;
          case 'chose':
            toLearner(m);
            break;
        }
      }
    }
    const next: PeerState = { proposers };
    if (acceptor) next.acceptor = acceptor;
    if (learner) next.learner = learner;
    return learned ? { state: next, sends, learned, handled } : { state: next, sends, handled };
  }

  function durable(state: PeerState): PeerDurable {
    const d: PeerDurable = {
      proposers: Object.fromEntries(
        Object.entries(state.proposers).map(([k, s]) => [k, proposerDurable(s.context)]),
      ),
    };
    if (state.acceptor) d.acceptor = acceptorDurable(state.acceptor.context);
    if (state.learner) d.learner = learnerDurable(state.learner.context);
    return d;
  }

  return { cluster, machines, init, step, durable };
}
