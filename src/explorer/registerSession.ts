/**
 * The register scenario without a page: worlds of register peers (src/registers/world.ts,
 * the real register machines) walked step by step through the checker's own model of
 * them (src/check/registers/model.ts), so that each step is the one `paxos check --model
 * registers` takes, and each is held to what the checker holds it to: the history so far
 * linearizable, the step one of spec/Registers.tla (or a stutter), every round on a number
 * never used before. The model's bounds are the checker's (rounds per operation,
 * duplicates, restarts): a step past them is not offered.
 *
 * A step is named by its words (the checker's, in its traces) and, among steps with the
 * same words, its rank: content, not a position in the network, so a link keeps its meaning.
 */
import type { PeerId } from '../../machines/messages';
import type { Operation } from '../../machines/register';
import { registerFaults } from '../../properties/registers/faults';
import type { Breach } from '../check/model';
import { type RegisterModelOptions, RegistersModel, stepKindOf } from '../check/registers/model';
import { createRegisterPeerLogic } from '../registers/peer';

/** A deliberately broken register scenario: its peers answer a get from one acceptor. */
export type RegisterFault = 'register-get-without-quorum';

export const REGISTER_PROPERTIES = ['Linearizable', 'Refinement', 'FreshNumbers'] as const;
type RegisterProperty = (typeof REGISTER_PROPERTIES)[number];

export interface RegisterChoice {
  words: string;
  kind: string;
  /** The state after the step. */
  next: Int32Array;
  breach: Breach | null;
}

export interface RegisterNode {
  id: number;
  parent: RegisterNode | null;
  /** The step's token (words, then `~rank` when other steps here share them). */
  token: string | null;
  words: string | null;
  state: Int32Array;
  depth: number;
  children: RegisterNode[];
  preferred: RegisterNode | null;
  broken: Partial<Record<RegisterProperty, { step: number; message: string }>>;
}

export interface RegisterPlan {
  peers: number;
  clients: { peer: PeerId; ops: Operation[] }[];
}

const propertyOf = (b: Breach): RegisterProperty =>
  b.invariant === 'LinearizabilityUnknown' ? 'Linearizable' : (b.invariant as RegisterProperty);

export class RegisterSession {
  readonly model: RegistersModel;
  readonly root: RegisterNode;
  current: RegisterNode;
  private nextId = 0;
  private readonly enabledCache = new WeakMap<RegisterNode, RegisterChoice[]>();

  constructor(plan: RegisterPlan, fault?: RegisterFault) {
    const options: RegisterModelOptions = {
      ...plan,
      maxRounds: 2,
      drop: true,
      maxDuplicates: 1,
      maxRestarts: 1,
      refinement: true,
    };
    const broken = fault && registerFaults.find((f) => f.name === 'get-without-quorum');
    const peers = Array.from({ length: plan.peers }, (_, i) => i + 1);
    const logic = (broken?.logic ?? createRegisterPeerLogic)({ peers });
    this.model = new RegistersModel(options, logic);
    const out = new Int32Array(this.model.maxLength);
    let length = 0;
    this.model.initial(out, (n) => {
      length = n;
    });
    this.root = this.node(null, null, null, out.slice(0, length), {});
    this.current = this.root;
  }

  private node(
    parent: RegisterNode | null,
    token: string | null,
    words: string | null,
    state: Int32Array,
    broken: RegisterNode['broken'],
  ): RegisterNode {
    const depth = parent ? parent.depth + 1 : 0;
    return { id: this.nextId++, parent, token, words, state, depth, children: [], preferred: null, broken };
  }

  /** The steps the model offers here, each with its words and what it breaks, in words order. */
  enabled(node: RegisterNode = this.current): RegisterChoice[] {
    let choices = this.enabledCache.get(node);
    if (!choices) {
      const found: RegisterChoice[] = [];
      const { model } = this;
      const out = new Int32Array(model.maxLength);
      const s = node.state;
      model.successors(s, s.length, out, (label, n) => {
        const words = model.describe(s, s.length, label, out, n, null).action;
        found.push({ words, kind: stepKindOf(label), next: out.slice(0, n), breach: model.checkStep() });
        return false;
      });
      choices = found.sort((a, b) => (a.words < b.words ? -1 : a.words > b.words ? 1 : 0));
      this.enabledCache.set(node, choices);
    }
    return choices;
  }

  /** The token of the i-th enabled step: its words, and its rank among those with the same. */
  tokenOf(i: number, node: RegisterNode = this.current): string {
    const choices = this.enabled(node);
    const words = (choices[i] as RegisterChoice).words;
    const rank = choices.slice(0, i).filter((c) => c.words === words).length;
    return rank === 0 ? words : `${words}~${rank}`;
  }

  take(i: number): RegisterNode {
    const from = this.current;
    const choice = this.enabled(from)[i];
    if (!choice) throw new Error(`no step ${i} here`);
    const token = this.tokenOf(i, from);
    const existing = from.children.find((c) => c.token === token);
    if (existing) return this.goTo(existing);
    const broken = { ...from.broken };
    const step = from.depth + 1;
    for (const b of [choice.breach, this.model.checkState(choice.next)])
      if (b && !broken[propertyOf(b)])
        broken[propertyOf(b)] = { step, message: `${b.invariant}: ${b.detail}` };
    const child = this.node(from, token, choice.words, choice.next, broken);
    from.children.push(child);
    return this.goTo(child);
  }

  goTo(node: RegisterNode): RegisterNode {
    for (let n: RegisterNode | null = node; n?.parent; n = n.parent) n.parent.preferred = n;
    this.current = node;
    return node;
  }

  back(): RegisterNode {
    return this.goTo(this.current.parent ?? this.current);
  }

  forward(): RegisterNode | null {
    return this.current.preferred ? this.goTo(this.current.preferred) : null;
  }

  find(id: number): RegisterNode | undefined {
    const stack = [this.root];
    for (let n = stack.pop(); n; n = stack.pop()) {
      if (n.id === id) return n;
      stack.push(...n.children);
    }
    return undefined;
  }

  pathOf(node: RegisterNode = this.current): RegisterNode[] {
    const out: RegisterNode[] = [];
    for (let n: RegisterNode | null = node; n?.parent; n = n.parent) out.push(n);
    return out.reverse();
  }

  /** The path as a link holds it: each token percent-encoded, `,` between them. */
  path(): string {
    return this.pathOf()
      .map((n) => encodeURIComponent(n.token as string))
      .join(',');
  }

  /** Takes the steps of a link from the start; throws naming the first one not offered. */
  load(text: string): RegisterNode {
    this.goTo(this.root);
    const tokens = text === '' ? [] : text.split(',').map(decodeURIComponent);
    tokens.forEach((token, k) => {
      const i = this.enabled().findIndex((_, j) => this.tokenOf(j) === token);
      if (i < 0) throw new Error(`step ${k + 1}: not offered here: ${token}`);
      this.take(i);
    });
    return this.current;
  }

  /** What the page shows of a world: each peer's acceptor and round on the key, the clients' history. */
  view(node: RegisterNode = this.current) {
    const s = node.state;
    return this.model.describe(null, 0, -1, s, s.length, null).state as {
      peers: {
        incarnation: number;
        acceptor: { minProposal: number; acceptedProposal: number; acceptedValue: string | null } | null;
        round: { state: unknown; n: number } | null;
      }[];
      history: { process: number; type: string; f: string; value: unknown }[];
      messages: number;
    };
  }
}
