/**
 * `paxos nemesis`: a fault-injecting bench on real processes (Jepsen's word for the thing
 * that breaks your system on purpose). Each run starts every peer as its own process on
 * loopback, routes every peer-to-peer connection through a fault-injecting proxy, injects
 * seeded faults while the proposers compete, heals, waits for every peer to decide and
 * validates the whole output with `paxos trace`. Stdout is the report (with --json its last
 * line is one object); diagnostics go to stderr. Exit 0 when every run decided and passed.
 */
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type CampaignReport, runCampaign, runLine, summaryText } from '../nemesis/campaign';
import { cleanUpEverything } from '../nemesis/processes';
import {
  type RegistersCampaignReport,
  registersRunLine,
  registersSummary,
  runRegistersCampaign,
} from '../nemesis/registers/campaign';
import { fault } from '../runtime/failpoints';
import {
  collect,
  loadClusterOrExit,
  parseInteger,
  parsePositiveSeconds,
  usageAfterError,
  usageError,
} from './arguments';

interface NemesisFlags {
  hostsfile?: string;
  workload: 'lab' | 'registers';
  clients: number;
  checkTime: number;
  runs: number;
  seed?: number;
  jobs: number;
  json?: boolean;
  faultTime: number;
  decideTimeout: number;
  timeLimit: number;
  keep?: string;
  allowUnsafeQuorums?: boolean;
  wrap?: [string, string][];
}

const wrapPair = (text: string): [string, string] => {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new InvalidArgumentError('expected NAME=SCRIPT.');
  return [text.slice(0, eq), text.slice(eq + 1)];
};

/** The `paxos` the peers run: this very bundle, under the same node and loader flags. */
const selfCommand = () => ({
  command: process.execPath,
  args: [...process.execArgv, process.argv[1] ?? fileURLToPath(import.meta.url)],
});

