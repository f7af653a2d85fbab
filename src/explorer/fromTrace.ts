/**
 * A real run's structured traces (`paxos cluster --trace-dir`, `paxos peer --trace`) as a
 * path of the reference world: the records in the order paxos trace's merge places them,
 * each record's input as the action that gave it (a later boot is a crash and restart).
 * A message the real network delivered twice, or a record a crash set aside, has no
 * action of its own; the path then stops being enabled and loading says at which step.
 */
import type { ClusterConfig } from '../config/cluster';
import { placeStructured, type StructuredInput } from '../trace/structured';
import type { Action } from '../world/action';

export function actionsOfTraces(cluster: ClusterConfig, inputs: readonly StructuredInput[]): Action[] {
  const { records } = placeStructured(cluster, inputs);
  const booted = new Set<number>();
  const actions: Action[] = [];
  for (const { record: r, setAside } of records) {
    if (setAside) continue;
    const input = r.input;
    if (input.kind === 'boot') {
      if (booted.has(r.id)) actions.push({ kind: 'restart', peer: r.id });
      booted.add(r.id);
    } else if (input.kind === 'receive') {
      actions.push({ kind: 'deliver', send: { type: 'send', to: r.id, message: input.message } });
    } else if (input.kind === 'timeout') actions.push({ kind: 'timeout', group: input.group });
    else {
      const group = cluster.peers.find((p) => p.id === r.id)?.proposer[0];
      if (group !== undefined) actions.push({ kind: 'start', group, value: input.value });
    }
  }
  return actions;
}
