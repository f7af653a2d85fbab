/**
 * Settled messages: a message whose delivery changes nothing (the same peer state, nothing
 * sent, nothing printed, no history) in the receiver's state now and in every state the
 * receiver may still reach. On the set network such a message stays forever and is
 * delivered again and again as a self-loop; two worlds that differ only by settled
 * messages have the same futures, so the world forgets them, as it forgets the messages of
 * types a peer can no longer react to (reactivity.ts), only judged per message and state:
 * a late prepare_ack to a proposer past its first phase, whose only effect was to raise a
 * highest number already seen.
 *
 * "Every state it may still reach" is taken from the peer's whole local graph: the fixpoint
 * of every peer state and every message the cluster can produce at all, starting from the
 * initial peers, delivering every message to its addressee in every state, with the inputs
 * the host may give (START and TIMEOUT as the world enables them within the round bound,
 * restarts when crashes are on). Any world's peer is in that graph, and its next messages
 * are among those, so what the graph says cannot happen does not. A peer state or message
 * outside the graph (none is expected) is never judged settled.
 */
import type { LocalStep, PeerTable } from './peerTable';

export interface LocalGraphInputs {
  /** Initial peer state of each slot. */
  initial: readonly number[];
  /** The slot a message goes to, or -1. */
  slotOfSend(send: number): number;
  /** The START and TIMEOUT steps the host may take from a peer state. */
  inputs(state: number): readonly LocalStep[];
  /** Whether peers may crash and restart. */
  restarts: boolean;
  /**
   * Local steps the graph may take at most. It is small for the lab's clusters (testcase 2:
   * 11,441 steps; testcase 1 with three rounds: 140,719), but it over-approximates every
   * order of every message, and for five acceptors and three proposers it outgrew 4 GiB.
   */
  maxSteps: number;
}

/** The local graph passed its step budget: nothing is judged settled (sound, only smaller gains). */
export class LocalGraphTooLarge extends Error {
  constructor(readonly maxSteps: number) {
    super(`the peers' local graph passed ${maxSteps.toLocaleString('en-US')} steps`);
  }
}

/** The delivery leaves the peer as it was and lets nothing out. */
export const strictStutter = (state: number, step: LocalStep): boolean =>
  step.next === state && step.sends.length === 0 && step.learned === null && step.ghost.length === 0;

export class SettledMessages {
  /** Peer states and messages of the graph (ids below these are judged). */
  readonly states: number;
  readonly messages: number;
  /** Per message: for each peer state of its addressee, 1 when settled there. */
  private readonly settled: (Uint8Array | undefined)[] = [];

  constructor(
    readonly peers: PeerTable,
    g: LocalGraphInputs,
  ) {
    const slotOfState = new Map<number, number>();
    const statesOf: number[][] = g.initial.map(() => []);
    const messagesTo: number[][] = g.initial.map(() => []);
    const knownMessage = new Set<number>();
    const succ = new Map<number, Set<number>>();
    const pairs: [number, number][] = [];
    const addState = (slot: number, s: number) => {
      if (slotOfState.has(s)) return;
      slotOfState.set(s, slot);
      (statesOf[slot] as number[]).push(s);
      succ.set(s, new Set());
      for (const m of messagesTo[slot] as number[]) pairs.push([s, m]);
      pairs.push([s, -1]);
    };
    const addMessage = (m: number) => {
      if (knownMessage.has(m)) return;
      knownMessage.add(m);
      const slot = g.slotOfSend(m);
      if (slot < 0) return;
      (messagesTo[slot] as number[]).push(m);
      for (const s of statesOf[slot] as number[]) pairs.push([s, m]);
    };
    const follow = (s: number, step: LocalStep) => {
      const slot = slotOfState.get(s) as number;
      (succ.get(s) as Set<number>).add(step.next);
      addState(slot, step.next);
      for (const m of step.sends) addMessage(m);
    };
    g.initial.forEach((s, slot) => {
      addState(slot, s);
    });
    let steps = 0;
    for (let pair = pairs.pop(); pair; pair = pairs.pop()) {
      if (++steps > g.maxSteps) throw new LocalGraphTooLarge(g.maxSteps);
      const [s, m] = pair;
      if (m >= 0) {
        follow(s, peers.deliver(s, m));
        continue;
      }
      // The peer's own inputs: once per state.
      for (const step of g.inputs(s)) follow(s, step);
      if (g.restarts) {
        const next = peers.crash(s);
        (succ.get(s) as Set<number>).add(next);
        addState(slotOfState.get(s) as number, next);
      }
    }
    this.states = peers.states.size;
    this.messages = peers.sends.size;

    // Settled at s: no state reachable from s (s included) where the delivery does anything.
    // Backwards from the states where it does something, over the reversed local graph.
    const pred = new Map<number, number[]>();
    for (const [s, next] of succ)
      for (const t of next) {
        const p = pred.get(t);
        if (p) p.push(s);
        else pred.set(t, [s]);
      }
    for (const m of knownMessage) {
      const slot = g.slotOfSend(m);
      if (slot < 0) continue;
      const live = new Uint8Array(this.states);
      const queue: number[] = [];
      for (const s of statesOf[slot] as number[])
        if (!strictStutter(s, peers.deliver(s, m))) {
          live[s] = 1;
          queue.push(s);
        }
      for (let s = queue.pop(); s !== undefined; s = queue.pop())
        for (const p of pred.get(s) ?? [])
          if (!live[p]) {
            live[p] = 1;
            queue.push(p);
          }
      const settled = new Uint8Array(this.states);
      for (const s of statesOf[slot] as number[]) settled[s] = live[s] ? 0 : 1;
      this.settled[m] = settled;
    }
  }

  /** Whether message `send` is settled at its addressee's state `state`. */
  isSettled(state: number, send: number): boolean {
    return this.settled[send]?.[state] === 1;
  }
}
