/**
 * `paxos trace -h HOSTSFILE FILE...` on `paxos serve --trace` files: a register service's
 * real run replayed peer by peer through the machines (replay.ts), its messages matched
 * send to receive by id, then key by key mapped to spec/Registers.tla (refine.ts).
 * PASS only if every record was replayed and every key refined; what could not be checked
 * makes it UNDECIDED, never a PASS.
 */
import type { PeerId } from '../../../machines/messages';
import type { ClusterConfig } from '../../config/cluster';
import {
  createRegisterPeerLogic,
  type RegisterPeerConfig,
  type RegisterPeerLogic,
} from '../../registers/peer';
import { registerLayout } from '../../serve/layout';
import { TraceInputError } from '../events';
import { type Located, readServeFile, type ServeInput } from './read';
import { refineKey } from './refine';
import { checkReceives, replayPeers, SERVE_RULES, type ServeRule, ServeViolation } from './replay';

export { looksServe } from './read';

export interface ServeTraceResult {
  verdict: 'PASS' | 'FAIL' | 'UNDECIDED';
  peers: number;
  keys: number;
  records: number;
  /** Saved steps replayed through the machines. */
  steps: number;
  /** Steps of spec/Registers.tla the keys' runs took (stutters not counted). */
  specSteps: number;
  failure?: { at: string; rule: ServeRule; ruleText: string; message: string };
  /** What could not be checked. */
  undecided: string[];
}

/** Every file's records, by peer id; a peer named with two ids, or not in the hostsfile, is bad input. */
function byPeer(cluster: ClusterConfig, inputs: readonly ServeInput[]): Map<PeerId, Located[]> {
  const out = new Map<PeerId, Located[]>();
  for (const input of inputs)
    for (const at of readServeFile(input)) {
      const peer = cluster.peers.find((p) => p.id === at.record.id);
      if (!peer || peer.host !== at.record.peer)
        throw new TraceInputError(
          at.file,
          at.line,
          `peer ${at.record.peer} (id ${at.record.id}) is not in ${cluster.source}`,
        );
      out.set(at.record.id, [...(out.get(at.record.id) ?? []), at]);
    }
  return out;
}

/** `machines`: the register peer the run is replayed through (a test's faulty variant); ours by default. */
export function validateServe(
  cluster: ClusterConfig,
  inputs: readonly ServeInput[],
  machines: (config: RegisterPeerConfig) => RegisterPeerLogic = createRegisterPeerLogic,
): ServeTraceResult {
  const layout = registerLayout(cluster);
  if (typeof layout === 'string') throw new TraceInputError(cluster.source, undefined, layout);
  const records = byPeer(cluster, inputs);
  const base = {
    peers: records.size,
    keys: 0,
    records: [...records.values()].reduce((n, r) => n + r.length, 0),
    steps: 0,
    specSteps: 0,
    undecided: [] as string[],
  };
  const missing = cluster.peers
    .filter((p) => !records.has(p.id))
    .map((p) => `no trace of ${p.host} was given`);
  try {
    const peers = replayPeers(machines({ peers: cluster.peers.map((p) => p.id), layout }), records);
    base.steps = peers.reduce((n, p) => n + p.length, 0);
    const untold = checkReceives(peers);
    const keys = [...new Set(peers.flat().map((s) => s.key))].sort();
    base.keys = keys.length;
    const refined = keys.map((k) => refineKey(layout, k, peers));
    base.specSteps = refined.reduce((n, r) => n + r.specSteps, 0);
    const unchecked = refined.flatMap((r) => (r.unchecked ? [r.unchecked] : []));
    if (base.specSteps === 0)
      unchecked.push('no step of any key changed the spec state: nothing was checked');
    base.undecided.push(...missing, ...(untold ? [untold] : []), ...unchecked);
    return { ...base, verdict: base.undecided.length === 0 ? 'PASS' : 'UNDECIDED' };
  } catch (err) {
    if (!(err instanceof ServeViolation)) throw err;
    const failure = {
      at: `${err.at.file}:${err.at.line}`,
      rule: err.rule,
      ruleText: SERVE_RULES[err.rule],
      message: err.detail,
    };
    return { ...base, verdict: 'FAIL', failure };
  }
}

export function formatServeText(r: ServeTraceResult): string {
  const counts = `${r.peers} peers, ${r.records} records, ${r.steps} saved steps, ${r.keys} keys, ${r.specSteps} spec steps`;
  if (r.failure)
    return [
      `FAIL: ${counts}`,
      `  at ${r.failure.at}`,
      `  rule ${r.failure.rule}: ${r.failure.ruleText}`,
      `  ${r.failure.message}`,
    ].join('\n');
  if (r.verdict === 'UNDECIDED')
    return [`UNDECIDED: ${counts}`, ...r.undecided.map((u) => `  ${u}`)].join('\n');
  return `PASS: ${counts}; every step is the machines' and every key's run refines spec/Registers.tla`;
}
