/**
 * `paxos simulate -h FILE [--seed N] [--steps N] [--replay FILE] [--format log|mermaid|steps|html|svg|shiviz]`:
 * runs the real peers of a hostsfile in the deterministic simulator, on a schedule drawn from
 * a seed or read back from a file of steps, and prints the run: each peer's log lines step
 * by step (log), a Mermaid sequence diagram (mermaid), the steps as JSON (steps, the
 * input of --replay), or a space-time picture (html, svg, shiviz; src/view). A summary
 * (what is chosen, who printed what) goes to stderr.
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { GroupId, Value } from '../../machines/messages';
import { createPeerLogic } from '../peer/node';
import { groundTruth } from '../sim/groundTruth';
import { defaultValues, randomRun } from '../sim/random';
import { formatTrace, toMermaidSequence } from '../sim/runText';
import { viewOfSimulation } from '../view/fromSim';
import { createSimulator, historyOf, NotEnabled, replay, type SimStep, type Simulator } from '../world/world';
import {
  collect,
  loadClusterOrExit,
  parseInteger,
  parseNamed,
  parseValue,
  requireHostsfile,
  resolveHost,
  usageAfterError,
  usageError,
} from './arguments';
import { renderPicture } from './view';

const FORMATS = ['log', 'mermaid', 'steps', 'html', 'svg', 'shiviz'] as const;
type Format = (typeof FORMATS)[number];

interface SimulateFlags {
  hostsfile?: string;
  seed: number;
  steps: number;
  replay?: string;
  format: Format;
  value?: [string, string][];
  allowUnsafeQuorums?: boolean;
}

const count = parseInteger(0);

const format = (text: string): Format => {
  if (!(FORMATS as readonly string[]).includes(text))
    throw new InvalidArgumentError(`expected ${FORMATS.slice(0, -1).join(', ')} or ${FORMATS.at(-1)}.`);
  return text as Format;
};

const hostValue = parseNamed('V', parseValue);

const STEP_KINDS = new Set(['deliver', 'drop', 'duplicate', 'restart', 'timeout', 'start']);

function readSteps(command: Command, path: string): SimStep[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    usageError(command, `--replay ${path}: ${(err as Error).message}`);
  }
  if (
    !Array.isArray(parsed) ||
    !parsed.every((s) => STEP_KINDS.has((s as { kind?: string } | null)?.kind ?? ''))
  )
    usageError(command, `--replay ${path}: expected a JSON array of steps, as --format steps prints them`);
  return parsed as SimStep[];
}

/** The steps of a --replay file run from the initial world; an action not enabled is a usage error. */
function replayFile(command: Command, sim: Simulator, path: string) {
  const steps = readSteps(command, path);
  try {
    return { ...replay(sim, steps), steps };
  } catch (err) {
    if (!(err instanceof NotEnabled)) throw err;
    usageError(command, `--replay ${path}: ${err.message}`);
  }
}

/** Each value chosen, once, with the proposals that chose it: `X by proposals 1, 2 (group 1)`. */
function describeChosen(chosen: readonly { value: string; n: number; group: number }[]): string {
  if (chosen.length === 0) return 'nothing';
  const values = [...new Set(chosen.map((c) => c.value))];
  return values
    .map((v) => {
      const of = chosen.filter((c) => c.value === v);
      const groups = [...new Set(of.map((c) => c.group))];
      const ns = of.map((c) => c.n).join(', ');
      return `${v} by proposal${of.length > 1 ? 's' : ''} ${ns} (group${groups.length > 1 ? 's' : ''} ${groups.join(', ')})`;
    })
    .join('; ');
}

export function register(program: Command): void {
  const command = program
    .command('simulate')
    .summary('run a hostsfile in the deterministic simulator and print the run')
    .description(
      'Run the peers of the hostsfile in the deterministic simulator, on a random schedule drawn from ' +
        '--seed (messages delivered in any order, lost, duplicated; crashes; timeouts) or on the steps ' +
        'of a --replay file, and print the run. What is chosen and who printed chose go to stderr.',
    )
    .usage(
      '-h FILE [--seed N] [--steps N] [--replay FILE] [--format log|mermaid|steps|html|svg|shiviz] [--value NAME=V]...',
    )
    .option('-h, --hostsfile <file>', 'the hostsfile (required)')
    .option('--seed <n>', 'seed of the random schedule', count, 1)
    .option('--steps <n>', 'number of steps of the random schedule', count, 200)
    .option('--replay <file>', 'replay these steps (a JSON array, as --format steps prints) instead')
    .option(
      '--format <format>',
      'log: the log lines step by step; mermaid: a sequence diagram; steps: JSON; ' +
        'html, svg: a space-time picture (one self-contained page, or plain SVG); shiviz: a ShiViz log',
      format,
      'log',
    )
    .option(
      '--value <name=v>',
      'the value proposer NAME proposes (repeatable; default X, Y, Z, ... by group)',
      collect(hostValue),
    )
    .option('--allow-unsafe-quorums', 'accept proposer groups whose majorities need not intersect')
    .action((flags: SimulateFlags) => {
      const hostsfile = requireHostsfile(command, flags.hostsfile);
      const cluster = loadClusterOrExit(hostsfile, flags.allowUnsafeQuorums === true);
      const values: Record<GroupId, Value> = defaultValues(cluster);
      for (const [host, value] of flags.value ?? []) {
        const peer = resolveHost(command, cluster, '--value', host, { proposer: true });
        for (const k of peer.proposer) values[k] = value;
      }

      const sim = createSimulator(createPeerLogic(cluster));
      const run = flags.replay
        ? replayFile(command, sim, flags.replay)
        : randomRun(sim, flags.seed, { steps: flags.steps, values });
      const picture = flags.format === 'html' || flags.format === 'svg' || flags.format === 'shiviz';
      const title = `paxos simulate -h ${hostsfile} ${flags.replay ? `--replay ${flags.replay}` : `--seed ${flags.seed} --steps ${flags.steps}`}`;
      const out = picture
        ? renderPicture(
            viewOfSimulation(cluster, run.steps, { title }),
            flags.format as 'html' | 'svg' | 'shiviz',
          )
        : flags.format === 'steps'
          ? `${JSON.stringify(run.steps)}\n`
          : flags.format === 'mermaid'
            ? toMermaidSequence(cluster, run.applied)
            : `${formatTrace(cluster, run.applied)}\n`;
      process.stdout.write(out);

      const truth = groundTruth(cluster);
      truth.observe(historyOf(run.world));
      const chosen = describeChosen(truth.chosen);
      const printed = cluster.peers
        .map((p) => `${p.host}: ${run.world.printed[p.id]?.map((l) => l.value).join(', ') || '-'}`)
        .join('; ');
      process.stderr.write(`${run.applied.length} steps; chosen: ${chosen}; printed chose: ${printed}\n`);
    });
  command.showHelpAfterError(usageAfterError(command));
}
