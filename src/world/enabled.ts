/**
 * The actions enabled in a world of the reference: what may happen next. The checker's
 * successors are an encoding of these (held step-equal by test/check/stepEquality.test.ts);
 * the explorer offers them as buttons.
 */
import type { GroupId, Send, Value } from '../../machines/messages';
import { takesPart } from '../config/cluster';
import { canStart } from '../peer/node';
import { type Action, sameSend } from './action';
import type { Simulator, World } from './world';

/** Which faults the network and the hosts may inject. */
export interface Faults {
  drop: boolean;
  duplicate: boolean;
  restart: boolean;
}

const ALL_FAULTS: Faults = { drop: true, duplicate: true, restart: true };

/** The messages in flight, each once however many copies travel, in the order they were sent. */
function distinctInFlight(w: World): Send[] {
  const out: Send[] = [];
  for (const s of w.inFlight) if (!out.some((o) => sameSend(o, s))) out.push(s);
  return out;
}

/**
 * Every action enabled in `w`: a START for each proposer that would take one (with its
 * value from `values`), a TIMEOUT for each armed timer, each message delivered, dropped or
 * copied, each participating peer restarted, as `faults` allow.
 */
export function enabledActions(
  sim: Simulator,
  w: World,
  values: (group: GroupId) => Value,
  faults: Faults = ALL_FAULTS,
): Action[] {
  const actions: Action[] = [];
  for (const g of sim.cluster.groups) {
    const state = w.peers[g.proposer];
    if (!state) continue;
    if (canStart(state, g.id)) actions.push({ kind: 'start', group: g.id, value: values(g.id) });
    else if (state.timers[g.id]) actions.push({ kind: 'timeout', group: g.id });
  }
  for (const send of distinctInFlight(w)) {
    actions.push({ kind: 'deliver', send });
    if (faults.drop) actions.push({ kind: 'drop', send });
    if (faults.duplicate) actions.push({ kind: 'duplicate', send });
  }
  if (faults.restart)
    for (const p of sim.cluster.peers) if (takesPart(p)) actions.push({ kind: 'restart', peer: p.id });
  return actions;
}
