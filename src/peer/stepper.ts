/**
 * Runs a machine as a pure function: (snapshot, event) -> (snapshot, emitted events).
 *
 * `xstate.transition()` builds a throwaway actor on every call (about 40k steps/s here);
 * this keeps one inert actor scope per machine and lets XState's own `machine.transition`
 * do the work, so the semantics are XState's and nothing about the roles is re-written.
 * The runtime, the simulator and the checker all step the machines through this one door.
 * It relies on the shape of XState's internal actor scope, hence xstate is pinned exactly;
 * a property test holds it equal to `transition()`.
 */
import {
  type AnyStateMachine,
  type AnyTransitionDefinition,
  createActor,
  type EmittedFrom,
  type EventFromLogic,
  type ExecutableActionsFrom,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';

export interface Stepper<M extends AnyStateMachine> {
  readonly machine: M;
  /** The snapshot a fresh (or recovering) actor starts from. */
  initial(input: InputFrom<M>): SnapshotFrom<M>;
  /** One event in; the next snapshot and the events the machine emitted, in order. */
  step(snapshot: SnapshotFrom<M>, event: EventFromLogic<M>): [SnapshotFrom<M>, EmittedFrom<M>[]];
  /**
   * While set, told the transition definitions of each microstep `initial` and `step` take
   * (XState's own inspection event, so the list is what XState ran); the checker's
   * coverage sets it, everything else leaves it null.
   */
  observe: ((taken: readonly AnyTransitionDefinition[]) => void) | null;
}

/** XState's executable-action types omit `xstate.emit`, though `emit()` produces it; read it untyped. */
interface RawAction {
  type: string;
  params?: unknown;
}

export const emittedOf = <M extends AnyStateMachine>(actions: readonly RawAction[]): EmittedFrom<M>[] =>
  actions.filter((a) => a.type === 'xstate.emit').map((a) => (a.params as { event: EmittedFrom<M> }).event);

export function makeStepper<M extends AnyStateMachine>(machine: M): Stepper<M> {
  const self = createActor(machine as AnyStateMachine);
  let sink: ExecutableActionsFrom<M>[] = [];
  const noop = () => {};
  let observer: ((taken: readonly AnyTransitionDefinition[]) => void) | null = null;
  // The actor's system, with its inspection door replaced: the one place XState reports
  // which transitions a microstep took. Put in the scope only while someone observes: a
  // system reached through a prototype slowed every step (the checker by 70%) even unused.
  const observing = Object.create(self.system, {
    _sendInspectionEvent: {
      value: (e: { type: string; _transitions?: readonly AnyTransitionDefinition[] }) => {
        if (observer && e.type === '@xstate.microstep' && e._transitions) observer(e._transitions);
      },
    },
  });
  const scope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    defer: noop,
    logger: noop,
    stopChild: noop,
    emit: noop,
    actionExecutor: (action: ExecutableActionsFrom<M>) => {
      sink.push(action);
    },
  };
  const stepper: Stepper<M> = {
    machine,
    get observe() {
      return observer;
    },
    set observe(f) {
      observer = f;
      scope.system = f ? observing : self.system;
    },
    // Restarts are frequent in simulations; a throwaway actor per initial snapshot costs
    // about as much as six steps, so the inert scope serves here too.
    initial(input) {
      sink = [];
      // biome-ignore lint/suspicious/noExplicitAny: the inert scope is XState-internal (see above)
      return machine.getInitialSnapshot(scope as any, input) as SnapshotFrom<M>;
    },
    step(snapshot, event) {
      sink = [];
      // biome-ignore lint/suspicious/noExplicitAny: the inert scope is XState-internal (see above)
      const next = machine.transition(snapshot, event, scope as any) as SnapshotFrom<M>;
      return [next, emittedOf<M>(sink as readonly RawAction[])];
    },
  };
  return stepper;
}
