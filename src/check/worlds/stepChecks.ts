/**
 * What must hold of every step, beyond the worlds it connects: every message it sends is one
 * the runtime's codec takes at its destination, a peer prints chose at most once and only
 * what was chosen, and the step maps to an action of the spec or a stutter.
 */
import type { Breach } from '../model';
import type { Invariants } from './invariants';
import { CRASH, stepKind, stepSlot, type WorldModel } from './packedWorld';
import type { LocalStep } from './peerTable';
import type { RefinementChecker } from './refinement';

export interface SearchContext {
  world: WorldModel;
  invariants: Invariants;
  refinement: RefinementChecker<unknown> | null;
}

const UNMAPPED = 'this step maps to no action of Next in spec/Paxos.tla';

/** The step's breach of learner integrity or of refinement, or null. */
export function checkStep(
  ctx: SearchContext,
  before: Int32Array,
  code: number,
  after: Int32Array,
  local: LocalStep | null,
): Breach | null {
  const { world, invariants, refinement } = ctx;
  const slot = stepSlot(code);
  if (!local) {
    // A restart must bring back what the acceptor had on stable storage: anything else is
    // a change of spec variables that no action of Next makes.
    if (refinement && stepKind(code) === CRASH) {
      const changed =
        world.peers.fact(before[slot] as number).acceptorId !==
        world.peers.fact(after[slot] as number).acceptorId;
      if (changed && refinement.action(before, after) === null)
        return { invariant: 'Refinement', detail: UNMAPPED };
    }
    return null;
  }
  if (local.refused) return { invariant: 'WireValid', detail: local.refused };
  const learning = invariants.checkLearning(
    world.peers.fact(before[slot] as number),
    local.learned,
    after[world.history] as number,
    local.printsAgain,
  );
  if (learning) return learning;
  if (refinement && (local.acceptorChanged || after[world.history] !== before[world.history])) {
    if (refinement.action(before, after) === null) return { invariant: 'Refinement', detail: UNMAPPED };
  }
  return null;
}
