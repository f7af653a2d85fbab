/**
 * Every end-to-end run is also checked by `paxos trace`: the lines the peers printed must
 * be explained by one interleaving under the lab's rules. This is the one place the e2e
 * tests call the validator, so that a second source of evidence (structured traces) can be
 * added here for all of them at once.
 */
import type { ClusterConfig } from '../../../src/config/cluster';
import { loadHostsfile } from '../../../src/config/hostsfile';
import { type LabInput, readLabRun, type TraceResult, validateRun } from '../../../src/trace/index';
import { formatText } from '../../../src/trace/report';

export interface RunEvidence {
  /** The run's hostsfile, as a path or already loaded. */
  cluster: string | ClusterConfig;
  /** Every stdout line of each peer, in its order (several incarnations concatenated). */
  stdout: ReadonlyMap<string, readonly string[]>;
  /** Also require a chose line from every peer of a started group. */
  expectDecided?: boolean;
  /** Names the run in the report (file names become `LABEL/peerN.log`). */
  label?: string;
}

/** Runs `paxos trace` over the evidence; throws with the full report on anything but PASS. */
export function expectTracePasses(evidence: RunEvidence): TraceResult {
  const cluster = typeof evidence.cluster === 'string' ? loadHostsfile(evidence.cluster) : evidence.cluster;
  const label = evidence.label ?? 'run';
  const inputs: LabInput[] = [...evidence.stdout].map(([host, lines]) => ({
    file: `${label}/${host}.log`,
    host,
    text: lines.map((l) => `${l}\n`).join(''),
  }));
  const result = validateRun(readLabRun(cluster, inputs), {
    expectDecided: evidence.expectDecided === true,
  });
  if (result.verdict !== 'PASS') {
    const listing = inputs
      .map(
        (i) =>
          `--- ${i.file}\n${i.text
            .split('\n')
            .map((l, n) => (l ? `${n + 1}: ${l}` : ''))
            .join('\n')}`,
      )
      .join('\n');
    throw new Error(`paxos trace says ${result.verdict} for ${label}:\n${formatText(result)}\n${listing}`);
  }
  return result;
}
