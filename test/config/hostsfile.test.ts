import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { clusterFromRoles } from '../../src/config/cluster';
import { ConfigError, findPeerByHost, loadHostsfile, parseHostsfile } from '../../src/config/hostsfile';
import { testcase1, testcase2, validClusterArb } from '../support/clusters';

/** The ConfigError that parsing `text` as 'hf.txt' throws. */
function refusal(text: string): ConfigError {
  try {
    parseHostsfile(text, 'hf.txt');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(text)}`);
}

const peer = (
  id: number,
  host: string,
  roles: Partial<Record<'proposer' | 'acceptor' | 'learner', number[]>>,
) => ({
  id,
  host,
  line: id,
  proposer: roles.proposer ?? [],
  acceptor: roles.acceptor ?? [],
  learner: roles.learner ?? [],
});

describe('hostsfiles that parse', () => {
  test('lab testcase 1', () => {
    expect(testcase1).toEqual({
      source: 'hostsfile-testcase1.txt',
      peers: [
        peer(1, 'peer1', { proposer: [1] }),
        peer(2, 'peer2', { acceptor: [1] }),
        peer(3, 'peer3', { acceptor: [1] }),
        peer(4, 'peer4', { acceptor: [1] }),
        peer(5, 'peer5', { learner: [1] }),
      ],
      groups: [{ id: 1, proposer: 1, acceptors: [2, 3, 4], learners: [5] }],
      groupCount: 1,
    });
  });

  test('lab testcase 2', () => {
    expect(testcase2).toEqual({
      source: 'hostsfile-testcase2.txt',
      peers: [
        peer(1, 'peer1', { proposer: [1] }),
        peer(2, 'peer2', { acceptor: [1, 2] }),
        peer(3, 'peer3', { acceptor: [1, 2] }),
        peer(4, 'peer4', { acceptor: [1, 2] }),
        peer(5, 'peer5', { proposer: [2] }),
      ],
      groups: [
        { id: 1, proposer: 1, acceptors: [2, 3, 4], learners: [] },
        { id: 2, proposer: 5, acceptors: [2, 3, 4], learners: [] },
      ],
      groupCount: 2,
    });
  });

  test("interface.md's example", () => {
    const text =
      'peer1:proposer1\npeer2:acceptor1,acceptor2\npeer3:acceptor1,acceptor2\npeer4:acceptor1,learner1\npeer5:proposer2\n';
    expect(parseHostsfile(text, 'example.txt')).toEqual({
      source: 'example.txt',
      peers: [
        peer(1, 'peer1', { proposer: [1] }),
        peer(2, 'peer2', { acceptor: [1, 2] }),
        peer(3, 'peer3', { acceptor: [1, 2] }),
        peer(4, 'peer4', { acceptor: [1], learner: [1] }),
        peer(5, 'peer5', { proposer: [2] }),
      ],
      groups: [
        { id: 1, proposer: 1, acceptors: [2, 3, 4], learners: [4] },
        { id: 2, proposer: 5, acceptors: [2, 3], learners: [] },
      ],
      groupCount: 2,
    });
  });

  test('ids follow line order, not hostname order', () => {
    const cluster = parseHostsfile('peer3:acceptor1\npeer1:proposer1\npeer2:acceptor1\n', 'hf.txt');
    expect(cluster.peers.map((p) => [p.id, p.host])).toEqual([
      [1, 'peer3'],
      [2, 'peer1'],
      [3, 'peer2'],
    ]);
    expect(cluster.groups).toEqual([{ id: 1, proposer: 2, acceptors: [1, 3], learners: [] }]);
  });

  test('blank lines, comments, spaces, tabs and CRLF; ids skip them, lines count them', () => {
    const text =
      '\uFEFF# lab testcase 2, dressed up\r\n' +
      '\r\n' +
      '  peer1 : proposer1   # the first proposer\r\n' +
      '\tpeer2:acceptor2 , acceptor1\r\n' +
      '   # an indented comment\r\n' +
      'peer3:acceptor1,acceptor2#no space before this comment\r\n' +
      'peer4 :acceptor1 ,acceptor2\r\n' +
      '\r\n' +
      'peer5:  proposer2';
    const cluster = parseHostsfile(text, 'hf.txt');
    expect(cluster.peers.map((p) => [p.id, p.host, p.line])).toEqual([
      [1, 'peer1', 3],
      [2, 'peer2', 4],
      [3, 'peer3', 6],
      [4, 'peer4', 7],
      [5, 'peer5', 9],
    ]);
    expect(cluster.groups).toEqual(testcase2.groups);
    expect(cluster.peers[1]?.acceptor).toEqual([1, 2]);
  });

  test('one peer may hold several roles, even two proposers; group ids may have gaps', () => {
    const cluster = parseHostsfile(
      'a.example.com:proposer1,proposer3,acceptor1,acceptor3\nB-2:acceptor3,learner1\n',
      'hf',
    );
    expect(cluster.peers).toEqual([
      peer(1, 'a.example.com', { proposer: [1, 3], acceptor: [1, 3] }),
      peer(2, 'B-2', { acceptor: [3], learner: [1] }),
    ]);
    expect(cluster.groups.map((g) => [g.id, g.proposer, g.acceptors])).toEqual([
      [1, 1, [1]],
      [3, 1, [1, 2]],
    ]);
    // P is the highest group id, so K + r*P stays unique for groups 1 and 3.
    expect(cluster.groupCount).toBe(3);
  });

  test('hostnames compare case-insensitively', () => {
    const cluster = parseHostsfile('Peer1:proposer1\npeer2:acceptor1\n', 'hf');
    expect(findPeerByHost(cluster, 'PEER1')?.id).toBe(1);
    expect(findPeerByHost(cluster, 'peer3')).toBeUndefined();
  });

  test('agrees with clusterFromRoles on the same layout', () => {
    const parsed = parseHostsfile('p:proposer1,learner2\nq:acceptor1,acceptor2\nr:proposer2', 'x');
    expect(parsed).toEqual(
      clusterFromRoles('x', [
        { host: 'p', proposer: [1], learner: [2] },
        { host: 'q', acceptor: [1, 2] },
        { host: 'r', proposer: [2] },
      ]),
    );
  });
});

describe('hostsfiles that are refused, with file, line and problem', () => {
  const unknown = 'roles are proposerK, acceptorK and learnerK, K a positive integer';
  const badK = `K must be a positive integer without sign or leading zeros (${unknown})`;
  const cases: [string, string, number | undefined, string][] = [
    [
      'missing colon',
      'peer1:proposer1\npeer2 acceptor1\n',
      2,
      "missing ':' between hostname and roles in 'peer2 acceptor1'",
    ],
    ['two colons', 'peer1:proposer1:acceptor1\n', 1, "more than one ':' in 'peer1:proposer1:acceptor1'"],
    ['empty hostname', '\n  : proposer1\n', 2, "empty hostname before ':'"],
    [
      'empty role list',
      'peer1:proposer1\npeer2:   # nothing\n',
      2,
      "empty role list after 'peer2:' (a peer needs at least one role)",
    ],
    ['empty role', 'peer1:proposer1,\n', 1, "empty role in 'proposer1,' (a ',' with no role next to it)"],
    ['unknown role', 'peer1:proposer1\npeer2:leader1\n', 2, `unknown role 'leader1' (${unknown})`],
    ['roles are lowercase', 'peer1:Proposer1\n', 1, `unknown role 'Proposer1' (${unknown})`],
    ['no K', 'peer1:proposer\n', 1, `role 'proposer': ${badK}`],
    ['K zero', 'peer1:proposer0\n', 1, `role 'proposer0': ${badK}`],
    ['K leading zero', 'peer1:acceptor01\n', 1, `role 'acceptor01': ${badK}`],
    ['K signed', 'peer1:learner+1\n', 1, `role 'learner+1': ${badK}`],
    ['K too large', 'peer1:proposer1000001\n', 1, "role 'proposer1000001': K must be at most 1000000"],
    [
      'duplicate role',
      'peer1:proposer1\npeer2:acceptor1, acceptor1\n',
      2,
      "role 'acceptor1' listed twice for 'peer2'",
    ],
    [
      'invalid hostname',
      'peer_1:proposer1\n',
      1,
      "invalid hostname 'peer_1': use dot-separated labels of 1 to 63 letters, digits and '-', not starting or ending with '-'",
    ],
    [
      'duplicate hostname',
      'peer1:proposer1\npeer2:acceptor1\n\nPEER1:acceptor1\n',
      4,
      "duplicate hostname 'PEER1': already on line 1",
    ],
    [
      'proposer held twice',
      '# two\npeer1:proposer1\npeer2:acceptor1\npeer3:proposer2,proposer1\n',
      4,
      "proposer1 held by two peers: 'peer1' (line 2) and 'peer3' (line 4)",
    ],
    [
      'group without acceptors',
      'peer1:proposer1\npeer2:acceptor1\npeer3:proposer2\n',
      3,
      "proposer2 ('peer3') has no acceptors: no peer is acceptor2",
    ],
    [
      'acceptor without proposer',
      'peer1:proposer1\npeer2:acceptor1,acceptor2\n',
      2,
      "'peer2' is acceptor2 but no peer is proposer2",
    ],
    [
      'learner without proposer',
      'peer1:proposer1,acceptor1\npeer2:learner3\n',
      2,
      "'peer2' is learner3 but no peer is proposer3",
    ],
    [
      'earliest cross-line problem first',
      'peer1:learner4\npeer2:proposer1\n',
      1,
      "'peer1' is learner4 but no peer is proposer4",
    ],
    ['empty file', '', undefined, 'no peers (every line is blank or a comment)'],
    ['only comments', '# nothing\r\n\r\n   \n', undefined, 'no peers (every line is blank or a comment)'],
  ];

  test.each(cases)('%s', (_, text, line, problem) => {
    const error = refusal(text);
    expect({ file: error.file, line: error.line, problem: error.problem }).toEqual({
      file: 'hf.txt',
      line,
      problem,
    });
    expect(error.message).toBe(line === undefined ? `hf.txt: ${problem}` : `hf.txt:${line}: ${problem}`);
  });

  test.each([
    'peer-:proposer1',
    '-peer:proposer1',
    'peer..one:proposer1',
    '.peer:proposer1',
    'peer.:proposer1',
    'pe er:proposer1',
    'pèer:proposer1',
    `${'a'.repeat(64)}:proposer1`,
    `${'a.'.repeat(127)}a:proposer1`,
  ])('invalid hostname in %j', (text) => {
    expect(refusal(text).problem).toMatch(/^invalid hostname /);
  });

  test.each([
    `${'a'.repeat(63)}:proposer1,acceptor1`,
    '10.0.0.1:proposer1,acceptor1',
    'x:proposer1,acceptor1',
  ])('valid hostname in %j', (text) => {
    expect(parseHostsfile(text, 'hf').peers).toHaveLength(1);
  });
});

describe('loadHostsfile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostsfile-'));

  test('reads and parses a file, naming it as the source', () => {
    const path = join(dir, 'hostsfile-testcase1.txt');
    writeFileSync(path, 'peer1:proposer1\npeer2:acceptor1\n');
    expect(loadHostsfile(path)).toMatchObject({ source: path, groupCount: 1 });
  });

  test('refusals name the file', () => {
    const path = join(dir, 'bad.txt');
    writeFileSync(path, 'peer1:proposer1\npeer2:acceptor1\npeer3:acceptor9\n');
    expect(() => loadHostsfile(path)).toThrow(`${path}:3: 'peer3' is acceptor9 but no peer is proposer9`);
  });

  test('a missing or unreadable file is a ConfigError naming it', () => {
    const missing = join(dir, 'missing.txt');
    expect(() => loadHostsfile(missing)).toThrow(
      new ConfigError(missing, undefined, 'cannot read: no such file'),
    );
    expect(() => loadHostsfile(dir)).toThrow(
      new ConfigError(dir, undefined, 'cannot read: is a directory, not a hostsfile'),
    );
  });

  test('allowUnsafeQuorums passes through', () => {
    const path = join(dir, 'unsafe.txt');
    writeFileSync(path, 'p1:proposer1,acceptor1\np2:proposer2,acceptor2\n');
    expect(() => loadHostsfile(path)).toThrow(/groups 1 and 2 need not agree/);
    expect(loadHostsfile(path, { allowUnsafeQuorums: true }).groups).toHaveLength(2);
  });
});

describe('generated clusters', () => {
  test('parse to the roles they were written with, ids in line order', () => {
    fc.assert(
      fc.property(validClusterArb({ groupIdGaps: true }), ({ lines, cluster }) => {
        expect(cluster.peers.map((p) => p.host)).toEqual(lines.map((l) => l.host));
        cluster.peers.forEach((p, i) => {
          expect(p.id).toBe(i + 1);
          const roles = [
            ...p.proposer.map((k) => `proposer${k}`),
            ...p.acceptor.map((k) => `acceptor${k}`),
            ...p.learner.map((k) => `learner${k}`),
          ];
          expect(roles.sort()).toEqual([...(lines[i]?.roles ?? [])].sort());
        });
        expect(cluster.groupCount).toBe(Math.max(...cluster.groups.map((g) => g.id)));
        expect(cluster.groups.length).toBeGreaterThanOrEqual(1);
        expect(cluster.groups.length).toBeLessThanOrEqual(3);
        for (const g of cluster.groups) expect(g.acceptors.length).toBeLessThanOrEqual(5);
      }),
    );
  });

  test('parse the same with blank lines, comments, spaces and CRLF added', () => {
    const dressing = fc.record({
      crlf: fc.boolean(),
      pad: fc.constantFrom('', ' ', '\t', '  '),
      comment: fc.constantFrom('', ' # a comment', '#x'),
      blankBefore: fc.constantFrom('', '\n', '# header\n', '   \n'),
    });
    fc.assert(
      fc.property(validClusterArb(), fc.infiniteStream(dressing), ({ lines, cluster }, dressings) => {
        const dressed = lines
          .map(({ host, roles }) => {
            const { crlf, pad, comment, blankBefore } = dressings.next().value;
            const line = `${pad}${host}${pad}:${pad}${roles.join(`${pad},${pad}`)}${pad}${comment}`;
            return `${blankBefore}${line}${crlf ? '\r\n' : '\n'}`;
          })
          .join('');
        const reparsed = parseHostsfile(dressed, cluster.source);
        const withoutLines = (c: typeof cluster) => c.peers.map(({ line: _, ...rest }) => rest);
        expect(withoutLines(reparsed)).toEqual(withoutLines(cluster));
        expect(reparsed.groups).toEqual(cluster.groups);
      }),
    );
  });
});
