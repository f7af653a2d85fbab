/**
 * `paxos simulate -h HOSTSFILE [--seed N] [--steps N] [--replay FILE] [--format log|mermaid|steps]`:
 * runs the real peers of a hostsfile in the deterministic simulator, on a schedule drawn from
 * a seed or read back from a file of steps, and prints the run: each peer's log lines step
 * by step (log), a Mermaid sequence diagram (mermaid), or the steps as JSON (steps, the
 * input of --replay). A summary (what is chosen, who printed what) goes to stderr.
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { GroupId, Value } from '../../machines/messages';
import { ConfigError, loadHostsfile } from '../config/hostsfile';
import { createPeerLogic } from '../peer/node';
import { groundTruth } from '../sim/groundTruth';
import { defaultValues, randomRun } from '../sim/random';
import { formatTrace, toMermaidSequence } from '../sim/trace';
import { createSimulator, historyOf, replay, type SimStep } from '../sim/world';

interface Options {
  hostsfile: string;
  seed: number;
  steps: number;
  replay?: string;
  format: 'log' | 'mermaid' | 'steps';
  value: string[];
  allowUnsafeQuorums?: boolean;
}

const integer = (name: string) => (text: string) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

const collect = (value: string, previous: string[]) => [...previous, value];

const STEP_KINDS = new Set(['deliver', 'drop', 'duplicate', 'restart', 'timeout', 'start']);

function readSteps(path: string): SimStep[] {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(parsed) || !parsed.every((s) => STEP_KINDS.has((s as { kind?: string })?.kind ?? '')))
    throw new Error(`${path}: expected a JSON array of steps ({"kind": "deliver", "index": 0}, ...)`);
  return parsed as SimStep[];
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('run a hostsfile in the deterministic simulator and print the run')
    .requiredOption('-h, --hostsfile <path>', 'the hostsfile')
    .option('--seed <n>', 'seed of the random schedule', integer('--seed'), 1)
    .option('--steps <n>', 'number of steps of the random schedule', integer('--steps'), 200)
    .option('--replay <file>', 'replay the steps in this JSON file instead of drawing them')
    .option(
      '--format <format>',
      'log | mermaid | steps',
      (f) => {
        if (f !== 'log' && f !== 'mermaid' && f !== 'steps')
          throw new InvalidArgumentError('log, mermaid or steps');
        return f;
      },
      'log',
    )
    .option(
      '--value <host=value>',
      "a proposer's value (repeatable; default X, Y, Z, ... by group)",
      collect,
      [],
    )
    .option('--allow-unsafe-quorums', 'accept groups whose majorities need not intersect')
    .action((options: Options) => {
      try {
        const cluster = loadHostsfile(options.hostsfile, {
          allowUnsafeQuorums: options.allowUnsafeQuorums === true,
        });
        const values: Record<GroupId, Value> = defaultValues(cluster);
        for (const pair of options.value) {
          const at = pair.indexOf('=');
          const peer = cluster.peers.find((p) => p.host === pair.slice(0, at));
          if (at <= 0 || !peer || peer.proposer.length === 0)
            throw new Error(`--value ${pair}: expected HOST=VALUE for a proposer's host`);
          for (const k of peer.proposer) values[k] = pair.slice(at + 1);
        }
        const sim = createSimulator(createPeerLogic(cluster));
        const run = options.replay
          ? { ...replay(sim, readSteps(options.replay)), steps: readSteps(options.replay) }
          : randomRun(sim, options.seed, { steps: options.steps, values });
        const out =
          options.format === 'steps'
            ? `${JSON.stringify(run.steps)}\n`
            : options.format === 'mermaid'
              ? toMermaidSequence(cluster, run.applied)
              : `${formatTrace(cluster, run.applied)}\n`;
        process.stdout.write(out);
        const truth = groundTruth(cluster);
        truth.observe(historyOf(run.world));
        const chosen =
          truth.chosen.map((c) => `${c.value} (n=${c.n}, group ${c.group})`).join(', ') || 'nothing';
        const printed = cluster.peers
          .map((p) => `${p.host}: ${run.world.printed[p.id]?.map((l) => l.value).join(', ') || '-'}`)
          .join('; ');
        process.stderr.write(`${run.applied.length} steps; chosen: ${chosen}; printed chose: ${printed}\n`);
      } catch (error) {
        process.stderr.write(`paxos simulate: ${(error as Error).message}\n`);
        process.exitCode = error instanceof ConfigError ? 2 : 1;
      }
    });
}
