/**
 * The refinement check: every step of the machines maps to one spec action or a stutter.
 * A spec state is read off a world by the mapping (acceptors' durable state and the
 * messages ever sent); a step that changes no acceptor and sends no spec-relevant message
 * leaves it unchanged and is a stutter without asking.
 */
import type { AcceptorDurable } from '../../../machines/acceptor';
import type { Message, PeerId } from '../../../machines/messages';
import type { GhostHistory } from './ghost';
import { Interner, PairMemo } from './interner';
import type { WorldModel } from './packedWorld';
import type { PeerTable } from './peerTable';

/** What the checker needs from the spec's refinement mapping. */
export interface RefinementMapping<S> {
  /** Whether the mapping reads this message (others need not be remembered). */
  relevant(message: Message): boolean;
  map(view: { acceptors: Map<PeerId, AcceptorDurable>; sent: Iterable<Message> }): S;
  /** Whether a spec state is the spec's Init (the initial world must map to it). */
  isInitial(state: S): boolean;
  /** 'stutter', the spec action's name, or null when the step maps to none. */
  actionBetween(before: S, after: S): string | null;
}

export class RefinementChecker<S> {
  private readonly specStates = new Interner<S>();
  private readonly verdicts = new PairMemo<string | null>();
  private readonly messageSets: number[] = [];
  private readonly acceptorSlots: number[];

  constructor(
    private readonly mapping: RefinementMapping<S>,
    private readonly world: WorldModel,
    private readonly peers: PeerTable,
    private readonly ghost: GhostHistory,
  ) {
    this.acceptorSlots = world.acceptorSlots;
  }

  /** Whether the world maps to the spec's Init. */
  initial(key: Int32Array): boolean {
    return this.mapping.isInitial(this.specStates.value(this.specState(key)));
  }

  /** The spec action a step from `before` to `after` maps to, or null. */
  action(before: Int32Array, after: Int32Array): string | null {
    const a = this.specState(before);
    const b = this.specState(after);
    if (a === b) return 'stutter';
    let verdict = this.verdicts.get(a, b);
    if (verdict === undefined) {
      verdict = this.mapping.actionBetween(this.specStates.value(a), this.specStates.value(b));
      this.verdicts.set(a, b, verdict);
    }
    return verdict;
  }

  specState(key: Int32Array): number {
    const history = key[this.world.history] as number;
    let messages = this.messageSets[history];
    if (messages === undefined) {
      messages = this.ghost.ofItems(
        [...this.ghost.sets.value(history)].filter((i) => this.ghost.items.value(i).kind === 'message'),
      );
      this.messageSets[history] = messages;
    }
    let id = '';
    for (const slot of this.acceptorSlots) id += `${this.peers.fact(key[slot] as number).acceptorId},`;
    id += messages;
    return this.specStates.intern(id, () => this.view(key, messages));
  }

  private view(key: Int32Array, messages: number): S {
    const acceptors = new Map<PeerId, AcceptorDurable>();
    for (const slot of this.acceptorSlots) {
      const f = this.peers.fact(key[slot] as number);
      if (f.acceptor) acceptors.set(f.owner, f.acceptor);
    }
    const sent: Message[] = [];
    for (const item of this.ghost.itemsOf(messages)) if (item.kind === 'message') sent.push(item.message);
    return this.mapping.map({ acceptors, sent });
  }
}
