/**
 * The hostsfile: one peer per line, `HOSTNAME:ROLE[,ROLE...]` (see /work/shared/interface.md).
 * Parsing refuses anything doubtful with the file, the line and the problem, because a
 * cluster that starts from a wrong file fails later in ways that are much harder to read.
 */
import { readFileSync } from 'node:fs';
import type { GroupId, PeerId } from '../../machines/messages';
import type { ClusterConfig, GroupConfig, PeerConfig } from './cluster';
import { describeDisjointMajorities, findDisjointMajorities } from './quorums';

export class ConfigError extends Error {
  readonly file: string;
  /** 1-based physical line (every line counts, blank and comment lines too). */
  readonly line?: number;
  readonly problem: string;

  constructor(file: string, line: number | undefined, problem: string) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
    this.name = 'ConfigError';
    this.file = file;
    if (line !== undefined) this.line = line;
    this.problem = problem;
  }
}

export interface HostsfileOptions {
  /** Accept groups whose majorities can be disjoint (the CLI's --allow-unsafe-quorums). */
  allowUnsafeQuorums?: boolean;
}

type RoleKind = 'proposer' | 'acceptor' | 'learner';

const ROLE_KINDS: readonly RoleKind[] = ['proposer', 'acceptor', 'learner'];
const KNOWN_ROLES = 'roles are proposerK, acceptorK and learnerK, K a positive integer';
/**
 * Proposal numbers step by the highest group id, so a huge K would run them past
 * Number.MAX_SAFE_INTEGER after few rounds; a million groups is far beyond any real cluster.
 */
const MAX_GROUP_ID = 1_000_000;

/** RFC 1123 labels: 1-63 letters, digits or '-', not starting or ending with '-'. */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function hostnameProblem(host: string): string | undefined {
  if (host.length > 253) return `invalid hostname '${host}': longer than 253 characters`;
  for (const label of host.split('.')) {
    if (!LABEL.test(label)) {
      return (
        `invalid hostname '${host}': use dot-separated labels of 1 to 63 letters, digits ` +
        `and '-', not starting or ending with '-'`
      );
    }
  }
  return undefined;
}

/** Parses one role, or returns why it is not one. */
function parseRole(role: string): { kind: RoleKind; group: GroupId } | string {
  const match = /^([a-z]+)(.*)$/i.exec(role);
  const kind = ROLE_KINDS.find((k) => k === match?.[1]);
  if (!match || !kind) return `unknown role '${role}' (${KNOWN_ROLES})`;
  const digits = match[2] ?? '';
  if (!/^[1-9][0-9]*$/.test(digits)) {
    return `role '${role}': K must be a positive integer without sign or leading zeros (${KNOWN_ROLES})`;
  }
  const group = Number(digits);
  if (group > MAX_GROUP_ID) return `role '${role}': K must be at most ${MAX_GROUP_ID}`;
  return { kind, group };
}

const ascending = (xs: Iterable<number>): number[] => [...xs].sort((a, b) => a - b);
const quoted = (peer: PeerConfig): string => `'${peer.host}' (line ${peer.line})`;

/** Reads one peer line (comment already removed, not blank). Throws on the first problem. */
function parsePeerLine(content: string, id: PeerId, line: number, fail: (p: string) => never): PeerConfig {
  const colon = content.indexOf(':');
  if (colon < 0) fail(`missing ':' between hostname and roles in '${content}'`);
  const host = content.slice(0, colon).trim();
  const roleList = content.slice(colon + 1).trim();
  if (host === '') fail(`empty hostname before ':'`);
  if (roleList.includes(':')) fail(`more than one ':' in '${content}'`);
  const hostProblem = hostnameProblem(host);
  if (hostProblem) fail(hostProblem);
  if (roleList === '') fail(`empty role list after '${host}:' (a peer needs at least one role)`);

  const roles: Record<RoleKind, Set<GroupId>> = {
    proposer: new Set(),
    acceptor: new Set(),
    learner: new Set(),
  };
  for (const item of roleList.split(',')) {
    const role = item.trim();
    if (role === '') fail(`empty role in '${roleList}' (a ',' with no role next to it)`);
    const parsed = parseRole(role);
    if (typeof parsed === 'string') fail(parsed);
    if (roles[parsed.kind].has(parsed.group)) fail(`role '${role}' listed twice for '${host}'`);
    roles[parsed.kind].add(parsed.group);
  }
  return {
    id,
    host,
    line,
    proposer: ascending(roles.proposer),
    acceptor: ascending(roles.acceptor),
    learner: ascending(roles.learner),
  };
}

