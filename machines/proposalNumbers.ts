/**
 * Proposal numbers are plain integers, unique across proposers and totally ordered:
 * proposer K of P groups owns K, K+P, K+2P, ... (interface.md), so in the lab's
 * testcases peer1's first number is 1 and peer5's is 2.
 */

/** Whether `n` belongs to proposer `group` among `groupCount` groups. */
export const ownsNumber = (group: number, groupCount: number, n: number): boolean =>
  n >= group && (n - group) % groupCount === 0;

/** The number of proposer `group`'s round `round` (from 1), when no round was skipped: what bounds a search by rounds. */
export const roundNumber = (group: number, groupCount: number, round: number): number =>
  (round - 1) * groupCount + group;

/**
 * The smallest of this proposer's numbers strictly above `above`. A retry takes this with
 * `above` = every number it has seen, so it never reuses a number (which could pair one
 * number with two values) and never collides with another group's numbers.
 */
export const nextProposalNumber = (group: number, groupCount: number, above: number): number => {
  if (above < group) return group;
  return group + (Math.floor((above - group) / groupCount) + 1) * groupCount;
};

/**
 * How many lives a register proposer may have. A register round does not write its number
 * to disk (that would cost an fsync per round on every key); its host instead fsyncs an
 * incarnation once per start, below this limit, and the round owns only the numbers of
 * its (group, incarnation) pair: K + P*i + P*I*j for incarnation i of I (machines/round.ts).
 * A larger I leaves fewer rounds per key before numbers reach 2^53: with P = 3 and
 * I = 2^16 a key has over 10^10 rounds.
 */
export const INCARNATION_LIMIT = 2 ** 16;
