/**
 * A counterexample of `paxos check --model machines` as a RunView. Its steps are actions of
 * the reference world (src/world/action.ts), replayed through the simulator, which runs the
 * same peer logic. The replay is held to the
 * checker's own account: each step must print the log lines the checker says it printed,
 * and the acceptors must end where the checker says, or the picture is refused rather than
 * drawn wrong.
 */
import type { PeerId } from '../../machines/messages';
import type { Violation } from '../check/result';
import type { ClusterConfig } from '../config/cluster';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../peer/logLine';
import { createPeerLogic } from '../peer/node';
import type { Action } from '../world/action';
import { createSimulator, NotEnabled } from '../world/world';
import { viewOfSimulation } from './fromSim';
import { INVARIANT_TEXT, type RunView } from './runView';

export class CounterexampleError extends Error {}

interface StepState {
  lines?: string[];
  acceptors?: Record<string, unknown>;
  violation?: string;
}

/** The id of a hostname the counterexample names, or an error saying it is not in the cluster. */
const peerIdOf =
  (cluster: ClusterConfig) =>
  (host: string): PeerId => {
    const p = cluster.peers.find((x) => x.host === host);
    if (!p)
      throw new CounterexampleError(`the counterexample names ${host}, which is not in ${cluster.source}`);
    return p.id;
  };

/**
 * The counterexample's actions (what `paxos simulate --replay` reads), each checked to be
 * enabled in the world the previous ones left, as the simulator runs them.
 */
export function stepsOfCounterexample(cluster: ClusterConfig, violation: Violation): Action[] {
  const steps: Action[] = [];
  const sim = createSimulator(createPeerLogic(cluster));
  const world = sim.initial();
  violation.trace.slice(1).forEach((t, i) => {
    if (!t.step)
      throw new CounterexampleError(`step ${i + 1} ("${t.action}") is not an action of the real machines`);
    try {
      sim.apply(world, t.step);
    } catch (err) {
      if (!(err instanceof NotEnabled)) throw err;
      throw new CounterexampleError(
        `step ${i + 1} ("${t.action}") is not enabled in the replay: ${err.message}`,
      );
    }
    steps.push(t.step);
  });
  return steps;
}

export function viewOfCounterexample(cluster: ClusterConfig, violation: Violation, title: string): RunView {
  const idOf = peerIdOf(cluster);
  const trace = violation.trace.slice(1);
  // The drawing replays the steps again, cheap for counterexamples of a few dozen steps.
  const steps = stepsOfCounterexample(cluster, violation);

  const view = viewOfSimulation(cluster, steps, {
    title,
    kind: 'counterexample',
    onStep: (i, a, w, simulator) => {
      const state = (trace[i]?.state ?? {}) as StepState;
      if (Array.isArray(state.lines)) {
        const lines: string[] = [];
        if (a.peer !== undefined && a.step.kind !== 'restart') {
          if (a.step.kind === 'deliver' && a.message)
            lines.push(formatLogLine(receivedLine(a.message.message)));
          for (const s of a.sends) lines.push(formatLogLine(sentLine(a.peer, s.message)));
          if (a.learned) lines.push(formatLogLine(choseLine(a.peer, a.learned)));
        }
        if (JSON.stringify(lines) !== JSON.stringify(state.lines))
          throw new CounterexampleError(
            `step ${i + 1} (${trace[i]?.action}) replays with lines ${JSON.stringify(lines)}, the checker printed ${JSON.stringify(state.lines)}`,
          );
      }
      if (state.acceptors)
        for (const [host, want] of Object.entries(state.acceptors)) {
          const got = simulator.durableOf(w, idOf(host)).acceptor;
          if (JSON.stringify(got) !== JSON.stringify(want))
            throw new CounterexampleError(
              `after step ${i + 1} ${host} holds ${JSON.stringify(got)} in the replay, ${JSON.stringify(want)} in the counterexample`,
            );
        }
    },
  });

  const last = trace.at(-1);
  const detail = (last?.state as StepState | undefined)?.violation ?? '';
  const row = Math.max(0, view.rows.length - 1);
  // The breaking step's own mark: a chose printed in it, else what the peer did there.
  const onRow = view.events.filter((e) => e.row === row);
  const mark = onRow.find((e) => e.kind === 'chose') ?? onRow[0];
  view.violation = {
    ...(mark ? { event: mark.id } : {}),
    row,
    rule: violation.invariant,
    ruleText: INVARIANT_TEXT[violation.invariant] ?? violation.invariant,
    message: detail,
  };
  return view;
}
