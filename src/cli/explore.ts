/**
 * `paxos explore -h HOSTSFILE [-o explorer.html] [FILE...]`: writes the explorer, one
 * self-contained page that runs the real machines through the reference world and lets one
 * choose every next step. FILE is a path to open with: a checker counterexample or witness
 * (`paxos check --trace-out`, `--witness-out`), a simulation's steps (`paxos simulate
 * --format steps`), or a real run's structured traces (`paxos cluster --trace-dir`, one file
 * per peer), checked here to replay on HOSTSFILE. Exit 0 once written, 2 on bad input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ClusterConfig } from '../config/cluster';
import { actionsOfTraces } from '../explorer/fromTrace';
import { explorerHtml } from '../explorer/page';
import type { RegisterFault } from '../explorer/registerSession';
import { type PageData, registerScenarios, scenarios } from '../explorer/scenarios';
import type { ExplorerFault } from '../explorer/session';
import { looksStructured } from '../trace/structured';
import type { SimStep } from '../world/world';
import { loadClusterOrExit, requireHostsfile, usageAfterError, usageError } from './arguments';

interface ExploreFlags {
  hostsfile?: string;
  output: string;
  allowUnsafeQuorums?: boolean;
}

const FAULTS: readonly (ExplorerFault | RegisterFault)[] = [
  'hide-restart',
  'mute-agreement',
  'deliver-while-down',
  'search-ignores-down',
  'register-get-without-quorum',
];

function readOrExit(command: Command, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    usageError(command, `${file}: ${(err as Error).message}`);
  }
}

/**
 * The path the files hold: one JSON array of steps, or a real run's structured traces (one
 * file per peer), placed as paxos trace places them.
 */
function readPath(command: Command, cluster: ClusterConfig, files: readonly string[]): SimStep[] | undefined {
  if (files.length === 0) return undefined;
  const inputs = files.map((file) => ({ file, text: readOrExit(command, file) }));
  if (inputs.every((i) => looksStructured(i.text)))
    try {
      return actionsOfTraces(cluster, inputs);
    } catch (err) {
      usageError(command, (err as Error).message);
    }
  const [only] = inputs;
  if (!only || inputs.length > 1)
    usageError(command, 'give one JSON file of steps, or the structured traces of one run');
  let steps: unknown;
  try {
    steps = JSON.parse(only.text);
  } catch (err) {
    usageError(command, `${only.file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(steps)) usageError(command, `${only.file}: expected a JSON array of steps`);
  return steps as SimStep[];
}

/** The deliberately broken page the explorer's tests must catch, named by PAXOS_EXPLORER_FAULT. */
function faultOf(command: Command): ExplorerFault | RegisterFault | undefined {
  const fault = process.env.PAXOS_EXPLORER_FAULT;
  if (fault === undefined || fault === '') return undefined;
  if (!FAULTS.includes(fault as ExplorerFault | RegisterFault))
    usageError(command, `PAXOS_EXPLORER_FAULT=${fault}: one of ${FAULTS.join(', ')}`);
  process.stderr.write(`warning: PAXOS_EXPLORER_FAULT=${fault}: this page is broken on purpose\n`);
  return fault as ExplorerFault | RegisterFault;
}

export function register(program: Command): void {
  const command = program
    .command('explore')
    .summary('write a page that runs the statecharts step by step in a browser')
    .description(
      'Write one self-contained HTML page (works from file://, fetches nothing) that runs the real ' +
        'statecharts through the simulator: choose each next step (start, deliver, drop, duplicate, ' +
        'timeout, crash, restart), go back and fork, watch every peer, the messages in flight, the ' +
        'space-time diagram and the safety properties. FILE, a path of steps (paxos check --trace-out, ' +
        '--witness-out, paxos simulate --format steps) or the structured traces of a real run opens replayed.',
    )
    .usage('-h HOSTSFILE [-o explorer.html] [FILE...]')
    .argument('[files...]', 'steps to open with, as JSON, or the structured traces of a run')
    .option('-h, --hostsfile <file>', 'the hostsfile of the cluster (required)')
    .option('-o, --output <file>', 'write the page here', 'explorer.html')
    .option('--allow-unsafe-quorums', 'accept proposer groups whose majorities need not intersect')
    .action((files: string[], flags: ExploreFlags) => {
      const hostsfile = requireHostsfile(command, flags.hostsfile);
      const cluster = loadClusterOrExit(hostsfile, flags.allowUnsafeQuorums === true);
      const steps = readPath(command, cluster, files);
      const file = files.join(' ');
      const fault = faultOf(command);
      let data: PageData;
      try {
        data = {
          scenarios: scenarios(cluster, steps),
          registers: registerScenarios(),
          start: 'hosts',
          ...(fault ? { fault } : {}),
        };
      } catch (err) {
        usageError(command, `${file}: does not replay on ${hostsfile}: ${(err as Error).message}`);
      }
      writeFileSync(flags.output, explorerHtml(data, `paxos explorer: ${hostsfile}`));
      const loaded = data.scenarios[0]?.taken;
      process.stdout.write(
        `wrote ${flags.output}: ${cluster.peers.length} peers${loaded ? `, ${loaded.length} steps loaded from ${file}` : ''}\n`,
      );
    });
  command.showHelpAfterError(usageAfterError(command));
}
