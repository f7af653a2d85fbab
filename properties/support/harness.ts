/**
 * Runs a schedule through the simulator with the property monitors watching, then (when
 * asked) the liveness phase: drops, duplicates and crashes stop, and one proposer at a time
 * runs alone, its timer firing only when nothing is in flight, every message delivered first
 * in first out. On a failure it renders the run as the lab's log lines and a Mermaid
 * sequence diagram, next to fast-check's seed and path.
 */
import fc from 'fast-check';
import type { GroupId, PeerId, Value } from '../../machines/messages';
import type { ClusterConfig } from '../../src/config/cluster';
import { groundTruth } from '../../src/sim/groundTruth';
import { defaultValues } from '../../src/sim/random';
import { formatTrace, toMermaidSequence } from '../../src/sim/runText';
import type { Applied, SimStep, Simulator, World } from '../../src/world/world';
import { type MonitorFactory, type PropertyName, safetyMonitors } from './monitors';

interface Violation {
  property: PropertyName;
  /** 1-based index of the step that broke it, in `applied`. */
  step: number;
  detail: string;
}

export interface Checked {
  world: World;
  /** Every step taken, the liveness phase included. */
  applied: Applied[];
  /** Where the schedule ended and the liveness phase began. */
  scheduleLength: number;
  /** The first violation of each property, in the order they happened. */
  violations: Violation[];
  liveness?: LivenessReport;
}

interface LivenessReport {
  /** Per proposer that ran alone: the timeouts it needed and the steps the phase took. */
  runs: { group: GroupId; timeouts: number; steps: number }[];
}

export interface CheckOptions {
  monitors?: readonly MonitorFactory[];
  /** Stop at the first violation (the fast path for properties that must hold). */
  stopAtFirst?: boolean;
  /** Run the liveness phase after the schedule, proposers alone in this order (rotated by `first`). */
  liveness?: { first: number };
  values?: Record<GroupId, Value>;
}

/**
 * The liveness bound. After the backlog is delivered, a proposer alone needs at most two
 * rounds: the first either succeeds or, through the refusals (every ack arrives, and a
 * backing-off proposer still notes the numbers they report), learns every acceptor's
 * promise; the second then goes above all of them. A decided proposer needs one timeout,
 * which repeats its announcement to members whose chose was lost.
 */
export const LIVENESS_MAX_TIMEOUTS = 2;
/** A ceiling on deliveries per proposer phase, so a faulty machine that loops cannot hang a test. */
const LIVENESS_MAX_STEPS = 100_000;

/** The peers of group K that print: its proposer, acceptors and learners. */
const groupMembers = (cluster: ClusterConfig, group: GroupId): PeerId[] => {
  const g = cluster.groups.find((x) => x.id === group);
  if (!g) return [];
  return [...new Set([g.proposer, ...g.acceptors, ...g.learners])].sort((a, b) => a - b);
};

