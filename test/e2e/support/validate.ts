/**
 * Every end-to-end run is also checked by `paxos trace`: the lines the peers printed must
 * be explained by one interleaving under the lab's rules. This is the one place the e2e
 * tests call the validator; where the peers wrote structured traces (`--trace`) those are
 * validated too, step by step against the machines and the spec.
 */
import { readFileSync } from 'node:fs';
import type { ClusterConfig } from '../../../src/config/cluster';
import { loadHostsfile } from '../../../src/config/hostsfile';
import { type LabInput, readLabRun, type TraceResult, validateRun } from '../../../src/trace/index';
import { formatText } from '../../../src/trace/report';
import { validateStructured } from '../../../src/trace/structured';

export interface RunEvidence {
  /** The run's hostsfile, as a path or already loaded. */
  cluster: string | ClusterConfig;
  /** Every stdout line of each peer, in its order (several incarnations concatenated). */
  stdout: ReadonlyMap<string, readonly string[]>;
  /** Also require a chose line from every peer of a started group. */
  expectDecided?: boolean;
  /** Names the run in the report (file names become `LABEL/peerN.log`). */
  label?: string;
  /** The peers' structured traces (`--trace`), validated too: against the machines and the spec. */
  traces?: readonly string[];
}

/** Runs `paxos trace` over the evidence; throws with the full report on anything but PASS. */
export function expectTracePasses(evidence: RunEvidence): TraceResult {
  const cluster = typeof evidence.cluster === 'string' ? loadHostsfile(evidence.cluster) : evidence.cluster;
  const label = evidence.label ?? 'run';
  // A peer that printed nothing (down all along) is left out, as a user leaves out its empty file.
  const printed = [...evidence.stdout].filter(([, lines]) => lines.length > 0);
  const inputs: LabInput[] = printed.map(([host, lines]) => ({
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
  if (evidence.traces) {
    if (evidence.traces.length === 0) throw new Error(`${label}: no structured trace was written`);
    const structured = validateStructured(
      cluster,
      evidence.traces.map((file) => ({ file, text: readFileSync(file, 'utf8') })),
      { expectDecided: evidence.expectDecided === true },
    );
    if (structured.verdict !== 'PASS')
      throw new Error(
        `paxos trace says ${structured.verdict} for ${label}'s structured traces:\n${formatText(structured)}`,
      );
  }
  return result;
}
