/**
 * Randomised exponential backoff for reconnecting, so peers that start in any order find
 * each other quickly without hammering. (The proposers' timers are the machines' own:
 * machines/timers.ts.)
 */

export interface BackoffPolicy {
  /** Delay of the first attempt, in ms. */
  baseMs: number;
  /** Upper bound of the exponential part, in ms. */
  capMs: number;
  /** Share of the delay that is randomised: 0 = fixed, 1 = anywhere in [0, delay]. */
  jitter: number;
}

export type Random = () => number;

/** Delay before attempt `attempt` (0 for the first retry): base * 2^attempt, capped, jittered. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: Random = Math.random): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exponential * (1 - policy.jitter * random()));
}

/** Reconnect: first retry after about 50 ms, never more than a second apart. */
export const CONNECT_BACKOFF: BackoffPolicy = { baseMs: 50, capMs: 1000, jitter: 0.5 };
