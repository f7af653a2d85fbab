/**
 * A register run's traces (`paxos serve --trace`, one file per peer in the run's data
 * directory) validated as `paxos trace` does: each peer replayed through the machines,
 * each key refined to spec/Registers.tla. What the histories show from outside, the
 * traces show from inside: a run is valid only if both agree.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClusterConfig } from '../../config/cluster';
import { TraceInputError } from '../../trace/events';
import { validateServe } from '../../trace/serve/index';
import type { RegistersVerdict } from './verdict';

export interface TraceVerdict {
  verdict: 'PASS' | 'FAIL' | 'UNDECIDED' | 'NOT CHECKED';
  steps: number;
  specSteps: number;
  problem?: string;
}

export const traceFile = (dataRoot: string, host: string) => path.join(dataRoot, `${host}.ndjson`);

/** Validates the run's traces; a service with unsafe quorums has no one spec to refine. */
export async function checkTraces(
  cluster: ClusterConfig,
  dataRoot: string,
  unsafeQuorums: boolean,
): Promise<TraceVerdict> {
  if (unsafeQuorums)
    return { verdict: 'NOT CHECKED', steps: 0, specSteps: 0, problem: 'groups with different acceptors' };
  try {
    const inputs = await Promise.all(
      cluster.peers.map(async (p) => ({
        file: traceFile(dataRoot, p.host),
        text: await readFile(traceFile(dataRoot, p.host), 'utf8'),
      })),
    );
    const r = validateServe(cluster, inputs);
    const problem = r.failure
      ? `${r.failure.at}: ${r.failure.rule}: ${r.failure.message}`
      : r.undecided.join('; ') || undefined;
    return { verdict: r.verdict, steps: r.steps, specSteps: r.specSteps, ...(problem ? { problem } : {}) };
  } catch (err) {
    if (!(err instanceof TraceInputError) && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return { verdict: 'UNDECIDED', steps: 0, specSteps: 0, problem: (err as Error).message };
  }
}

/** The run's verdict once its traces are weighed: a failed trace makes it invalid, an undecided one unknown. */
export function withTraces(
  judged: { verdict: RegistersVerdict; problem?: string },
  trace: TraceVerdict,
): { verdict: RegistersVerdict; problem?: string } {
  if (judged.verdict === 'invalid' || judged.verdict === 'error') return judged;
  if (trace.verdict === 'FAIL') return { verdict: 'invalid', problem: `trace: ${trace.problem}` };
  if (trace.verdict === 'UNDECIDED' && judged.verdict === 'valid')
    return { verdict: 'unknown', problem: `trace undecided: ${trace.problem}` };
  return judged;
}
