/**
 * The lab's stdout lines as an ObservedRun: one file per peer (named after its hostname, or
 * given as `peer3=FILE`), or one `docker compose up` / `docker compose logs` capture whose
 * lines carry a `peerN  | ` prefix. Other implementations of the lab print the same lines
 * with differences the lab allows, so reading is lenient about form (key order, spacing,
 * numbers such as 1.1, non-JSON diagnostics from a merged stderr) and strict about meaning:
 * a type or action outside the lab's vocabulary is an input error, not something to guess.
 */
import path from 'node:path';
import type { ClusterConfig, PeerConfig } from '../config/cluster';
import { findPeerByHost } from '../config/hostsfile';
import {
  EVENT_ACTIONS,
  EVENT_TYPES,
  type EventAction,
  type EventType,
  type ObservedRun,
  type PeerTrace,
  type TraceEvent,
  TraceInputError,
} from './events';

export interface LabInput {
  /** The name used in reports (the path as given). */
  file: string;
  text: string;
  /** The peer that printed every line of the file; undefined: from the file name or the compose prefixes. */
  host?: string;
}

const KEYS = ['peer_id', 'action', 'message_type', 'message_value', 'proposal_num'] as const;
const EXPECTED =
  'expected a line like {"peer_id":1,"action":"sent","message_type":"prepare","message_value":"","proposal_num":1} ' +
  `(action: ${EVENT_ACTIONS.join(', ')}; message_type: ${EVENT_TYPES.join(', ')})`;

// Colour and cursor codes, as `docker compose up` writes them on a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is exactly what is matched.
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const PREFIXED = /^\s*([^\s|]+)\s*\|\s?(.*)$/;

/** `peer3=FILE` names the peer; otherwise the argument is a path. */
export function parseFileArgument(arg: string, cluster: ClusterConfig): { path: string; host?: string } {
  const eq = arg.indexOf('=');
  if (eq > 0) {
    const host = findPeerByHost(cluster, arg.slice(0, eq));
    if (host) return { path: arg.slice(eq + 1), host: host.host };
  }
  return { path: arg };
}

/** `peer3.log`, `peer3.txt`, `logs/peer3`: the peer a file's name names, if any. */
function peerFromFileName(cluster: ClusterConfig, file: string): PeerConfig | undefined {
  const base = path.basename(file);
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  return findPeerByHost(cluster, stem) ?? findPeerByHost(cluster, base);
}

/**
 * The peer a compose prefix names: the container name (the lab's files set it to the
 * hostname) or Compose's default `project-service-1`.
 */
function peerFromPrefix(cluster: ClusterConfig, name: string): PeerConfig | undefined {
  const exact = findPeerByHost(cluster, name);
  if (exact) return exact;
  const service = name.replace(/[-_]\d+$/, '').toLowerCase();
  return cluster.peers.find((p) => {
    const host = p.host.toLowerCase();
    return service === host || service.endsWith(`-${host}`) || service.endsWith(`_${host}`);
  });
}

interface RawLine {
  host: string;
  file: string;
  line: number;
  content: string;
}

/** Splits every input into per-peer raw lines; lines with no peer are diagnostics. */
function splitInputs(cluster: ClusterConfig, inputs: readonly LabInput[], run: { skipped: number }) {
  const byHost = new Map<string, RawLine[]>();
  const ownerFile = new Map<string, string>();
  const claim = (host: string, file: string) => {
    const earlier = ownerFile.get(host);
    if (earlier !== undefined && earlier !== file)
      throw new TraceInputError(
        file,
        undefined,
        `lines of ${host} also come from ${earlier}: give each peer once`,
      );
    ownerFile.set(host, file);
  };
  const warnings: string[] = [];
  for (const input of inputs) {
    const lines = input.text.replace(/^\uFEFF/, '').split('\n');
    if (lines.at(-1) === '') lines.pop();
    const named = input.host ?? peerFromFileName(cluster, input.file)?.host;
    if (named !== undefined) {
      claim(named, input.file);
      const into = byHost.get(named) ?? [];
      byHost.set(named, into);
      lines.forEach((l, i) => {
        into.push({ host: named, file: input.file, line: i + 1, content: l.replace(ANSI, '') });
      });
      continue;
    }
    let prefixed = 0;
    const unknown = new Set<string>();
    lines.forEach((raw, i) => {
      const clean = raw.replace(ANSI, '');
      const m = PREFIXED.exec(clean);
      const peer = m ? peerFromPrefix(cluster, m[1] as string) : undefined;
      if (!m || !peer) {
        if (m && clean.trim() !== '') unknown.add(m[1] as string);
        if (clean.trim() !== '') run.skipped += 1;
        return;
      }
      prefixed += 1;
      claim(peer.host, input.file);
      const into = byHost.get(peer.host) ?? [];
      byHost.set(peer.host, into);
      into.push({ host: peer.host, file: input.file, line: i + 1, content: m[2] as string });
    });
    if (prefixed === 0)
      throw new TraceInputError(
        input.file,
        undefined,
        `cannot tell which peer printed this file: name it after the peer's hostname (${cluster.peers[0]?.host ?? 'peer1'}.log), ` +
          `give it as HOST=FILE, or give a docker compose log whose lines start with 'HOST | '`,
      );
    for (const name of unknown)
      warnings.push(`${input.file}: lines prefixed '${name} |' name no peer of the hostsfile; skipped`);
  }
  return { byHost, warnings };
}