export function check(sim: Simulator, schedule: readonly SimStep[], options: CheckOptions = {}): Checked {
  const world = sim.initial();
  const truth = groundTruth(sim.cluster);
  const monitors = (options.monitors ?? safetyMonitors).map((f) => ({
    property: f.property,
    observe: f(sim),
  }));
  const applied: Applied[] = [];
  const violations: Violation[] = [];
  const caught = new Set<PropertyName>();
  const stop = () => options.stopAtFirst === true && violations.length > 0;

  const take = (step: SimStep): Applied => {
    const a = sim.apply(world, step);
    applied.push(a);
    const fresh = a.sends.length > 0 ? truth.observe(a.sends) : [];
    for (const m of monitors) {
      if (caught.has(m.property)) continue;
      const detail = m.observe({ world, applied: a, truth, fresh });
      if (detail !== undefined) {
        caught.add(m.property);
        violations.push({ property: m.property, step: applied.length, detail });
      }
    }
    return a;
  };

  for (const step of schedule) {
    take(step);
    if (stop()) return { world, applied, scheduleLength: applied.length, violations };
  }
  const scheduleLength = applied.length;
  if (!options.liveness) return { world, applied, scheduleLength, violations };

  const values = options.values ?? defaultValues(sim.cluster);
  const groups = sim.cluster.groups.map((g) => g.id);
  const first = groups.length === 0 ? 0 : options.liveness.first % groups.length;
  const order = [...groups.slice(first), ...groups.slice(0, first)];
  const liveness: LivenessReport = { runs: [] };
  const fail = (detail: string) => {
    violations.push({ property: 'Liveness', step: applied.length, detail });
    return { world, applied, scheduleLength, violations, liveness };
  };

  for (const group of order) {
    const begin = applied.length;
    take({ kind: 'start', group, value: values[group] ?? `V${group}` });
    let timeouts = 0;
    for (;;) {
      while (world.inFlight.length > 0) {
        take({ kind: 'deliver', index: 0 });
        if (stop()) return { world, applied, scheduleLength, violations, liveness };
        if (applied.length - begin > LIVENESS_MAX_STEPS)
          return fail(
            `proposer${group} alone: messages still in flight after ${LIVENESS_MAX_STEPS} deliveries`,
          );
      }
      const silent = groupMembers(sim.cluster, group).filter((p) => (world.printed[p]?.length ?? 0) === 0);
      if (silent.length === 0) break;
      if (timeouts === LIVENESS_MAX_TIMEOUTS)
        return fail(
          `proposer${group} ran alone through ${timeouts} timeouts and ${applied.length - begin} steps, ` +
            `but ${silent.map((p) => `peer${p}`).join(', ')} never printed chose`,
        );
      take({ kind: 'timeout', group });
      timeouts++;
      if (stop()) return { world, applied, scheduleLength, violations, liveness };
    }
    liveness.runs.push({ group, timeouts, steps: applied.length - begin });
  }
  // Every peer of some group: a peer whose roles name only groups without a proposer has nothing to learn.
  const members = new Set(groups.flatMap((g) => groupMembers(sim.cluster, g)));
  const silent = [...members].filter((p) => (world.printed[p]?.length ?? 0) === 0);
  if (silent.length > 0) return fail(`${silent.map((p) => `peer${p}`).join(', ')} never printed chose`);
  return { world, applied, scheduleLength, violations, liveness };
}

/** A failure as people read it: what broke, where, and the run up to that step. */
export function renderFailure(sim: Simulator, checked: Checked): string {
  const v = checked.violations[0];
  if (!v) return 'no violation';
  const upTo = checked.applied.slice(0, v.step);
  const phase =
    v.step > checked.scheduleLength
      ? ` (liveness phase, after the ${checked.scheduleLength}-step schedule)`
      : '';
  return [
    `${v.property} violated at step ${v.step}${phase}: ${v.detail}`,
    ...checked.violations.slice(1).map((w) => `also ${w.property} at step ${w.step}: ${w.detail}`),
    `cluster: ${sim.cluster.source}`,
    '',
    "Trace (each peer's log lines, step by step):",
    formatTrace(sim.cluster, upTo.slice(0, checked.scheduleLength)),
    ...(upTo.length > checked.scheduleLength
      ? [
          '# ---- liveness phase: no more losses, duplicates or crashes; one proposer at a time runs alone ----',
          formatTrace(sim.cluster, upTo.slice(checked.scheduleLength), checked.scheduleLength + 1),
        ]
      : []),
    '',
    'As a Mermaid sequence diagram:',
    toMermaidSequence(sim.cluster, upTo),
  ].join('\n');
}

/**
 * fc.check, then on failure an error with fast-check's report (seed, path, counterexample:
 * replay with FC_SEED and FC_PATH) followed by the readable trace of the shrunk counterexample.
 */
export function assertProperty<T>(
  property: fc.IProperty<T>,
  render: (counterexample: T) => string,
  params?: fc.Parameters<T>,
): void {
  const details = fc.check(property, params);
  if (!details.failed) return;
  const report = fc.defaultReportMessage(details) ?? 'property failed';
  const trace = details.counterexample ? render(details.counterexample) : '';
  throw new Error(`${report}\n\n${trace}`);
}
