/**
 * The explorer's model, without a page: a tree of worlds of the reference world
 * (src/world), one node per step taken, whose root is the initial world. The current path
 * is the way from the root to the current node; going back and taking another action adds
 * a sibling, so the old branch stays until discarded. Each node keeps the world after its
 * step (a clone: `apply` mutates in place), what the step did, what is chosen, which peers
 * are down and which safety properties some step of its path broke, as the property
 * tests' own monitors say.
 *
 * The reference world crashes and restarts a peer in one step. Here they are two, so that
 * one can watch the cluster while a peer is down: a crash only marks the peer down (no
 * message is delivered to it and its timers do not fire; messages to it stay in flight, or
 * are dropped); its restart is the world's crash-and-restart step. While down the peer
 * takes no step, so recovering at the restart is the same as recovering at the crash, and
 * the worlds the explorer walks are the reference's (and the checker's).
 */
import type { GroupId, PeerId, Send, Value } from '../../machines/messages';
import { type MonitorFactory, type PropertyName, safetyMonitors } from '../../properties/support/monitors';
import type { ClusterConfig } from '../config/cluster';
import { createPeerLogic } from '../peer/node';
import { type Chosen, type GroundTruth, groundTruth } from '../sim/groundTruth';
import { mulberry32 } from '../sim/prng';
import { defaultWeights } from '../sim/random';
import { type Action, actorOf, describeAction, isMessageAction, sameAction } from '../world/action';
import { enabledActions } from '../world/enabled';
import {
  type Applied,
  createSimulator,
  messageIndex,
  NotEnabled,
  type SimStep,
  type Simulator,
  type World,
} from '../world/world';
import { encodePath } from './encoding';

/** A deliberately broken explorer, for the tests that must catch one (PAXOS_EXPLORER_FAULT). */
export type ExplorerFault = 'hide-restart' | 'mute-agreement' | 'deliver-while-down' | 'search-ignores-down';

/** A step of the explorer: one of the reference world's, or a crash that puts a peer down until its restart. */
export type Step = Action | { kind: 'crash'; peer: PeerId };

export const sameStep = (a: Step, b: Step): boolean => {
  if (a.kind === 'crash' || b.kind === 'crash')
    return a.kind === b.kind && JSON.stringify(a) === JSON.stringify(b);
  return sameAction(a, b);
};

interface Breach {
  /** 1-based step of the path that broke the property. */
  step: number;
  message: string;
}

export interface Node {
  id: number;
  parent: Node | null;
  action: Step | null;
  world: World;
  applied: Applied | null;
  depth: number;
  children: Node[];
  /** The child last visited: where "forward" goes. */
  preferred: Node | null;
  chosen: readonly Chosen[];
  /** The first breach of each property on the path to this node. */
  broken: Partial<Record<PropertyName, Breach>>;
  /** The peers crashed and not restarted yet, ascending. */
  down: readonly PeerId[];
}

export const PROPERTIES: readonly PropertyName[] = safetyMonitors.map((m) => m.property);

/** Monitors fed along one path, up to `node`: they keep state, so they belong to one path. */
interface Live {
  node: Node;
  monitors: { property: PropertyName; check: ReturnType<MonitorFactory> }[];
  truth: GroundTruth;
}

export class Session {
  readonly sim: Simulator;
  readonly root: Node;
  current: Node;
  private nextId = 0;
  /** Steps of the last `load` that had no effect and were left out of the path. */
  skipped = 0;
  private live: Live;
  private readonly enabledCache = new WeakMap<Node, Step[]>();

  constructor(
    readonly cluster: ClusterConfig,
    readonly values: Record<GroupId, Value>,
    private readonly fault?: ExplorerFault,
  ) {
    this.sim = createSimulator(createPeerLogic(cluster));
    this.root = this.node(null, null, this.sim.initial(), null, [], {}, []);
    this.current = this.root;
    this.live = this.monitorsAt(this.root);
  }

  private node(
    parent: Node | null,
    action: Step | null,
    world: World,
    applied: Applied | null,
    chosen: readonly Chosen[],
    broken: Node['broken'],
    down: readonly PeerId[],
  ): Node {
    const depth = parent ? parent.depth + 1 : 0;
    const id = this.nextId++;
    return { id, parent, action, world, applied, depth, children: [], preferred: null, chosen, broken, down };
  }

  private freshLive(node: Node): Live {
    const monitors = safetyMonitors
      .filter((m) => !(this.fault === 'mute-agreement' && m.property === 'Agreement'))
      .map((m) => ({ property: m.property, check: m(this.sim) }));
    return { node, monitors, truth: groundTruth(this.cluster) };
  }

