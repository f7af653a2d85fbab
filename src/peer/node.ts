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
import type { AnyStateMachine, AnyTransitionDefinition, SnapshotFrom } from 'xstate';
import {
  type AcceptorDurable,
  type AcceptorEvent,
  acceptorDurable,
  acceptorMachine,
} from '../../machines/acceptor';
import {
  type Learned,
  type LearnerDurable,
  type LearnerEvent,
  learnerDurable,
  learnerMachine,
} from '../../machines/learner';
import type { GroupId, Message, PeerId, Send, Value } from '../../machines/messages';
import {
  type ProposerDurable,
  type ProposerEvent,
  proposerDurable,
  proposerMachine,
} from '../../machines/proposer';
import type { Timer } from '../../machines/timers';
import {
  type ClusterConfig,
  type GroupConfig,
  type PeerConfig,
  peerById,
  takesPart,
} from '../config/cluster';
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

type ProposerSnapshot = SnapshotFrom<typeof proposerMachine>;
export type AcceptorSnapshot = SnapshotFrom<typeof acceptorMachine>;
type LearnerSnapshot = SnapshotFrom<typeof learnerMachine>;

export interface PeerState {
  /** One proposer per proposerK the peer holds, keyed by K. */
  proposers: Record<GroupId, ProposerSnapshot>;
  /** At most one acceptor, whatever number of acceptorK roles. */
  acceptor?: AcceptorSnapshot;
  /** Present exactly when the peer takes part in some group. */
  learner?: LearnerSnapshot;
  /**
   * The timer each proposer armed last and that has not fired yet (machines/timers.ts).
   * Kept from the machines' effects, never read off their states: a TIMEOUT reaches a
   * proposer exactly while its timer is armed, in every host.
   */
  timers: Record<GroupId, Timer>;
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
  /** The timer of proposer `group` fired; ignored unless one is armed. */
  | { type: 'timeout'; group: GroupId };

/** A timer a proposer armed in this step, for the host to carry out. */
export interface TimerEffect {
  group: GroupId;
  timer: Timer;
}

export interface PeerStep {
  state: PeerState;
  /** Messages to send, in the order the machines emitted them. */
  sends: Send[];
  /** Timers armed in this step, in order; each replaces the group's previous one. */
  timers: TimerEffect[];
  /** Set on the one step where this peer's learner learns: the peer's chose line. */
  learned?: Learned;
  /** False when no machine of this peer takes the input (wrong group, role not held, no timer armed). */
  handled: boolean;
  /**
   * True when the step changed what the peer must not forget (`PeerLogic.durable`): the host
   * saves it before anything of the step leaves, and writes nothing when this is false, as
   * etcd's Ready carries an empty HardState when nothing changed.
   */
  save: boolean;
}

export interface PeerLogic {
  readonly cluster: ClusterConfig;
  readonly machines: RoleMachines;
  init(id: PeerId, durable?: PeerDurable): PeerState;
  step(id: PeerId, state: PeerState, input: PeerInput): PeerStep;
  durable(state: PeerState): PeerDurable;
  /**
   * While set, told every transition definition the peer's machines take in `init` and
   * `step`, with the machine that took it (the checker's coverage; null: off).
   */
  observe(f: ((machine: AnyStateMachine, taken: readonly AnyTransitionDefinition[]) => void) | null): void;
}

/** One event on its way to one machine of the peer. */
type Work =
  | { to: 'proposer'; group: GroupId; event: ProposerEvent }
  | { to: 'acceptor'; event: AcceptorEvent }
  | { to: 'learner'; event: LearnerEvent };

type Steppers = {
  proposer: Stepper<typeof proposerMachine>;
  acceptor: Stepper<typeof acceptorMachine>;
  learner: Stepper<typeof learnerMachine>;
};

const byGroup = <T>(groups: readonly GroupId[], f: (g: GroupId) => T): Record<GroupId, T> =>
  Object.fromEntries(groups.map((g) => [g, f(g)]));

/**
 * The work an input makes for the peer's machines, in order (reversed, for popping), and
 * its timers once a timeout has fired.
 */
function route(
  p: PeerConfig,
  timersBefore: PeerState['timers'],
  input: PeerInput,
): { work: Work[]; timers: PeerState['timers'] } {
  let timers = timersBefore;
  const work: Work[] = [];
  switch (input.type) {
    case 'start':
      for (const k of p.proposer) {
        if (input.group === undefined || input.group === k)
          work.push({ to: 'proposer', group: k, event: { type: 'START', value: input.value } });
      }
      break;
    case 'timeout':
      if (timers[input.group]) {
        timers = { ...timers };
        delete timers[input.group];
        work.push({ to: 'proposer', group: input.group, event: { type: 'TIMEOUT' } });
      }
      break;
    case 'deliver': {
      const m = input.message;
      switch (m.type) {
        case 'prepare':
        case 'accept':
          if (p.acceptor.includes(m.group)) work.push({ to: 'acceptor', event: m });
          break;
        case 'prepare_ack':
          work.push({ to: 'proposer', group: m.group, event: m });
          break;
        case 'accept_ack':
          work.push({ to: 'proposer', group: m.group, event: m }, { to: 'learner', event: m });
          break;
        case 'chose':
          work.push({ to: 'learner', event: m });
          break;
      }
    }
  }
  work.reverse();
  return { work, timers };
}

/** A peer's snapshots: fresh, or recovered from its stable storage. */
function initialState(
  steppers: Steppers,
  cluster: ClusterConfig,
  group: (k: GroupId) => GroupConfig,
  id: PeerId,
  p: PeerConfig,
  durable: PeerDurable | undefined,
): PeerState {
  const state: PeerState = {
    timers: {},
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

/** Whether a machine's step changed its durable part (contexts are immutable: same object, same state). */
function changed<C>(before: C, after: C, durable: (c: C) => object): boolean {
  return before !== after && !sameValue(durable(before), durable(after));
}

/** Structural equality of the small plain values durable states are made of. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => sameValue(x[k], y[k]));
}

function durableOfState(state: PeerState): PeerDurable {
  const d: PeerDurable = {
    proposers: Object.fromEntries(
      Object.entries(state.proposers).map(([k, s]) => [k, proposerDurable(s.context)]),
    ),
  };
  if (state.acceptor) d.acceptor = acceptorDurable(state.acceptor.context);
  if (state.learner) d.learner = learnerDurable(state.learner.context);
  return d;
}

/** Whether proposer `group` of this peer would take a START now (the host's start button). */
export function canStart(state: PeerState, group: GroupId): boolean {
  return state.proposers[group]?.can({ type: 'START', value: '' }) ?? false;
}

/** A peer's step under way: its machines so far and what they have produced. */
interface Stepping {
  proposers: Record<GroupId, ProposerSnapshot>;
  timers: PeerState['timers'];
  acceptor: AcceptorSnapshot | undefined;
  learner: LearnerSnapshot | undefined;
  sends: Send[];
  armed: TimerEffect[];
  learned: Learned | undefined;
  handled: boolean;
  save: boolean;
}

/**
 * One event through one machine of the peer. What it emits for another machine of the
 * same peer (a proposer's `decided`, the learner's `learned`) is returned as work of its
 * own, handled before the rest, as a direct call would be.
 */
function stepMachine(steppers: Steppers, acc: Stepping, item: Work): Work[] {
  const next: Work[] = [];
  switch (item.to) {
    case 'acceptor': {
      if (!acc.acceptor) break;
      acc.handled = true;
      const [snapshot, out] = steppers.acceptor.step(acc.acceptor, item.event);
      acc.save ||= changed(acc.acceptor.context, snapshot.context, acceptorDurable);
      acc.acceptor = snapshot;
      acc.sends.push(...out);
      break;
    }
    case 'proposer': {
      const before = acc.proposers[item.group];
      if (!before) break;
      acc.handled = true;
      const [snapshot, out] = steppers.proposer.step(before, item.event);
      acc.save ||= changed(before.context, snapshot.context, proposerDurable);
      acc.proposers[item.group] = snapshot;
      for (const e of out) {
        if (e.type === 'send') acc.sends.push(e);
        else if (e.type === 'arm') {
          acc.armed.push({ group: item.group, timer: e.timer });
          acc.timers = { ...acc.timers, [item.group]: e.timer };
        } else next.push({ to: 'learner', event: e });
      }
      break;
    }
    case 'learner': {
      if (!acc.learner) break;
      acc.handled = true;
      const [snapshot, out] = steppers.learner.step(acc.learner, item.event);
      acc.save ||= changed(acc.learner.context, snapshot.context, learnerDurable);
      acc.learner = snapshot;
      for (const e of out) {
        acc.learned = e;
        for (const k of Object.keys(acc.proposers))
          next.push({ to: 'proposer', group: Number(k), event: { type: 'LEARNED', n: e.n, value: e.value } });
      }
      break;
    }
  }
  return next;
}

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

  const init = (id: PeerId, durable?: PeerDurable): PeerState =>
    initialState(steppers, cluster, group, id, peer(id), durable);

  /**
   * Routes one input through the peer's machines: one loop over a stack of work, each item
   * one machine's step (stepMachine), so the order of effects is that of the emits.
   */
  function step(id: PeerId, state: PeerState, input: PeerInput): PeerStep {
    const routed = route(peer(id), state.timers, input);
    const work = routed.work;
    const acc: Stepping = {
      proposers: { ...state.proposers },
      timers: routed.timers,
      acceptor: state.acceptor,
      learner: state.learner,
      sends: [],
      armed: [],
      learned: undefined,
      handled: false,
      save: false,
    };
    for (let item = work.pop(); item; item = work.pop()) {
      const next = stepMachine(steppers, acc, item);
      for (let i = next.length - 1; i >= 0; i--) work.push(next[i] as Work);
    }
    const after: PeerState = { proposers: acc.proposers, timers: acc.timers };
    if (acc.acceptor) after.acceptor = acc.acceptor;
    if (acc.learner) after.learner = acc.learner;
    const { sends, armed, learned, handled, save } = acc;
    return learned
      ? { state: after, sends, timers: armed, learned, handled, save }
      : { state: after, sends, timers: armed, handled, save };
  }

  function observe(
    f: ((machine: AnyStateMachine, taken: readonly AnyTransitionDefinition[]) => void) | null,
  ) {
    for (const stepper of Object.values(steppers) as Stepper<AnyStateMachine>[])
      stepper.observe = f ? (taken) => f(stepper.machine, taken) : null;
  }

  return { cluster, machines, init, step, durable: durableOfState, observe };
}
