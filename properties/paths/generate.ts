/**
 * Turns a role's path model (where it may start, which events it may be offered, how far
 * to look) into event sequences with @xstate/graph, ready to be replayed through the real
 * machine. Only the events are kept: under any serializer but the finest, `path.state` may
 * belong to another path (stack-probe.md §3), so nothing downstream reads it.
 *
 * Two generators, for two different questions:
 *  - getShortestPaths over (state, context, edge that led here): one shortest path to every
 *    reachable triple, so every transition enabled in any reachable state (within the
 *    bound) ends some path, from each state it can leave, including the self-loops
 *    (refusals, duplicates) that a plain (state, context) key would never put on a
 *    shortest path;
 *  - getSimplePaths over (state, context) in a smaller scenario: every ordering in which
 *    the same messages can arrive, which is where a role that counts goes wrong.
 * Paths that are a prefix of another are dropped: replaying the longer one checks every
 * step of the shorter one.
 */
import { getShortestPaths, getSimplePaths } from '@xstate/graph';
import type {
  AnyMachineSnapshot,
  AnyStateMachine,
  AnyTransitionDefinition,
  EventFromLogic,
  InputFrom,
  SnapshotFrom,
} from 'xstate';
import { transitionsOf } from '../../src/statechart/structure';

interface Scenario<M extends AnyStateMachine> {
  /** Events offered in a snapshot; those no transition of the machine takes are left out. */
  events: (snapshot: SnapshotFrom<M>) => EventFromLogic<M>[];
  /** Snapshots past the bound are reached but not explored further. */
  stopWhen?: (snapshot: SnapshotFrom<M>) => boolean;
  /**
   * The part of the context the machine's future depends on (default: all of it). Snapshots
   * that agree on it are one vertex, explored once; every path is still replayed as is.
   */
  relevant?: (snapshot: SnapshotFrom<M>) => unknown;
}

export interface PathModel<M extends AnyStateMachine> {
  /** Where an actor may start: fresh, or recovering from stable storage. */
  starts: { name: string; input: InputFrom<M>; stopWhen?: (snapshot: SnapshotFrom<M>) => boolean }[];
  shortest: Scenario<M>;
  /** A smaller scenario (fresh start only) whose every simple path is replayed. */
  simple: Scenario<M> & { starts: string[] };
  /** A short name for an event in test titles. */
  describe: (event: EventFromLogic<M>) => string;
}

interface GeneratedPath<M extends AnyStateMachine> {
  start: string;
  input: InputFrom<M>;
  events: EventFromLogic<M>[];
  title: string;
}

export interface Generated<M extends AnyStateMachine> {
  paths: GeneratedPath<M>[];
  /** Paths as @xstate/graph returned them, before dropping duplicates and prefixes. */
  shortestCount: number;
  simpleCount: number;
}

/**
 * Which transition `event` takes in `snapshot` (by its position in the machine's
 * definition) and from which state: a root-level transition is a different edge from
 * each state it leaves.
 */
const edgeKey = (machine: AnyStateMachine) => {
  const index = new Map<AnyTransitionDefinition, number>(
    transitionsOf(machine).map((t, i) => [t.definition, i] as const),
  );
  return (snapshot: AnyMachineSnapshot, event: EventFromLogic<AnyStateMachine>): string =>
    `${JSON.stringify(snapshot.value)}:${machine
      .getTransitionData(snapshot, event)
      .map((d) => index.get(d) ?? '?')
      .join(',')}`;
};

/** @xstate/graph's generic snapshot type does not narrow; the walk itself needs only this much. */
type Snapshot = AnyMachineSnapshot;
type AnyEvent = EventFromLogic<AnyStateMachine>;

const handled =
  <M extends AnyStateMachine>(machine: M, scenario: Scenario<M>) =>
  (snapshot: Snapshot): AnyEvent[] =>
    scenario
      .events(snapshot as SnapshotFrom<M>)
      .filter((e) => machine.getTransitionData(snapshot, e).length > 0);

export function generatePaths<M extends AnyStateMachine>(machine: M, model: PathModel<M>): Generated<M> {
  const via = edgeKey(machine);
  const raw: { start: string; input: InputFrom<M>; events: EventFromLogic<M>[] }[] = [];
  let shortestCount = 0;
  let simpleCount = 0;
  const eventsOf = (steps: { event: AnyEvent }[]) => steps.slice(1).map((s) => s.event as EventFromLogic<M>);

  const keyOf = (scenario: Scenario<M>, snapshot: Snapshot) => [
    snapshot.value,
    scenario.relevant ? scenario.relevant(snapshot as SnapshotFrom<M>) : snapshot.context,
  ];
  const bound = (stop?: (snapshot: SnapshotFrom<M>) => boolean) =>
    stop && ((snapshot: Snapshot) => stop(snapshot as SnapshotFrom<M>));
  const logic: AnyStateMachine = machine;

  for (const { name, input, stopWhen } of model.starts) {
    const shortest = getShortestPaths(logic, {
      input,
      events: handled(machine, model.shortest),
      stopWhen: bound(stopWhen ?? model.shortest.stopWhen),
      serializeState: (snapshot, event, prev) =>
        JSON.stringify([...keyOf(model.shortest, snapshot), prev && event ? via(prev, event) : 'start']),
    });
    shortestCount += shortest.length;
    for (const p of shortest) raw.push({ start: name, input, events: eventsOf(p.steps) });

    if (!model.simple.starts.includes(name)) continue;
    const simple = getSimplePaths(logic, {
      input,
      events: handled(machine, model.simple),
      stopWhen: bound(model.simple.stopWhen),
      serializeState: (snapshot) => JSON.stringify(keyOf(model.simple, snapshot)),
    });
    simpleCount += simple.length;
    for (const p of simple) raw.push({ start: name, input, events: eventsOf(p.steps) });
  }

  const keyOfPath = (start: string, events: readonly unknown[]) =>
    `${start}|${events.map((e) => JSON.stringify(e)).join('|')}`;
  const prefixes = new Set<string>();
  for (const p of raw)
    for (let i = 0; i < p.events.length; i++) prefixes.add(keyOfPath(p.start, p.events.slice(0, i)));
  const kept = new Map<string, GeneratedPath<M>>();
  for (const p of raw) {
    const key = keyOfPath(p.start, p.events);
    if (prefixes.has(key) || kept.has(key)) continue;
    const title = `${p.start}: ${p.events.map(model.describe).join(' → ') || '(no event)'}`;
    kept.set(key, { ...p, title });
  }
  return { paths: [...kept.values()], shortestCount, simpleCount };
}