  /** Runs a step's monitors; the breaches it adds and what it made chosen. */
  private observe(live: Live, world: World, applied: Applied, step: number, broken: Node['broken']) {
    const fresh = live.truth.observe(applied.sends);
    const out = { ...broken };
    for (const m of live.monitors) {
      const message = m.check({ world, applied, truth: live.truth, fresh });
      if (message !== undefined && !out[m.property]) out[m.property] = { step, message };
    }
    return out;
  }

  /** Monitors fed with every step from the root to `node` (the worlds are kept, so no machine runs). */
  private monitorsAt(node: Node): Live {
    const live = this.freshLive(node);
    for (const n of this.pathOf(node))
      if (n.applied) this.observe(live, n.world, n.applied, n.depth, n.parent?.broken ?? {});
    return live;
  }

  /** The nodes from the root's first step to `node`. */
  pathOf(node: Node = this.current): Node[] {
    const out: Node[] = [];
    for (let n: Node | null = node; n?.parent; n = n.parent) out.push(n);
    return out.reverse();
  }

  actionsOf(node: Node = this.current): Step[] {
    return this.pathOf(node).map((n) => n.action as Step);
  }

  /** The reference world's steps of the path (a crash is none: its restart is the world's step). */
  worldActionsOf(node: Node = this.current): Action[] {
    return this.actionsOf(node).filter((a): a is Action => a.kind !== 'crash');
  }

  /** The steps ahead of the current node along the preferred children (a branch one came back from). */
  ahead(): Node[] {
    const out: Node[] = [];
    for (let n = this.current.preferred; n; n = n.preferred) out.push(n);
    return out;
  }

  enabled(node: Node = this.current): Step[] {
    let actions = this.enabledCache.get(node);
    if (!actions) {
      actions = this.withDown(
        node,
        enabledActions(this.sim, node.world, (g) => this.values[g] ?? `V${g}`),
      );
      if (this.fault === 'hide-restart') actions = actions.filter((a) => a.kind !== 'restart');
      this.enabledCache.set(node, actions);
    }
    return actions;
  }

  /** The world's actions as the down peers allow: none of theirs but their restart; a crash for each peer up. */
  private withDown(node: Node, actions: readonly Action[]): Step[] {
    const down = (id: PeerId) => node.down.includes(id);
    const out: Step[] = [];
    for (const a of actions) {
      if (a.kind === 'restart') out.push(down(a.peer) ? a : { kind: 'crash', peer: a.peer });
      else if (a.kind === 'deliver' && this.fault === 'deliver-while-down') out.push(a);
      else if (!((a.kind === 'deliver' || !isMessageAction(a)) && down(actorOf(this.cluster, a))))
        out.push(a);
    }
    return out;
  }

  /** Takes `action` from the current node: the child that took it already, or a new one (a fork). */
  take(action: Step): Node {
    const from = this.current;
    const existing = from.children.find((c) => c.action && sameStep(c.action, action));
    if (existing) return this.goTo(existing);
    // A start is enabled with any value: which value a host gives its proposer is not the protocol's to say.
    const enabled =
      action.kind === 'start'
        ? this.enabled(from).some((a) => a.kind === 'start' && a.group === action.group) && action
        : this.enabled(from).find((a) => sameStep(a, action));
    if (!enabled) throw new NotEnabled(`not enabled: ${this.describe(action)}`);
    if (this.live.node !== from) this.live = this.monitorsAt(from);
    let child: Node;
    if (enabled.kind === 'crash') {
      // The world is left as it is: no variable a property reads changes, so none can break here.
      const down = [...from.down, enabled.peer].sort((a, b) => a - b);
      child = this.node(from, enabled, from.world, null, from.chosen, from.broken, down);
    } else {
      const world = this.sim.clone(from.world);
      const applied = this.sim.apply(world, enabled);
      const broken = this.observe(this.live, world, applied, from.depth + 1, from.broken);
      const chosen =
        this.live.truth.chosen.length > from.chosen.length ? [...this.live.truth.chosen] : from.chosen;
      const down = enabled.kind === 'restart' ? from.down.filter((p) => p !== enabled.peer) : from.down;
      child = this.node(from, enabled, world, applied, chosen, broken, down);
    }
    from.children.push(child);
    this.live.node = child;
    return this.goTo(child);
  }

  /** The node of this tree with id `id`, if it was not discarded. */
  find(id: number): Node | undefined {
    const stack = [this.root];
    for (let n = stack.pop(); n; n = stack.pop()) {
      if (n.id === id) return n;
      stack.push(...n.children);
    }
    return undefined;
  }

