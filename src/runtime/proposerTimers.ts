/**
 * Time for a peer's proposers. The machines are pure; the host tells them TIMEOUT:
 *  - a round that sent prepare or accept and heard no majority within the round timeout
 *    (lost messages, acceptors down) is retried with a higher number;
 *  - a refused proposer (backingOff) retries after a randomised exponential backoff, so
 *    that two proposers do not outbid each other forever;
 *  - a proposer that knows the decision gets no timer: the transport's queues deliver its
 *    announcement, and nothing is left to time out.
 */
import type { GroupId, PeerId, Send } from '../../machines/messages';
import type { PeerState } from '../peer/node';
import { type BackoffPolicy, backoffDelay, PROPOSER_BACKOFF, type Random, roundTimeoutMs } from './backoff';

export interface TimerPolicy {
  roundTimeoutMs: (random: Random) => number;
  backoff: BackoffPolicy;
}

export const DEFAULT_TIMER_POLICY: TimerPolicy = { roundTimeoutMs, backoff: PROPOSER_BACKOFF };

export class ProposerTimers {
  private readonly timers = new Map<GroupId, NodeJS.Timeout>();
  private readonly phases = new Map<GroupId, string>();
  private readonly refusals = new Map<GroupId, number>();
  private stopped = false;

  constructor(
    private readonly self: PeerId,
    private readonly fire: (group: GroupId) => void,
    private readonly policy: TimerPolicy = DEFAULT_TIMER_POLICY,
    private readonly random: Random = Math.random,
  ) {}

  /** After each step: arm, re-arm or clear each proposer's timer from its new phase and what it sent. */
  update(state: PeerState, sends: readonly Send[]): void {
    if (this.stopped) return;
    for (const [key, snapshot] of Object.entries(state.proposers)) {
      const group = Number(key);
      const phase = String(snapshot.value);
      const before = this.phases.get(group);
      this.phases.set(group, phase);
      if (phase === 'chosen' || phase === 'idle') {
        this.clear(group);
      } else if (phase === 'backingOff') {
        if (before !== 'backingOff') {
          const attempt = this.refusals.get(group) ?? 0;
          this.refusals.set(group, attempt + 1);
          this.arm(group, backoffDelay(this.policy.backoff, attempt, this.random));
        }
      } else if (sends.some((s) => this.startsRound(s, group))) {
        this.arm(group, this.policy.roundTimeoutMs(this.random));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const group of [...this.timers.keys()]) this.clear(group);
  }

  /** Whether a timer is pending for the group (for tests and diagnostics). */
  pending(group: GroupId): boolean {
    return this.timers.has(group);
  }

  private startsRound(s: Send, group: GroupId): boolean {
    const m = s.message;
    return (m.type === 'prepare' || m.type === 'accept') && m.group === group && m.from === this.self;
  }

  private arm(group: GroupId, ms: number): void {
    this.clear(group);
    const timer = setTimeout(() => {
      if (this.timers.get(group) !== timer) return;
      this.timers.delete(group);
      this.fire(group);
    }, ms);
    this.timers.set(group, timer);
  }

  private clear(group: GroupId): void {
    const timer = this.timers.get(group);
    if (timer) clearTimeout(timer);
    this.timers.delete(group);
  }
}
