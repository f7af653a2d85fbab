/**
 * Time as an effect of the machines, the way Stateright's actors return `SetTimer`: a
 * proposer emits "arm this timer" beside its messages, and whoever hosts it carries that
 * out. The runtime waits the duration below on a real clock; the simulator and the checker
 * only enable the proposer's TIMEOUT while a timer is armed. Arming replaces the timer
 * armed before, so a proposer has at most one, and firing disarms it.
 *
 * Which timer and when is the machine's decision; how long each lasts is decided here too,
 * so that no host has a policy of its own. Hosts only supply the randomness.
 */

/** No majority answered the round in time: retry with a higher number. */
interface RoundTimer {
  kind: 'round';
}

/** Refused: wait, longer after each consecutive refusal, so two proposers stop outbidding each other. */
interface BackoffTimer {
  kind: 'backoff';
  /** Consecutive refused rounds before this one (0 for the first refusal), saturating. */
  attempt: number;
}

/** Decided: repeat the announcement, for members whose copy was lost. */
interface AnnounceTimer {
  kind: 'announce';
  /** Repeats made so far, saturating. */
  attempt: number;
}

export type Timer = RoundTimer | BackoffTimer | AnnounceTimer;

/** The effect a proposer emits. */
export interface ArmTimer {
  type: 'arm';
  timer: Timer;
}

/** Attempt counts stop growing here: the delays have reached their caps, and a bounded count keeps the checker's state space finite. */
export const BACKOFF_ATTEMPT_CAP = 5;
export const ANNOUNCE_ATTEMPT_CAP = 4;

/** A round waits a second for its majority, plus up to half a second so that proposers that time out together do not retry together. */
const ROUND_TIMEOUT_MS = 1000;
const ROUND_TIMEOUT_JITTER_MS = 500;
/** 100 ms, 200 ms, ... up to 3.2 s, with full jitter: the one that draws less wins the next round. */
const BACKOFF_BASE_MS = 100;
/**
 * 2 s, 4 s, ... 32 s. The runtime's links already resend what a broken connection may have
 * lost, so repeats are rare repairs, not chatter; the simulator, whose network loses
 * messages outright, relies on them for every member to learn.
 */
const ANNOUNCE_BASE_MS = 2000;

/** How long `timer` lasts, given a uniform random number in [0, 1). */
export function timerDelayMs(timer: Timer, random: number): number {
  switch (timer.kind) {
    case 'round':
      return ROUND_TIMEOUT_MS + Math.round(ROUND_TIMEOUT_JITTER_MS * random);
    case 'backoff':
      return Math.round(BACKOFF_BASE_MS * 2 ** Math.min(timer.attempt, BACKOFF_ATTEMPT_CAP) * (1 - random));
    case 'announce':
      return ANNOUNCE_BASE_MS * 2 ** Math.min(timer.attempt, ANNOUNCE_ATTEMPT_CAP);
  }
}

/** A short readable name: `round`, `backoff#2`, `announce#1`. */
export const describeTimer = (timer: Timer): string =>
  timer.kind === 'round' ? 'round' : `${timer.kind}#${timer.attempt}`;