export function parseHostsfile(text: string, file: string, options: HostsfileOptions = {}): ClusterConfig {
  const peers: PeerConfig[] = [];
  const byHost = new Map<string, PeerConfig>();
  const proposerOf = new Map<GroupId, PeerConfig>();

  // A leading byte-order mark is what some Windows editors write; it is not part of a hostname.
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    const fail = (problem: string): never => {
      throw new ConfigError(file, line, problem);
    };
    const hash = raw.indexOf('#');
    const content = (hash < 0 ? raw : raw.slice(0, hash)).trim(); // trim() also drops a CRLF's '\r'
    if (content === '') return;

    const peer = parsePeerLine(content, peers.length + 1, line, fail);
    const earlier = byHost.get(peer.host.toLowerCase());
    if (earlier) fail(`duplicate hostname '${peer.host}': already on line ${earlier.line}`);
    for (const group of peer.proposer) {
      const holder = proposerOf.get(group);
      if (holder) fail(`proposer${group} held by two peers: ${quoted(holder)} and ${quoted(peer)}`);
      proposerOf.set(group, peer);
    }
    byHost.set(peer.host.toLowerCase(), peer);
    peers.push(peer);
  });

  if (peers.length === 0)
    throw new ConfigError(file, undefined, 'no peers (every line is blank or a comment)');

  const groups: GroupConfig[] = ascending(proposerOf.keys()).map((id) => ({
    id,
    proposer: (proposerOf.get(id) as PeerConfig).id,
    acceptors: peers.filter((p) => p.acceptor.includes(id)).map((p) => p.id),
    learners: peers.filter((p) => p.learner.includes(id)).map((p) => p.id),
  }));

  // Cross-line problems, reported at the earliest line that shows one.
  const problems: { line: number; problem: string }[] = [];
  for (const group of groups) {
    if (group.acceptors.length === 0) {
      const proposer = proposerOf.get(group.id) as PeerConfig;
      problems.push({
        line: proposer.line,
        problem: `proposer${group.id} ('${proposer.host}') has no acceptors: no peer is acceptor${group.id}`,
      });
    }
  }
  for (const peer of peers) {
    for (const kind of ['acceptor', 'learner'] as const) {
      for (const group of peer[kind]) {
        if (!proposerOf.has(group)) {
          problems.push({
            line: peer.line,
            problem: `'${peer.host}' is ${kind}${group} but no peer is proposer${group}`,
          });
        }
      }
    }
  }
  const first = problems.sort((a, b) => a.line - b.line)[0];
  if (first) throw new ConfigError(file, first.line, first.problem);

  const cluster: ClusterConfig = { source: file, peers, groups, groupCount: Math.max(...proposerOf.keys()) };
  if (!options.allowUnsafeQuorums) {
    const unsafe = findDisjointMajorities(cluster);
    if (unsafe) {
      throw new ConfigError(
        file,
        proposerOf.get(unsafe.groups[1])?.line,
        `${describeDisjointMajorities(cluster, unsafe)} (refused unless --allow-unsafe-quorums)`,
      );
    }
  }
  return cluster;
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a hostsfile',
};

export function loadHostsfile(path: string, options: HostsfileOptions = {}): ClusterConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new ConfigError(path, undefined, `cannot read: ${READ_ERRORS[code] ?? (error as Error).message}`);
  }
  return parseHostsfile(text, path, options);
}

/** The peer a hostname names; hostnames compare case-insensitively, as DNS does. */
export const findPeerByHost = (cluster: ClusterConfig, host: string): PeerConfig | undefined =>
  cluster.peers.find((p) => p.host.toLowerCase() === host.toLowerCase());
