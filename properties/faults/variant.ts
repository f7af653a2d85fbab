/**
 * Building faulty machines from the real ones. Most faults swap a named guard or action
 * with `machine.provide()`; a few need a different context factory or one more transition,
 * which `provide()` cannot express, so `withConfig` rebuilds the machine from its own
 * config (changed in one place) and its own named implementations.
 */
import { type AnyStateMachine, createMachine } from 'xstate';
import type { ClusterConfig } from '../../src/config/cluster';
import { createPeerLogic, type PeerLogic, type RoleMachines, roleMachines } from '../../src/peer/node';
import type { PropertyName } from '../support/monitors';

export interface Fault {
  /** Short, kebab-case: names the test and the README row. */
  name: string;
  /** What is wrong, in a sentence. */
  description: string;
  /** A cluster where the fault can show (e.g. two proposers for faults that need a competitor). */
  cluster: ClusterConfig;
  /** The peers as the fault builds them: the real wiring with faulty machines, or a faulty wiring. */
  logic(cluster: ClusterConfig): PeerLogic;
  /** The property that catches it on its own (the suite as a whole may name another first). */
  caughtBy: PropertyName;
}

/** The real peer wiring with some machines replaced. */
export const withMachines =
  (replace: Partial<RoleMachines>) =>
  (cluster: ClusterConfig): PeerLogic =>
    createPeerLogic(cluster, { ...roleMachines, ...replace });

type Config = AnyStateMachine['config'];

/** The same machine (same named guards and actions) with its config changed. */
export function withConfig<M extends AnyStateMachine>(machine: M, change: (config: Config) => Config): M {
  return createMachine(change(machine.config) as never, machine.implementations as never) as unknown as M;
}
