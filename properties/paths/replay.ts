/**
 * Replays a generated path through the real machine, twice: with the project's stepper
 * (src/peer/stepper.ts, the door the runtime, simulator and checker use) and with a live
 * XState actor. The stepper's snapshots and emitted events are what the invariants judge;
 * the live actor reports, through XState's inspection API, which transition definitions
 * each step took (including the `always` branches taken while recovering). Every step
 * must agree on both sides, so the transitions counted for coverage are the ones the
 * stepper ran.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  type AnyTransitionDefinition,
  createActor,
  type EmittedFrom,
  type EventFromLogic,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';
import { makeStepper, type Stepper } from '../../src/peer/stepper';

interface ReplayedStep<M extends AnyStateMachine> {
  event: EventFromLogic<M>;
  before: SnapshotFrom<M>;
  after: SnapshotFrom<M>;
  emitted: EmittedFrom<M>[];
  /** Transitions taken, in microstep order. */
  taken: Taken[];
}

/** A transition definition as it was taken, and the atomic state it was taken in. */
export interface Taken {
  definition: AnyTransitionDefinition;
  from: AnyStateNode;
}

export interface Replayed<M extends AnyStateMachine> {
  initial: SnapshotFrom<M>;
  /** Taken while the actor started (eventless transitions out of a recovering state). */
  initialTaken: Taken[];
  steps: ReplayedStep<M>[];
}

const steppers = new WeakMap<AnyStateMachine, Stepper<AnyStateMachine>>();
const stepperOf = <M extends AnyStateMachine>(machine: M): Stepper<M> => {
  let stepper = steppers.get(machine);
  if (!stepper) {
    stepper = makeStepper(machine as AnyStateMachine);
    steppers.set(machine, stepper);
  }
  return stepper as unknown as Stepper<M>;
};

const describeState = (s: AnyMachineSnapshot) => JSON.stringify({ value: s.value, context: s.context });

export function replay<M extends AnyStateMachine>(
  machine: M,
  input: InputFrom<M>,
  events: readonly EventFromLogic<M>[],
): Replayed<M> {
  const stepper = stepperOf(machine);
  let taken: Taken[] = [];
  // The atomic state before the next microstep; unknown until the first one while starting,
  // where the only transitions are eventless ones out of the initial (atomic) state.
  let leaf: AnyStateNode | undefined;
  const liveEmitted: unknown[] = [];
  const actor = createActor(machine as AnyStateMachine, {
    input,
    inspect: (ev) => {
      if (ev.type !== '@xstate.microstep') return;
      for (const definition of ev._transitions) {
        const from = leaf ?? (definition.source as AnyStateNode);
        if (from.type !== 'atomic')
          throw new Error(`cannot tell the state ${definition.source.id} was left from`);
        taken.push({ definition, from });
      }
      leaf = activeLeaf(ev.snapshot);
    },
  });
  actor.on('*', (e) => {
    liveEmitted.push(e);
  });
  actor.start();

  const agree = (where: string, stepped: SnapshotFrom<M>, emitted: readonly unknown[]) => {
    const live = actor.getSnapshot();
    const snapshot = stepped as AnyMachineSnapshot;
    if (
      !isDeepStrictEqual(live.value, snapshot.value) ||
      !isDeepStrictEqual(live.context, snapshot.context) ||
      !isDeepStrictEqual(liveEmitted, emitted)
    ) {
      throw new Error(
        `stepper and live actor disagree ${where}:\n stepper ${describeState(snapshot)} ${JSON.stringify(emitted)}\n` +
          ` actor   ${describeState(live)} ${JSON.stringify(liveEmitted)}`,
      );
    }
  };

  const initial = stepper.initial(input);
  agree('at the start', initial, []);
  const initialTaken = taken;
  const steps: ReplayedStep<M>[] = [];
  let current = initial;
  for (const [i, event] of events.entries()) {
    taken = [];
    leaf = activeLeaf(current);
    liveEmitted.length = 0;
    const [after, emitted] = stepper.step(current, event);
    actor.send(event);
    agree(`after step ${i + 1} (${JSON.stringify(event)})`, after, emitted);
    steps.push({ event, before: current, after, emitted, taken });
    current = after;
  }
  actor.stop();
  return { initial, initialTaken, steps };
}

/** The atomic state a snapshot is in (the role machines have no parallel regions). */
const activeLeaf = (snapshot: unknown): AnyStateNode => {
  const leaves = ((snapshot as AnyMachineSnapshot)._nodes as AnyStateNode[]).filter(
    (n) => n.type === 'atomic' || n.type === 'final',
  );
  if (leaves.length !== 1) throw new Error(`expected one active leaf, got ${leaves.map((n) => n.id)}`);
  return leaves[0] as AnyStateNode;
};