export function register(program: Command): void {
  const command = program
    .command('nemesis')
    .summary('inject faults into real peer processes and check every run (paxos trace, or linearizability)')
    .description(
      'Run the hostsfile as real processes on loopback, every connection through a fault-injecting proxy; ' +
        'for --fault-time seconds kill (SIGKILL, then restart from the data directory), pause (SIGSTOP/SIGCONT), ' +
        'partition, cut connections mid-frame, delay, duplicate and reorder frames, all drawn from the seed; ' +
        'then heal, wait for every peer to decide and validate the run with paxos trace. Run k uses seed S+k: ' +
        '`--seed S+k --runs 1` replays its faults (process timing is not replayable). ' +
        'With --workload registers the peers are `paxos serve` processes and clients run operations while the ' +
        'faults go on (from when the service is up; in some runs every peer is killed at once); after the heal ' +
        "every key is read, each key's history checked for linearizability and each counter for lost " +
        'increments: a run is valid, invalid or unknown (the checker ran out of time; not valid). ' +
        'PAXOS_FAULT=forget-on-restart or get-from-one, or --allow-unsafe-quorums with groups whose majorities ' +
        'do not meet, break the service on purpose.',
    )
    .usage(
      '[-h FILE] [--workload lab|registers] [--runs N] [--seed S] [--json] [--jobs J] [--fault-time S] [--keep DIR] [--clients N]',
    )
    .option(
      '-h, --hostsfile <file>',
      "the hostsfile (default: the lab's competing proposals, hostsfile-testcase2.txt; with --workload registers, hostsfile-registers.txt)",
    )
    .addOption(
      new Option(
        '--workload <name>',
        'lab: the peers decide one value, validated by paxos trace; registers: `paxos serve` peers under ' +
          'clients doing get, put, put-if-version, delete and counter increments, every key checked for linearizability',
      )
        .choices(['lab', 'registers'])
        .default('lab'),
    )
    .option('--clients <n>', 'registers: clients, spread over the serving peers', parseInteger(1, 200), 10)
    .option(
      '--check-time <s>',
      "registers: the linearizability checker's wall time per run before a run is unknown",
      parsePositiveSeconds,
      20,
    )
    .option('--runs <n>', 'number of runs', parseInteger(1), 10)
    .option(
      '--seed <s>',
      'seed of the first run (default: from the clock, printed)',
      parseInteger(0, 2 ** 32 - 1),
    )
    .option('--jobs <j>', 'runs at the same time', parseInteger(1, 16), 1)
    .option('--json', 'make the last stdout line one JSON object with the figures')
    .option('--fault-time <s>', 'seconds of faults per run, from launch', parsePositiveSeconds, 3)
    .option(
      '--decide-timeout <s>',
      'lab: seconds every peer has to decide once the faults stop',
      parsePositiveSeconds,
      30,
    )
    .option('--time-limit <s>', 'start no run after this many seconds', parsePositiveSeconds, 3600)
    .option(
      '--keep <dir>',
      'lab: keep the logs, stderr and plan of each failing run under DIR/seed-S; registers: of every run, ' +
        "with each key's history (.jsonl) and its picture (.html); without it, a failing run's go to a " +
        'temporary directory the report names',
    )
    .option(
      '--allow-unsafe-quorums',
      'accept proposer groups whose majorities need not intersect (registers: each proposer uses its own group)',
    )
    .addOption(
      new Option('--wrap <name=script>', 'start peer NAME as `node SCRIPT <paxos> peer ...` (repeatable)')
        .argParser(collect(wrapPair))
        .hideHelp(),
    )
    .action((flags: NemesisFlags) => runNemesis(command, flags));
  command.showHelpAfterError(usageAfterError(command));
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * First signal: stop starting runs, end the ones under way, report. Second: kill all now.
 * Returns whether the bench was interrupted.
 */
function onSignals(): () => boolean {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      cleanUpEverything();
      process.exit(130);
    }
    interrupted = true;
    log(`nemesis: ${signal}: stopping the runs under way and cleaning up (again to kill at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', cleanUpEverything);
  return () => interrupted;
}

/** The campaign the flags ask for: runs it, prints its lines, exits with its verdict. */
async function runNemesis(command: Command, flags: NemesisFlags): Promise<void> {
  if (flags.workload === 'registers') return runRegistersNemesis(flags);
  const hostsfile = flags.hostsfile ?? 'hostsfile-testcase2.txt';
  const cluster = loadClusterOrExit(hostsfile, flags.allowUnsafeQuorums === true);
  if (!cluster.peers.some((p) => p.proposer.length > 0))
    usageError(command, `${hostsfile} has no proposer: nothing to decide`);
  for (const [name] of flags.wrap ?? [])
    if (!cluster.peers.some((p) => p.host === name))
      usageError(command, `--wrap: host '${name}' is not in hostsfile ${hostsfile}`);
  const seed = flags.seed ?? Date.now() % 2 ** 31;
  say(
    `nemesis: ${hostsfile}, ${flags.runs} run(s) from seed ${seed}, ${flags.faultTime} s of faults each, ` +
      `${flags.jobs} at a time`,
  );
  const interrupted = onSignals();

  const replay = (s: number) =>
    `paxos nemesis -h ${hostsfile} --seed ${s} --runs 1 --fault-time ${flags.faultTime}` +
    (flags.wrap ?? []).map(([n, w]) => ` --wrap ${n}=${w}`).join('');
  let report: CampaignReport;
  try {
    report = await runCampaign({
      hostsfile,
      cluster,
      paxos: selfCommand(),
      wrappers: new Map(flags.wrap ?? []),
      faultPhaseMs: Math.round(flags.faultTime * 1000),
      decideTimeoutMs: Math.round(flags.decideTimeout * 1000),
      allowUnsafeQuorums: flags.allowUnsafeQuorums === true,
      ...(flags.keep ? { keepDir: flags.keep } : {}),
      runs: flags.runs,
      seed,
      jobs: flags.jobs,
      timeLimitMs: flags.timeLimit * 1000,
      aborted: interrupted,
      log,
      onRun: (r) => say(runLine(r)),
    });
  } finally {
    cleanUpEverything();
  }
  say('');
  for (const line of summaryText(report, replay)) say(line);
  if (flags.json) say(JSON.stringify(report));
  // A crash-window FAIL is reported, not failed: it is a gap in what the peers print, not a violation.
  const ok = report.violations === 0 && report.unvalidated === 0 && report.decided === report.runs;
  process.exit(interrupted() ? 130 : ok ? 0 : 1);
}

/** `--workload registers`: the register service under clients and faults; exit 0 only when every run is valid. */
async function runRegistersNemesis(flags: NemesisFlags): Promise<void> {
  const hostsfile = flags.hostsfile ?? 'hostsfile-registers.txt';
  const unsafe = flags.allowUnsafeQuorums === true;
  const cluster = loadClusterOrExit(hostsfile, unsafe);
  const seed = flags.seed ?? Date.now() % 2 ** 31;
  const faulty = fault ? `PAXOS_FAULT=${fault} ` : '';
  say(
    `nemesis --workload registers: ${hostsfile}${fault ? ` (PAXOS_FAULT=${fault})` : ''}, ${flags.runs} run(s) ` +
      `from seed ${seed}, ${flags.clients} clients, ${flags.faultTime} s of faults each, ${flags.jobs} at a time`,
  );
  const interrupted = onSignals();
  const replay = (s: number) =>
    `${faulty}paxos nemesis --workload registers -h ${hostsfile} --seed ${s} --runs 1 --fault-time ${flags.faultTime} ` +
    `--clients ${flags.clients}${unsafe ? ' --allow-unsafe-quorums' : ''}`;
  let report: RegistersCampaignReport;
  try {
    report = await runRegistersCampaign({
      hostsfile,
      cluster,
      paxos: selfCommand(),
      faultPhaseMs: Math.round(flags.faultTime * 1000),
      clients: flags.clients,
      allowUnsafeQuorums: unsafe,
      ...(flags.keep ? { keepDir: flags.keep } : {}),
      checkTimeMs: flags.checkTime * 1000,
      runs: flags.runs,
      seed,
      jobs: flags.jobs,
      timeLimitMs: flags.timeLimit * 1000,
      aborted: interrupted,
      onRun: (r) => say(registersRunLine(r)),
    });
  } finally {
    cleanUpEverything();
  }
  say('');
  for (const line of registersSummary(report, replay)) say(line);
  if (flags.json) say(JSON.stringify(report));
  process.exit(interrupted() ? 130 : report.valid === report.runs ? 0 : 1);
}