type Parsed =
  | { kind: 'blank' }
  | { kind: 'diagnostic' }
  | { kind: 'truncated'; why: string }
  | { kind: 'event'; fields: Omit<TraceEvent, 'id' | 'peer' | 'index' | 'source' | 'text'> };

function parseContent(cluster: ClusterConfig, self: PeerConfig, raw: RawLine): Parsed {
  const text = raw.content.trim();
  if (text === '') return { kind: 'blank' };
  if (!text.startsWith('{')) return { kind: 'diagnostic' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'truncated', why: (err as Error).message };
  }
  const fail = (problem: string): never => {
    throw new TraceInputError(raw.file, raw.line, `${problem}; ${EXPECTED}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'diagnostic' };
  const obj = value as Record<string, unknown>;
  const present = KEYS.filter((k) => k in obj);
  // A JSON object with none of the lab's keys is some other logger's line, not a protocol line.
  if (present.length === 0) return { kind: 'diagnostic' };
  const missing = KEYS.filter((k) => !(k in obj));
  if (missing.length > 0) fail(`missing key${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);

  const action = obj.action;
  if (typeof action !== 'string' || !EVENT_ACTIONS.includes(action as EventAction))
    fail(`unknown action ${JSON.stringify(action)}`);
  const type = obj.message_type;
  if (typeof type !== 'string' || !EVENT_TYPES.includes(type as EventType))
    fail(`unknown message_type ${JSON.stringify(type)}`);
  const id = obj.peer_id;
  if (typeof id !== 'number' || !Number.isInteger(id) || !cluster.peers.some((p) => p.id === id))
    fail(
      `peer_id ${JSON.stringify(id)} is not a peer of ${cluster.source} (ids 1 to ${cluster.peers.length})`,
    );
  const num = obj.proposal_num;
  if (typeof num !== 'number' || !Number.isFinite(num))
    fail(`proposal_num ${JSON.stringify(num)} is not a number`);
  const v = obj.message_value;
  // null is how some implementations print "no value"; the lab's own form is "".
  if (v !== null && typeof v !== 'string') fail(`message_value ${JSON.stringify(v)} is not a string`);
  if (action === 'chose' && type !== 'chose')
    fail(`a chose line has message_type "chose", not ${JSON.stringify(type)}`);
  if (action === 'received' && id === self.id)
    fail(`a received line names the sender; peer_id ${id} is ${self.host} itself`);
  if (action !== 'received' && id !== self.id)
    fail(`on a ${action} line peer_id is the printing peer (${self.host} is ${self.id}), not ${id}`);
  return {
    kind: 'event',
    fields: {
      action: action as EventAction,
      type: type as EventType,
      from: id as number,
      value: (v as string | null) ?? '',
      num: num as number,
    },
  };
}

/** Reads lab lines into a run; throws TraceInputError (file:line) on anything that is not the lab's form. */
export function readLabRun(cluster: ClusterConfig, inputs: readonly LabInput[]): ObservedRun {
  const run: ObservedRun = { cluster, events: [], peers: [], skipped: 0, warnings: [] };
  const { byHost, warnings } = splitInputs(cluster, inputs, run);
  run.warnings.push(...warnings);
  for (const peer of cluster.peers) {
    const lines = byHost.get(peer.host) ?? [];
    const trace: PeerTrace = { peer: peer.id, host: peer.host, files: [], events: [] };
    run.peers.push(trace);
    const lastContent = lines.findLastIndex((l) => l.content.trim() !== '');
    lines.forEach((raw, i) => {
      if (!trace.files.includes(raw.file)) trace.files.push(raw.file);
      const parsed = parseContent(cluster, peer, raw);
      if (parsed.kind === 'blank') return;
      if (parsed.kind === 'diagnostic') {
        run.skipped += 1;
        return;
      }
      if (parsed.kind === 'truncated') {
        if (i !== lastContent)
          throw new TraceInputError(raw.file, raw.line, `not valid JSON (${parsed.why}); ${EXPECTED}`);
        run.warnings.push(
          `${raw.file}:${raw.line}: last line of ${peer.host} is cut off (was the process killed?); ignored`,
        );
        return;
      }
      const event: TraceEvent = {
        ...parsed.fields,
        id: run.events.length,
        peer: peer.id,
        index: trace.events.length,
        source: { file: raw.file, line: raw.line },
        text: raw.content.trim(),
      };
      run.events.push(event);
      trace.events.push(event.id);
    });
  }
  requireLabLines(inputs, run);
  return run;
}

/** A validator must not pass what it did not see: a file given with no lab line in it is refused. */
function requireLabLines(inputs: readonly LabInput[], run: ObservedRun): void {
  const seen = new Set(run.events.map((e) => e.source.file));
  const empty = inputs.find((i) => !seen.has(i.file));
  if (empty === undefined) return;
  const lines = empty.text.split('\n').filter((l) => l.trim() !== '').length;
  throw new TraceInputError(
    empty.file,
    undefined,
    `no lab line in this file (${lines === 0 ? 'it is empty' : `${lines} line${lines === 1 ? '' : 's'}, none of them a protocol line`}): ` +
      `give each peer's stdout, where it prints lines like {"peer_id":1,"action":"sent",...}; leave out the file of a peer that printed nothing`,
  );
}
