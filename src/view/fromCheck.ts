/**
 * A counterexample of `paxos check --model machines` as a RunView. The checker prints its
 * steps as text (src/check/machines/trace.ts); they are read back into simulator steps and
 * replayed through the simulator, which runs the same peer logic. The replay is held to the
 * checker's own account: each step must print the log lines the checker says it printed,
 * and the acceptors must end where the checker says, or the picture is refused rather than
 * drawn wrong.
 */
import type { GroupId, PeerId, Send } from '../../machines/messages';
import type { Violation } from '../check/result';
import type { ClusterConfig } from '../config/cluster';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../peer/logLine';
import { createPeerLogic } from '../peer/node';
import { createSimulator, type SimStep, type World } from '../sim/world';
import { viewOfSimulation } from './fromSim';
import { INVARIANT_TEXT, type RunView } from './model';

export class CounterexampleError extends Error {}

const STEP = {
  message: /^(deliver|drop|duplicate) (\S+) (\S+)->(\S+) n=(\d+)(?: (.*))?$/,
  crash: /^crash and restart (\S+)/,
  start: /^START (\S+) proposer(\d+) with (.*)$/,
  timeout: /^TIMEOUT (\S+) proposer(\d+)$/,
};

/** The checker's words for a message's payload (describeSend), to tell apart same-typed messages. */
function payloadText(send: Send): string {
  const m = send.message;
  switch (m.type) {
    case 'prepare':
      return '';
    case 'prepare_ack':
      return `${m.promised ? 'promised' : `refused minProposal=${m.minProposal}`} accepted=${m.acceptedProposal}:${m.acceptedValue ?? '-'}`;
    case 'accept':
    case 'chose':
      return `value=${m.value}`;
    case 'accept_ack':
      return `minProposal=${m.minProposal} value=${m.value ?? '-'}`;
  }
}

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
 * The counterexample as simulator steps (what `paxos simulate --replay` reads): each step
 * is resolved in the world the previous ones left, a message being named by its content and
 * the simulator picking it by its index in flight.
 */
export function stepsOfCounterexample(cluster: ClusterConfig, violation: Violation): SimStep[] {
  const idOf = peerIdOf(cluster);
  const trace = violation.trace.slice(1);
  const steps: SimStep[] = [];
  const resolve = (action: string, world: World): SimStep => {
    const msg = STEP.message.exec(action);
    if (msg) {
      const [, kind, type, from, to, n, rest] = msg as unknown as string[];
      const fits = (s: Send) =>
        s.message.type === type &&
        s.message.from === idOf(from as string) &&
        s.to === idOf(to as string) &&
        s.message.n === Number(n);
      const same = world.inFlight.findIndex((s) => fits(s) && payloadText(s) === (rest ?? ''));
      const index = same >= 0 ? same : world.inFlight.findIndex(fits);
      if (index < 0) throw new CounterexampleError(`no message in flight fits the step "${action}"`);
      return { kind: kind as 'deliver' | 'drop' | 'duplicate', index };
    }
    const crash = STEP.crash.exec(action);
    if (crash) return { kind: 'restart', peer: idOf(crash[1] as string) };
    const start = STEP.start.exec(action);
    if (start) return { kind: 'start', group: Number(start[2]) as GroupId, value: start[3] as string };
    const timeout = STEP.timeout.exec(action);
    if (timeout) return { kind: 'timeout', group: Number(timeout[2]) as GroupId };
    throw new CounterexampleError(`cannot read the counterexample's step "${action}"`);
  };

  const sim = createSimulator(createPeerLogic(cluster));
  const world = sim.initial();
  for (const step of trace) {
    const s = resolve(step.action, world);
    steps.push(s);
    sim.apply(world, s);
  }
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
