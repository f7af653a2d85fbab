import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { clusterFromRoles } from '../../src/config/cluster';
import { ConfigError, parseHostsfile } from '../../src/config/hostsfile';
import { allDisjointMajorities, disjointMajorities, findDisjointMajorities } from '../../src/config/quorums';
import { testcase1, testcase2 } from '../support/clusters';

/** Every subset of xs (as arrays), by bitmask. */
const subsets = <T>(xs: readonly T[]): T[][] =>
  Array.from({ length: 2 ** xs.length }, (_, mask) => xs.filter((_, i) => mask & (1 << i)));

/** Brute force: is there a majority of a and a majority of b that share nothing? */
function bruteForceDisjoint(a: readonly number[], b: readonly number[]): boolean {
  const majorities = (xs: readonly number[]) => subsets(xs).filter((s) => s.length * 2 > xs.length);
  return majorities(a).some((ma) => majorities(b).some((mb) => ma.every((x) => !mb.includes(x))));
}

const isMajorityOf = (m: number[], xs: number[]) =>
  m.every((x) => xs.includes(x)) && m.length * 2 > xs.length;

describe('quorum intersection between proposer groups', () => {
  test("interface.md's example: acceptors {2,3,4} and {4,5,6} can choose apart", () => {
    expect(disjointMajorities([2, 3, 4], [4, 5, 6])).toEqual([
      [2, 3],
      [5, 6],
    ]);
  });

  test('the lab testcases are safe', () => {
    expect(findDisjointMajorities(testcase1)).toBeNull();
    expect(findDisjointMajorities(testcase2)).toBeNull();
  });

  test('a group of one acceptor and a group of two sharing it are safe; sharing nothing is not', () => {
    expect(disjointMajorities([1], [1, 2])).toBeNull();
    expect(disjointMajorities([1], [2])).toEqual([[1], [2]]);
    // Two acceptors need both for a majority, so one shared acceptor is enough.
    expect(disjointMajorities([1, 2], [2, 3])).toBeNull();
    // Four acceptors need three: {1,2,3,4} and {3,4,5,6} can use {1,2,3} and {4,5,6}.
    expect(disjointMajorities([1, 2, 3, 4], [3, 4, 5, 6])).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  test('the parser refuses unsafe groups, naming them and their majorities, unless allowed', () => {
    const text = [
      'peer1:proposer1',
      'peer2:acceptor1',
      'peer3:acceptor1',
      'peer4:acceptor1,acceptor2',
      'peer5:acceptor2',
      'peer6:acceptor2',
      'peer7:proposer2',
    ].join('\n');
    expect(() => parseHostsfile(text, 'unsafe.txt')).toThrow(
      new ConfigError(
        'unsafe.txt',
        7,
        'groups 1 and 2 need not agree: majority {peer2 (id 2), peer3 (id 3)} of group 1 and majority ' +
          '{peer5 (id 5), peer6 (id 6)} of group 2 share no acceptor (refused unless --allow-unsafe-quorums)',
      ),
    );
    const allowed = parseHostsfile(text, 'unsafe.txt', { allowUnsafeQuorums: true });
    expect(findDisjointMajorities(allowed)).toEqual({
      groups: [1, 2],
      majorities: [
        [2, 3],
        [5, 6],
      ],
    });
  });

  test('every offending pair is listed, in group order', () => {
    const cluster = clusterFromRoles('three', [
      { host: 'a', proposer: [1, 2, 3], acceptor: [1] },
      { host: 'b', acceptor: [2] },
      { host: 'c', acceptor: [1, 3] },
    ]);
    expect(allDisjointMajorities(cluster).map((d) => d.groups)).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });

  test('agrees with brute-force enumeration of majorities, and its majorities are real', () => {
    const groupArb = fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 7 });
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 2, maxLength: 4 }), (acceptorSets) => {
        const cluster = clusterFromRoles(
          'random',
          Array.from({ length: 8 }, (_, i) => ({
            host: `peer${i + 1}`,
            acceptor: acceptorSets.flatMap((set, g) => (set.includes(i + 1) ? [g + 1] : [])),
          })).concat(
            acceptorSets.map((_, g) => ({ host: `proposer${g + 1}`, proposer: [g + 1], acceptor: [] })),
          ),
        );
        const found = allDisjointMajorities(cluster);
        const expected: [number, number][] = [];
        acceptorSets.forEach((a, i) => {
          acceptorSets.forEach((b, j) => {
            if (i < j && bruteForceDisjoint(a, b)) expected.push([i + 1, j + 1]);
          });
        });
        expect(found.map((d) => d.groups)).toEqual(expected);
        for (const { groups, majorities } of found) {
          const [a, b] = groups.map((g) => acceptorSets[g - 1] as number[]) as [number[], number[]];
          expect(isMajorityOf(majorities[0], a)).toBe(true);
          expect(isMajorityOf(majorities[1], b)).toBe(true);
          expect(majorities[0].filter((x) => majorities[1].includes(x))).toEqual([]);
        }
      }),
    );
  });
});
