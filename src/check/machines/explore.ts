/**
 * Breadth-first exploration of worlds of the real machines: every reachable world (up to
 * symmetry, within the budgets and bounds) is visited once, every invariant is checked in
 * every world and on every step, and the first breach stops the search with the shortest
 * path to it.
 */
import type { Value } from '../../../machines/messages';
import { createPeerLogic } from '../../peer/node';
import type { CheckResult } from '../result';
import { Canonicalizer } from './canonical';
import { GhostHistory } from './ghost';
import { Invariants } from './invariants';
import { type MachineCheckOptions, type ResolvedOptions, resolveOptions } from './options';
import { type LocalStep, type PeerFacts, PeerTable } from './peerTable';
import { RefinementChecker, type RefinementMapping } from './refinement';
import { StateStore } from './stateStore';
import { checkStep, type SearchContext } from './stepChecks';
import { Renaming, renamings } from './symmetry';
import { type BreachAt, buildTrace } from './trace';
import { INIT, WorldModel } from './world';

export interface MachineCheckStats {
  /** Distinct peer states, messages and ghost histories interned. */
  peerStates: number;
  messages: number;
  histories: number;
  /** Local steps run through XState (every other one came from the memo). */
  machineSteps: number;
  /** Bytes in the visited set's typed arrays. */
  storeBytes: number;
}

export interface MachineCheckResult extends CheckResult {
  stats: MachineCheckStats;
}

/** Builds the spec's refinement mapping for a check (null: refinement not checked). */
export type MappingFactory = (options: ResolvedOptions) => RefinementMapping<unknown> | null;

const SCRATCH = 1 << 16;

/** The search's own tables, for tests that look inside (e.g. at every world visited). */
export interface MachineSearch {
  result: MachineCheckResult;
  store: StateStore;
  world: WorldModel;
  ghost: GhostHistory;
}

export function exploreMachines(
  options: MachineCheckOptions,
  mappingFor?: MappingFactory,
): MachineCheckResult {
  return searchMachines(options, mappingFor).result;
}

export function searchMachines(
  options: MachineCheckOptions,
  mappingFor: MappingFactory = () => null,
): MachineSearch {
  const started = performance.now();
  const opts = resolveOptions(options);
  const mapping = opts.refinement ? mappingFor(opts) : null;
  const ghost = new GhostHistory();
  const peers = new PeerTable(
    createPeerLogic(opts.cluster, options.machines),
    ghost,
    mapping ? (m) => mapping.relevant(m) : () => false,
  );
  const world = new WorldModel(opts, peers, ghost);
  const invariants = new Invariants(opts.cluster, ghost, Object.values(opts.values) as Value[]);
  const refinement = mapping ? new RefinementChecker(mapping, world, peers, ghost) : null;
  const symmetric = opts.symmetry
    ? renamings(opts.cluster)
        .filter((m) => [...m].some(([a, b]) => a !== b))
        .map((m) => new Renaming(m, peers, ghost))
    : [];
  const canon = symmetric.length > 0 ? new Canonicalizer(world, symmetric, opts.network === 'set') : null;
  const store = new StateStore();
  const ctx: SearchContext = { store, world, canon, invariants, refinement };

  const current = new Int32Array(SCRATCH);
  const next = new Int32Array(SCRATCH);
  const canonical = new Int32Array(SCRATCH);
  const facts: PeerFacts[] = [];
  const checkWorld = (key: Int32Array) => {
    for (let s = 0; s < world.slots.length; s++) facts[s] = peers.fact(key[s] as number);
    return invariants.checkWorld(facts, key[world.history] as number);
  };

  let transitions = 0;
  let deepest = 1;
  let truncated = false;
  let breach: BreachAt | null = null;

  const initialLength = world.initial(current);
  if (canon) store.add(canonical, canon.canonical(current, initialLength, canonical), -1, INIT);
  else store.add(current, initialLength, -1, INIT);
  const initialBreach =
    checkWorld(current) ??
    (refinement && !refinement.initial(current)
      ? { invariant: 'Refinement', detail: "the initial world does not map to the spec's Init" }
      : null);
  if (initialBreach) breach = { kind: 'world', index: 0, breach: initialBreach };

  let lastProgress = started;
  let levelStart = 0;
  let levelEnd = store.size;
  let level = 1;
  // One visitor for the whole search (no closure per state): it reads `index` and `probing`.
  let index = 0;
  let probing = false;
  const visit = (code: number, out: Int32Array, n: number, local: LocalStep | null): boolean => {
    transitions++;
    const stepBreach = checkStep(ctx, current, code, out, local);
    if (stepBreach) {
      breach = { kind: 'step', parent: index, breach: stepBreach };
      return true;
    }
    // Under symmetry the visited set holds each orbit's canonical key.
    const key = canon ? canonical : out;
    const keyLength = canon ? canon.canonical(out, n, canonical) : n;
    if (probing || store.size >= opts.maxStates) {
      if (store.find(key, keyLength) >= 0) return false;
      truncated = true;
      return !probing;
    }
    const added = store.add(key, keyLength, index, code);
    if (added < 0) return false;
    deepest = level + 1;
    const worldBreach = checkWorld(out);
    if (worldBreach) {
      breach = { kind: 'world', index: added, breach: worldBreach };
      return true;
    }
    return false;
  };

  search: while (!breach && levelStart < levelEnd) {
    // States of the last allowed level are expanded only to learn whether anything lies beyond.
    probing = level >= opts.maxDepth;
    for (index = levelStart; index < levelEnd; index++) {
      const length = store.read(index, current);
      if (world.successors(current, length, next, visit)) break search;
      if ((index & 1023) === 0 && options.onProgress) {
        const now = performance.now();
        if (now - lastProgress >= opts.progressIntervalMs) {
          lastProgress = now;
          options.onProgress({
            distinctStates: store.size,
            depth: deepest,
            queued: store.size - index - 1,
            seconds: (now - started) / 1000,
          });
        }
      }
    }
    levelStart = levelEnd;
    levelEnd = store.size;
    level++;
  }

  const violations = breach
    ? [{ invariant: (breach as BreachAt).breach.invariant, trace: buildTrace(ctx, breach) }]
    : [];
  const result: MachineCheckResult = {
    model: 'machines',
    distinctStates: store.size,
    depth: deepest,
    transitions,
    seconds: (performance.now() - started) / 1000,
    complete: !truncated && !breach,
    violations,
    stats: {
      peerStates: peers.states.size,
      messages: peers.sends.size,
      histories: ghost.sets.size,
      machineSteps: peers.machineSteps,
      storeBytes: store.bytes,
    },
  };
  return { result, store, world, ghost };
}
