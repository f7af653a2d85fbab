/**
 * Randomised exponential backoff. Used for reconnecting (so peers that start in any order
 * find each other quickly without hammering) and for a refused proposer's retry (so two
 * proposers stop outbidding each other: the one that waits less wins the next round).
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

/** A refused proposer waits 100 ms, 200 ms, ... up to 3 s, with full jitter. */
export const PROPOSER_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 3000, jitter: 1 };

/**
 * How long a proposer waits for a majority before it starts a new round: a second, plus up
 * to half a second at random so that proposers that time out together do not retry together.
 */
export const ROUND_TIMEOUT_MS = 1000;
export const ROUND_TIMEOUT_JITTER_MS = 500;

export const roundTimeoutMs = (random: Random = Math.random): number =>
  ROUND_TIMEOUT_MS + Math.round(ROUND_TIMEOUT_JITTER_MS * random());
