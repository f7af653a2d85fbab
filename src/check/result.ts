/**
 * What an exhaustive exploration reports, whatever it explored (the spec's transcription
 * or worlds of the real machines). `paxos check` prints it; `--json` prints it as one line.
 */
import type { Action } from '../world/action';

/**
 * One step of a counterexample: the action taken, in words, and the state it led to,
 * printable. A model of the real machines also gives the action as data, which is what
 * replays and pictures read (the words are derived from it).
 */
export interface TraceStep {
  action: string;
  step?: Action;
  state: unknown;
}

export interface Violation {
  /** The invariant (or refinement) that failed, by the name the spec gives it. */
  invariant: string;
  /** From the initial state (action "Init") to the first state that breaks it; shortest, as BFS finds it. */
  trace: TraceStep[];
}

export interface CheckResult {
  model: 'spec' | 'machines' | 'registers';
  /** Distinct states reached (the initial states included). */
  distinctStates: number;
  /** Breadth-first levels, the initial state being level 1 (TLC's convention). */
  depth: number;
  /** Successor states generated, duplicates included. */
  transitions: number;
  seconds: number;
  /** False when --max-states or --max-depth stopped the search: then it proved nothing. */
  complete: boolean;
  violations: Violation[];
}

export interface Progress {
  distinctStates: number;
  depth: number;
  queued: number;
  seconds: number;
}
