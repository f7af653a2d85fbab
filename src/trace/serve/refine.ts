/**
 * The second half of validating a register service's run, key by key: the saved steps of
 * every peer on the key, merged in an order where each message is sent before it is
 * received, mapped through the checker's own refinement mapping
 * (src/check/registers/refinement.ts) to spec/Registers.tla. Each step must be a step of
 * the spec or a stutter, and the last state must satisfy its invariants (AtomicRegister:
 * every answer a client was given is explained by one sequential register).
 *
 * One real step may be two spec actions: a round that ends (Complete, Abandon) lets the
 * key's next queued request begin (Prepare). Ends are mapped first, then what was sent.
 */
import type { AcceptorDurable } from '../../../machines/acceptor';
import type { PeerId } from '../../../machines/messages';
import type { Operation } from '../../../machines/register';
import {
  Init,
  type RegistersParams,
  type RegistersState,
  registersInvariants,
  stateKey,
} from '../../../spec/registers';
import { type Answered, isSpecStep, mapWorld, specParams } from '../../check/registers/refinement';
import type { Layout } from '../../serve/layout';
import { type ReplayedStep, ServeViolation } from './replay';

/** Past this many spec messages on a key the mapping's cost grows too fast: the key is left unchecked, and said so. */
const MAX_SPEC_MESSAGES = 3000;

/** The key's steps in an order that keeps each peer's order and puts every send before its receives. */
function merge(peers: readonly ReplayedStep[][]): ReplayedStep[] {
  const next = peers.map(() => 0);
  const placed = new Set<string>();
  const out: ReplayedStep[] = [];
  for (let progress = true; progress; ) {
    progress = false;
    peers.forEach((steps, p) => {
      for (let s = steps[next[p] as number]; s && (s.received === null || placed.has(s.received)); ) {
        for (const m of s.sent) placed.add(m.id);
        out.push(s);
        next[p] = (next[p] as number) + 1;
        s = steps[next[p] as number];
        progress = true;
      }
    });
  }
  const stuck = peers.map((steps, p) => steps[next[p] as number]).find((s) => s !== undefined);
  if (stuck)
    throw new ServeViolation(
      'receive-matches-send',
      stuck.at,
      `message ${stuck.received} is received before it is sent`,
    );
  return out;
}

/** Each group's operations on the key, in the order their rounds began (the spec's constants). */
function paramsOf(layout: Layout, steps: readonly ReplayedStep[]): RegistersParams {
  const ops: Operation[][] = Array.from({ length: layout.groupCount }, () => []);
  for (const s of steps)
    for (const op of s.began) if (op) ops[(layout.groups.get(s.peer) as number) - 1]?.push(op);
  return specParams(layout.acceptors, ops);
}

export interface KeyRefinement {
  /** Steps of the spec taken (stutters not counted). */
  specSteps: number;
  /** Why the key was checked only in part, if it was. */
  unchecked?: string;
}

/** Walks the key's merged steps through the mapping. */
export function refineKey(layout: Layout, key: string, peers: readonly ReplayedStep[][]): KeyRefinement {
  const steps = merge(peers.map((ss) => ss.filter((s) => s.key === key)));
  const params = paramsOf(layout, steps);
  const acceptors = new Map<PeerId, AcceptorDurable>();
  const opIdx = params.ops.map(() => 1);
  let s: RegistersState = Init(params);
  let specSteps = 0;
  const view = (step: ReplayedStep, messages: ReplayedStep['sent']) => ({
    key,
    messages: messages.map((m) => m.message),
    opIdx: [...opIdx],
    acceptor: (id: PeerId) => acceptors.get(id) ?? null,
    round: (id: PeerId) => (id === step.peer ? step.round : undefined),
  });
  const advance = (step: ReplayedStep, after: RegistersState, what: string) => {
    if (stateKey(after) === stateKey(s)) return;
    specSteps++;
    if (!isSpecStep(params, s, after))
      throw new ServeViolation(
        'refinement',
        step.at,
        `key ${JSON.stringify(key)}: ${what} is no step of spec/Registers.tla`,
      );
    s = after;
  };
  for (const step of steps) {
    if (s.msgs.length > MAX_SPEC_MESSAGES)
      return {
        specSteps,
        unchecked: `key ${JSON.stringify(key)}: refinement checked only up to ${step.at.file}:${step.at.line} (over ${MAX_SPEC_MESSAGES} spec messages)`,
      };
    const group = layout.groups.get(step.peer) as number;
    if (step.ended.length > 0) {
      const answered: Answered[] = step.ended.filter((e) => e.answered).map((e) => ({ group, n: e.n }));
      opIdx[group - 1] = (opIdx[group - 1] as number) + step.ended.length;
      advance(step, mapWorld(params, view(step, []), s, answered), 'the end of a round');
    }
    if (step.acceptor) acceptors.set(step.peer, step.acceptor);
    advance(step, mapWorld(params, view(step, step.sent), s, []), 'the step');
  }
  for (const [name, holds] of Object.entries(registersInvariants))
    if (!holds(params, s)) {
      const last = steps.at(-1) as ReplayedStep;
      throw new ServeViolation('refinement', last.at, `key ${JSON.stringify(key)}: the run breaks ${name}`);
    }
  return { specSteps };
}