  /** The last node of the branch ahead (the current node when nothing is ahead). */
  end(): Node {
    let n = this.current;
    while (n.preferred) n = n.preferred;
    return n;
  }

  goTo(node: Node): Node {
    for (let n: Node | null = node; n?.parent; n = n.parent) n.parent.preferred = n;
    this.current = node;
    return node;
  }

  back(): Node {
    return this.goTo(this.current.parent ?? this.current);
  }

  forward(): Node | null {
    const next = this.current.preferred;
    return next ? this.goTo(next) : null;
  }

  /** Removes a branch (never one holding the current node); its parent forgets it. */
  discard(node: Node): void {
    const parent = node.parent;
    if (!parent) return;
    for (let n: Node | null = this.current; n; n = n.parent) if (n === node) return;
    parent.children = parent.children.filter((c) => c !== node);
    if (parent.preferred === node) parent.preferred = parent.children.at(-1) ?? null;
    if (this.live.node.depth >= node.depth) this.live = this.monitorsAt(this.current);
  }

  /**
   * A START to a proposer that would not take one, or a TIMEOUT with no timer armed: the
   * simulator's random runs draw such steps and apply them as nothing; no button offers them.
   */
  private noEffect(a: Step): boolean {
    if (a.kind === 'start') return !this.enabled().some((e) => e.kind === 'start' && e.group === a.group);
    return a.kind === 'timeout' && !this.enabled().some((e) => sameStep(e, a));
  }

  /**
   * Takes a step of a file, a link or the checker: the world's crash-and-restart of a peer
   * that is up (what `r.PEER` meant before crashes had a step of their own) as its crash,
   * then its restart.
   */
  takeWorldAction(a: Step): void {
    if (a.kind === 'restart' && !this.current.down.includes(a.peer))
      this.take({ kind: 'crash', peer: a.peer });
    this.take(a);
  }

  /**
   * Replays steps from the root, typed actions or a simulation's indices into the messages
   * in flight (resolved against the world they meet); throws NotEnabled naming the first
   * step that is not enabled.
   */
  load(steps: readonly (SimStep | Step)[]): Node {
    this.goTo(this.root);
    this.skipped = 0;
    // Indices count copies in the simulator's order, which taking a message by content does
    // not keep (it takes the first of identical copies): a world of the simulator's own
    // follows along to resolve them.
    const mirror = this.sim.initial();
    steps.forEach((step, i) => {
      try {
        let action: Step;
        if ('index' in step) {
          const at = messageIndex(mirror, step);
          if (at < 0) throw new NotEnabled(`a ${step.kind} with nothing in flight`);
          action = { kind: step.kind, send: mirror.inFlight[at] as Send };
        } else action = step;
        if (step.kind !== 'crash') this.sim.apply(mirror, step);
        if (this.noEffect(action)) {
          this.skipped++;
          return;
        }
        this.takeWorldAction(action);
      } catch (err) {
        if (err instanceof NotEnabled) throw new NotEnabled(`step ${i + 1}: ${err.message}`);
        throw err;
      }
    });
    return this.current;
  }

  /**
   * Random steps from the current node, weighted by kind as the simulator's random runs
   * are, until a value is chosen or `limit` steps; the same seed takes the same steps.
   */
  runUntilChosen(seed: number, limit = 2000): number {
    const rng = mulberry32(seed);
    let taken = 0;
    while (this.current.chosen.length === 0 && taken < limit) {
      const actions = this.enabled();
      const total = actions.reduce((s, a) => s + weightOf(a), 0);
      if (actions.length === 0 || total <= 0) break;
      let x = rng.next() * total;
      let pick = actions.at(-1) as Step;
      for (const a of actions) {
        x -= weightOf(a);
        if (x < 0) {
          pick = a;
          break;
        }
      }
      this.take(pick);
      taken++;
    }
    return taken;
  }

  path(): string {
    return encodePath(this.actionsOf());
  }

  actorOf(a: Step): PeerId {
    return a.kind === 'crash' ? a.peer : actorOf(this.cluster, a);
  }

  /** The step in words, as the page's buttons and path say it. */
  describe(a: Step): string {
    if (a.kind === 'crash') return `crash ${this.hostOf(a.peer)}`;
    if (a.kind === 'restart') return `restart ${this.hostOf(a.peer)} from stable storage`;
    return describeAction(this.cluster, a);
  }

  private hostOf(id: PeerId): string {
    return this.cluster.peers.find((p) => p.id === id)?.host ?? `peer${id}`;
  }
}

/** A crash weighs as the simulator's crash and restart: random runs crash as often, and restart as often. */
const weightOf = (a: Step): number => defaultWeights[a.kind === 'crash' ? 'restart' : a.kind];
