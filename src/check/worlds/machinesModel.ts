/**
 * Worlds of the real machines as a `Model` for the one search: the world's steps
 * (world.ts), its invariants (invariants.ts), the step checks (stepChecks.ts: learner
 * integrity, refinement) and the trace's wording (trace.ts).
 */
import type { Value } from '../../../machines/messages';
import { createPeerLogic } from '../../peer/node';
import type { LivenessQuestion } from '../liveness';
import { type Breach, type Model, symmetric, type Visit } from '../model';
import { Canonicalizer } from './canonical';
import { traceStep } from './counterexample';
import { TransitionCoverage } from './coverage';
import { GhostHistory } from './ghost';
import { Invariants } from './invariants';
import type { MachineCheckOptions, ResolvedOptions } from './options';
import { CRASH, DROP, DUP, stepKind, WorldModel } from './packedWorld';
import { type LocalStep, type PeerFacts, PeerTable } from './peerTable';
import { RefinementChecker, type RefinementMapping } from './refinement';
import { checkStep, type SearchContext } from './stepChecks';
import { Renaming, renamings } from './symmetry';

/** Builds the spec's refinement mapping for a check (null: refinement not checked). */
export type MappingFactory = (options: ResolvedOptions) => RefinementMapping<unknown> | null;

const SCRATCH = 1 << 16;

export class MachinesModel implements Model {
  readonly kind = 'machines';
  readonly maxLength = SCRATCH;
  readonly ghost = new GhostHistory();
  readonly peers: PeerTable;
  readonly world: WorldModel;
  readonly invariants: Invariants;
  readonly refinement: RefinementChecker<unknown> | null;
  /** Transition counts over the explored steps, when asked for (options.coverage). */
  readonly coverage: TransitionCoverage | null;
  readonly tally?: TransitionCoverage;
  private readonly ctx: SearchContext;
  private readonly facts: PeerFacts[] = [];
  /** The local step behind the successor being visited (world.ts hands it over with it). */
  private local: LocalStep | null = null;
  private visitor: Visit | null = null;
  private atInit = false;
  private readonly onWorld = (
    code: number,
    _out: Int32Array,
    n: number,
    local: LocalStep | null,
  ): boolean => {
    this.local = local;
    return (this.visitor as Visit)(code, n);
  };

  constructor(
    readonly options: ResolvedOptions,
    machines: MachineCheckOptions['machines'],
    mappingFor: MappingFactory,
  ) {
    const mapping = options.refinement ? mappingFor(options) : null;
    const logic = createPeerLogic(options.cluster, machines);
    this.coverage = options.coverage ? new TransitionCoverage(logic.machines) : null;
    if (this.coverage) this.tally = this.coverage;
    this.peers = new PeerTable(
      logic,
      this.ghost,
      mapping ? (m) => mapping.relevant(m) : () => false,
      this.coverage,
      options.wire,
    );
    this.world = new WorldModel(options, this.peers, this.ghost);
    this.world.counting = this.coverage;
    this.invariants = new Invariants(options.cluster, this.ghost, Object.values(options.values) as Value[]);
    this.refinement = mapping ? new RefinementChecker(mapping, this.world, this.peers, this.ghost) : null;
    this.ctx = { world: this.world, invariants: this.invariants, refinement: this.refinement };
  }

  initial(out: Int32Array, emit: (length: number) => void): void {
    this.atInit = true;
    emit(this.world.initial(out));
    this.atInit = false;
  }

  successors(s: Int32Array, length: number, out: Int32Array, visit: Visit): number {
    this.visitor = visit;
    this.world.stutters = 0;
    this.world.successors(s, length, out, this.onWorld);
    return this.world.stutters;
  }

  checkState(s: Int32Array): Breach | null {
    const { world, peers } = this;
    for (let i = 0; i < world.slots.length; i++) this.facts[i] = peers.fact(s[i] as number);
    const breach = this.invariants.checkWorld(this.facts, s[world.history] as number);
    if (breach) return breach;
    if (this.atInit && this.refinement && !this.refinement.initial(s))
      return { invariant: 'Refinement', detail: "the initial world does not map to the spec's Init" };
    return null;
  }

  checkStep(before: Int32Array, _bl: number, step: number, after: Int32Array): Breach | null {
    return checkStep(this.ctx, before, step, after, this.local);
  }

  describe(
    before: Int32Array | null,
    _bl: number,
    step: number,
    after: Int32Array,
    afterLength: number,
    breach: Breach | null,
  ) {
    const key = after.slice(0, afterLength);
    return traceStep(this.world, before ? { code: step, after: key, local: this.local } : null, key, breach);
  }

  explored(): void {
    this.world.counting = null;
  }

  /** The local step of the successor being visited (null for a drop, dup or crash). */
  get current(): LocalStep | null {
    return this.local;
  }

  fingerprint(s: Int32Array, length: number, out: Int32Array): void {
    this.world.fingerprint(s, length, out);
  }

  key(s: Int32Array, length: number, out: Int32Array): number {
    for (let i = 0; i < length; i++) out[i] = s[i] as number;
    return length;
  }

  /**
   * The liveness question of these worlds: every participating peer chose, the round
   * bound counts as alive, and drops, duplications and crashes are the faults.
   */
  livenessQuestion(): LivenessQuestion {
    const { world } = this;
    return {
      done: (s) => world.allChose(s),
      bounded: (s) => world.boundStops(s),
      fault: (step) => {
        const kind = stepKind(step);
        return kind === DROP || kind === DUP || kind === CRASH;
      },
    };
  }

  /** The model the search runs: this one, or under symmetry its wrapper. */
  searched(): Model {
    if (!this.options.symmetry) return this;
    const maps = renamings(this.options.cluster)
      .filter((m) => [...m].some(([a, b]) => a !== b))
      .map((m) => new Renaming(m, this.peers, this.ghost));
    return symmetric(this, new Canonicalizer(this.world, maps));
  }
}
