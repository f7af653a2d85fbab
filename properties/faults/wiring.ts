/**
 * A faulty wiring: a peer that holds acceptorK for several groups runs one acceptor per
 * group, each with its own promises, instead of one acceptor for all. Every acceptor is the
 * real machine and is correct on its own; what breaks is that two groups' quorums no longer
 * meet in a shared promise, so each group can choose its own value.
 *
 * src/peer/node.ts wires one acceptor per peer and has no switch for this (rightly: it is a
 * fault), so the variant wraps the real peer logic and only re-routes prepare and accept.
 * `acceptor` shows the lowest group's acceptor, so per-acceptor properties see one correct
 * acceptor and the fault has to be caught by what it really breaks.
 */
import type { AcceptorDurable } from '../../machines/acceptor';
import { acceptorDurable } from '../../machines/acceptor';
import type { GroupId, PeerId } from '../../machines/messages';
import { type ClusterConfig, peerById } from '../../src/config/cluster';
import {
  type AcceptorSnapshot,
  createPeerLogic,
  type PeerDurable,
  type PeerLogic,
  type PeerState,
  roleMachines,
} from '../../src/peer/node';
import { makeStepper } from '../../src/peer/stepper';
import { testcase2 } from '../../src/sim/clusters';
import type { Fault } from './variant';

type SplitState = PeerState & { groupAcceptors?: Record<GroupId, AcceptorSnapshot> };
type SplitDurable = PeerDurable & { groupAcceptors?: Record<GroupId, AcceptorDurable> };

function acceptorPerGroupLogic(cluster: ClusterConfig): PeerLogic {
  const base = createPeerLogic(cluster, roleMachines);
  const acceptor = makeStepper(roleMachines.acceptor);
  const learnersOf = (k: GroupId) => cluster.groups.find((g) => g.id === k)?.learners ?? [];
  const groupsOf = (id: PeerId) => peerById(cluster, id).acceptor;
  const withGroups = (state: PeerState, groupAcceptors: Record<GroupId, AcceptorSnapshot> | undefined) => {
    if (!groupAcceptors) return state;
    const shown = groupAcceptors[Math.min(...Object.keys(groupAcceptors).map(Number))];
    const next: SplitState = { ...state, groupAcceptors };
    if (shown) next.acceptor = shown;
    return next;
  };

  return {
    cluster,
    machines: roleMachines,
    init(id, durable) {
      const state = base.init(id, durable);
      const groups = groupsOf(id);
      if (groups.length === 0) return state;
      const saved = (durable as SplitDurable | undefined)?.groupAcceptors;
      const groupAcceptors = Object.fromEntries(
        groups.map((k) => [
          k,
          acceptor.initial({ self: id, learners: { [k]: learnersOf(k) }, durable: saved?.[k] }),
        ]),
      );
      return withGroups(state, groupAcceptors);
    },
    step(id, state, input) {
      const own = (state as SplitState).groupAcceptors;
      if (input.type === 'deliver' && (input.message.type === 'prepare' || input.message.type === 'accept')) {
        const m = input.message;
        const snapshot = own?.[m.group];
        if (!snapshot) return { state, sends: [], timers: [], handled: false, save: false };
        const [next, sends] = acceptor.step(snapshot, m);
        return {
          state: withGroups(state, { ...own, [m.group]: next }),
          sends,
          timers: [],
          handled: true,
          save: next.context !== snapshot.context,
        };
      }
      const r = base.step(id, state, input);
      return { ...r, state: withGroups(r.state, own) };
    },
    observe(f) {
      base.observe(f);
      acceptor.observe = f ? (taken) => f(acceptor.machine, taken) : null;
    },
    durable(state) {
      const d: SplitDurable = base.durable(state);
      const own = (state as SplitState).groupAcceptors;
      if (own)
        d.groupAcceptors = Object.fromEntries(
          Object.entries(own).map(([k, s]) => [k, acceptorDurable(s.context)]),
        );
      return d;
    },
  };
}

export const acceptorPerGroup: Fault = {
  name: 'acceptor-per-group',
  description:
    'a peer with acceptorK for several groups keeps a separate acceptor (separate promises) per group',
  cluster: testcase2,
  logic: acceptorPerGroupLogic,
  caughtBy: 'Agreement',
};
