/**
 * Clusters for tests: the lab's two testcases, and a fast-check arbitrary of valid clusters
 * written as hostsfiles and parsed by the real parser (so a test drives what a user could).
 */
import fc from 'fast-check';
import type { GroupId } from '../../machines/messages';
import type { ClusterConfig } from '../../src/config/cluster';
import { parseHostsfile } from '../../src/config/hostsfile';
import { disjointMajorities } from '../../src/config/quorums';

const testcase1Hostsfile =
  'peer1:proposer1\npeer2:acceptor1\npeer3:acceptor1\npeer4:acceptor1\npeer5:learner1\n';
export const testcase2Hostsfile =
  'peer1:proposer1\npeer2:acceptor1,acceptor2\npeer3:acceptor1,acceptor2\npeer4:acceptor1,acceptor2\npeer5:proposer2\n';
export const testcase1: ClusterConfig = parseHostsfile(testcase1Hostsfile, 'hostsfile-testcase1.txt');
export const testcase2: ClusterConfig = parseHostsfile(testcase2Hostsfile, 'hostsfile-testcase2.txt');

export interface GeneratedCluster {
  /** The hostsfile: one `host:role,role` line per peer, no blank or comment lines. */
  text: string;
  /** The peer lines in file order, as written. */
  lines: { host: string; roles: string[] }[];
  cluster: ClusterConfig;
}

export interface ClusterArbOptions {
  /** Group ids drawn from 1..5 (e.g. groups 2 and 5) instead of always 1..P. */
  groupIdGaps?: boolean;
}

/** Acceptors come from a pool this large, so groups of up to five acceptors overlap. */
const POOL = 6;

const poolPeer = fc.nat({ max: POOL - 1 });
const groupLayoutArb = fc.record({
  /** Pool peers whose acceptorK differs from the shared base set (added or removed). */
  toggled: fc.uniqueArray(poolPeer, { maxLength: 2 }),
  /** Which pool peer also holds proposerK; undefined gives the proposer a peer of its own. */
  proposerAt: fc.option(poolPeer, { nil: undefined }),
  learnersAt: fc.array(fc.option(poolPeer, { nil: undefined }), { maxLength: 2 }),
});

/**
 * Valid clusters: 1 to 3 proposer groups, 1 to 5 acceptors each, drawn from one small pool
 * and kept only when every two groups' majorities intersect; optional learners; proposers
 * and learners on peers of their own or on acceptors; lines shuffled, so ids (line order)
 * differ from the order of the hostnames peer1, peer2, ...
 */
export function validClusterArb(options: ClusterArbOptions = {}): fc.Arbitrary<GeneratedCluster> {
  const groupIds: fc.Arbitrary<GroupId[]> = options.groupIdGaps
    ? fc
        .uniqueArray(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 })
        .map((ids) => ids.sort((a, b) => a - b))
    : fc.integer({ min: 1, max: 3 }).map((p) => Array.from({ length: p }, (_, i) => i + 1));

  const layouts = groupIds
    .chain((ids) =>
      fc.tuple(
        fc.constant(ids),
        fc.uniqueArray(poolPeer, { minLength: 1, maxLength: 5 }),
        fc.tuple(...ids.map(() => groupLayoutArb)),
      ),
    )
    .map(([ids, base, groups]) => {
      // Each group's acceptors are a shared base set with a few changes, so they mostly overlap.
      const withAcceptors = groups.map((g) => {
        const changed = [
          ...base.filter((a) => !g.toggled.includes(a)),
          ...g.toggled.filter((a) => !base.includes(a)),
        ];
        return { ...g, acceptors: changed.length === 0 ? base : changed.slice(0, 5) };
      });
      return [ids, withAcceptors] as const;
    })
    .filter(([, groups]) =>
      groups.every((g, i) => groups.slice(i + 1).every((h) => !disjointMajorities(g.acceptors, h.acceptors))),
    );

  return layouts
    .map(([ids, groups]) => {
      // Slots are would-be peers: the pool, then peers of their own; only slots with roles stay.
      const slots = new Map<string, string[]>();
      const give = (slot: string, role: string) => {
        const roles = slots.get(slot) ?? [];
        if (!roles.includes(role)) slots.set(slot, [...roles, role]);
      };
      for (let i = 0; i < POOL; i++) slots.set(`pool${i}`, []);
      groups.forEach((g, i) => {
        const k = ids[i] as GroupId;
        for (const a of g.acceptors) give(`pool${a}`, `acceptor${k}`);
        give(g.proposerAt === undefined ? `proposer${k}` : `pool${g.proposerAt}`, `proposer${k}`);
        g.learnersAt.forEach((at, j) => {
          give(at === undefined ? `learner${k}.${j}` : `pool${at}`, `learner${k}`);
        });
      });
      return [...slots.values()]
        .filter((roles) => roles.length > 0)
        .map((roles, i) => ({ host: `peer${i + 1}`, roles }));
    })
    .chain((peers) => fc.shuffledSubarray(peers, { minLength: peers.length, maxLength: peers.length }))
    .map((lines) => {
      const text = lines.map((l) => `${l.host}:${l.roles.join(',')}\n`).join('');
      return { text, lines, cluster: parseHostsfile(text, 'generated-hostsfile.txt') };
    });
}
