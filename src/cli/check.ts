/**
 * `paxos check`: exhaustive breadth-first search, of the spec (`--model spec`, TLC's
 * conventions, counts comparable with TLC's) or of worlds of the real machines for a
 * hostsfile (`--model machines`), or of register peers and their clients' histories
 * (`--model registers`, src/check/registers). Exit 0 when complete without violation, 1 on a violation
 * (with a shortest counterexample), 3 when a bound stopped it first, 2 on bad usage.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { GroupId } from '../../machines/messages';
import { coverageRows } from '../check/descriptor';
import { searchParallel } from '../check/parallel';
import type { CheckResult, Progress } from '../check/result';
import type { GoalResult, LivenessReport, SearchStats } from '../check/search';
import { exploreSpec } from '../check/spec';
import { exploreMachines, FAULTS, type Fault, type NetworkModel } from '../check/worlds';
import { type CoverageRow, coverageLines } from '../check/worlds/coverage';
import { MACHINE_GOALS } from '../check/worlds/goals';
import { defaultValues } from '../check/worlds/options';
import {
  collect,
  loadClusterOrExit,
  parseInteger,
  parseNamed,
  parseValue,
  resolveHost,
  usageAfterError,
  usageError,
} from './arguments';
import { addRegisterOptions, checkRegisters, REGISTER_FLAGS, type RegisterFlags } from './checkRegisters';
import { exitCode, jsonLine, livenessJson, livenessLines, progressLine, summaryLines } from './checkReport';
import { writeCounterexample, writeReplay, writeWitnesses } from './view';

interface CheckFlags extends Omit<RegisterFlags, 'maxRound' | 'faults' | 'maxDups' | 'maxCrashes'> {
  model: 'spec' | 'machines' | 'registers';
  hostsfile?: string;
  maxRound?: number;
  network: NetworkModel;
  faults?: Fault[];
  maxDups?: number;
  maxCrashes?: number;
  symmetry?: boolean;
  refinement: boolean;
  value?: [string, string][];
  allowUnsafeQuorums?: boolean;
  acceptors?: number;
  values?: number;
  maxBallot?: number;
  maxStates?: number;
  maxDepth?: number;
  exact?: boolean;
  workers: number;
  goals?: boolean;
  coverage?: boolean;
  liveness?: boolean;
  json?: boolean;
  progress: number;
  html?: string;
  svg?: string;
  traceOut?: string;
  witnessOut?: string;
}

const integer = parseInteger;

const parseFaults = (text: string): Fault[] => {
  const faults = text
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const f of faults)
    if (!FAULTS.includes(f as Fault))
      throw new InvalidArgumentError(`unknown fault '${f}' (faults: ${FAULTS.join(', ')}).`);
  return faults as Fault[];
};

const parsePeerValue = parseNamed('V', parseValue);

const MACHINE_FLAGS: [keyof CheckFlags, string][] = [
  ['hostsfile', '-h'],
  ['maxRound', '--max-round'],
  ['faults', '--faults'],
  ['maxDups', '--max-dups'],
  ['maxCrashes', '--max-crashes'],
  ['symmetry', '--symmetry'],
  ['value', '--value'],
  ['allowUnsafeQuorums', '--allow-unsafe-quorums'],
  ['goals', '--goals'],
  ['coverage', '--coverage'],
  ['liveness', '--liveness'],
  ['html', '--html'],
  ['svg', '--svg'],
  ['traceOut', '--trace-out'],
  ['witnessOut', '--witness-out'],
];
const SPEC_FLAGS: [keyof CheckFlags, string][] = [
  ['acceptors', '--acceptors'],
  ['values', '--values'],
  ['maxBallot', '--max-ballot'],
];

export function register(program: Command): void {
  const command = program
    .command('check')
    .summary('exhaustive breadth-first check of the spec or of the real machines')
    .description(
      'Visit every reachable state, check the invariants in each (and, for the machines, that every ' +
        'step maps to an action of the spec), and stop at the first violation with a shortest ' +
        'counterexample. Exit 0: complete, no violation; 1: a violation; 3: a bound stopped the ' +
        'search first (nothing proved); 2: bad usage or hostsfile.',
    )
    .usage(
      '--model spec --acceptors A --values V --max-ballot B [options]\n' +
        '       paxos check --model machines -h FILE --max-round R [--network bag|set] [--faults drop,dup,crash] ' +
        '[--max-dups D] [--max-crashes C] [--symmetry] [--value NAME=V]... [options]\n' +
        '       paxos check --model registers [--peers N] [--ops PEER=OP,OP...]... [--max-round R] ' +
        '[--faults drop,dup,crash] [options]',
    )
    .addOption(
      new Option('--model <model>', 'what to explore')
        .choices(['spec', 'machines', 'registers'])
        .makeOptionMandatory(),
    )
    .option('-h, --hostsfile <file>', 'machines: the hostsfile')
    .option('--max-round <r>', 'machines, registers: rounds each proposer may begin', integer(1))
    .addOption(
      new Option(
        '--network <kind>',
        'machines: bag (consumed on delivery) or set (never removed, as Paxos.tla)',
      )
        .choices(['bag', 'set'])
        .default('bag'),
    )
    .option(
      '--faults <list>',
      'machines, registers: faults on top of the network, of drop,dup,crash',
      parseFaults,
    )
    .option('--max-dups <d>', 'machines, registers: duplications per path (default 1 with dup)', integer(0))
    .option(
      '--max-crashes <c>',
      'machines, registers: crash-restarts per path (default 1 with crash)',
      integer(0),
    )
    .option('--symmetry', 'machines: acceptors with identical roles are interchangeable')
    .option('--no-refinement', 'machines: do not check steps against the spec (smaller on the bag)')
    .option(
      '--value <name=v>',
      'machines: the value proposer peer NAME starts with (repeatable; default X, Y, Z, W, V5... by group)',
      collect(parsePeerValue),
    )
    .option('--allow-unsafe-quorums', 'machines: accept proposer groups whose majorities need not intersect')
    .option('--acceptors <a>', 'spec: number of acceptors', integer(1))
    .option('--values <v>', 'spec: number of values', integer(1))
    .option('--max-ballot <b>', 'spec: ballots are 0..B', integer(0))
    .option('--max-states <n>', 'stop after this many distinct states (then nothing is proved)', integer(1))
    .option('--max-depth <n>', 'explore this many levels at most (the initial state is level 1)', integer(1))
    .option('--exact', 'store every state, not its 64-bit fingerprint (no collision possible, more memory)')
    .option('--goals', 'machines: report sometimes-goals (reached or not) with shortest witnesses')
    .option('--coverage', 'machines: count how many explored steps took each statechart transition')
    .option(
      '--liveness',
      'machines: find stuck worlds, from which no decision is reachable (at all, or once faults stop)',
    )
    .option(
      '--workers <n>',
      'worker threads sharing one fingerprint table (real machines only)',
      integer(1),
      1,
    )
    .option('--progress <s>', 'seconds between progress lines on stderr', integer(1), 5)
    .option('--json', 'print the result as one JSON object on the last line of stdout')
    .option('--html <file>', 'machines: draw the counterexample, if any, as an HTML page (src/view)')
    .option('--svg <file>', 'machines: draw the counterexample, if any, as SVG')
    .option(
      '--trace-out <file>',
      'machines: write the counterexample (else, with --liveness, the path to a stuck world) as steps that `paxos simulate --replay FILE` runs',
    )
    .option(
      '--witness-out <dir>',
      "machines, with --goals: write each reached goal's witness into DIR as steps for `paxos simulate --replay`",
    )
    .action(async (flags: CheckFlags) => {
      refuseMisplacedFlags(command, flags);
      const onProgress = (p: Progress) => process.stderr.write(`${progressLine(p)}\n`);
      const result =
        flags.model === 'spec'
          ? await checkSpec(command, flags, onProgress)
          : flags.model === 'registers'
            ? checkRegisters(command, flags, onProgress)
            : await checkMachines(command, flags, onProgress);
      reportResult(flags, result);
    });
  addRegisterOptions(command);
  command.showHelpAfterError(usageAfterError(command));
}

/** Usage errors for flags that do not apply to the model, or not together. */
function refuseMisplacedFlags(command: Command, flags: CheckFlags): void {
  const shared = new Set<string>(['maxRound', 'faults', 'maxDups', 'maxCrashes']);
  const refused =
    flags.model === 'spec'
      ? [...MACHINE_FLAGS, ...REGISTER_FLAGS]
      : flags.model === 'machines'
        ? [...SPEC_FLAGS, ...REGISTER_FLAGS]
        : [...SPEC_FLAGS, ...MACHINE_FLAGS.filter(([k]) => !shared.has(k))];
  const misplaced = refused.find(([k]) => (flags as unknown as Record<string, unknown>)[k] !== undefined);
  if (misplaced) usageError(command, `${misplaced[1]} does not apply to --model ${flags.model}`);
  if (flags.model !== 'machines' && flags.network !== 'bag')
    usageError(command, `--network does not apply to --model ${flags.model}`);
  if (flags.workers > 1 && flags.exact) usageError(command, '--exact needs one worker');
  if (flags.workers > 1 && flags.goals) usageError(command, '--goals needs one worker');
  if (flags.workers > 1 && flags.liveness) usageError(command, '--liveness needs one worker');
  if (flags.witnessOut !== undefined && !flags.goals) usageError(command, '--witness-out needs --goals');
}

/** The bounds that stop a search early, as the search options spell them. */
const boundsOf = (flags: CheckFlags) => ({
  ...(flags.maxStates !== undefined ? { maxStates: flags.maxStates } : {}),
  ...(flags.maxDepth !== undefined ? { maxDepth: flags.maxDepth } : {}),
  ...(flags.exact ? { exact: true } : {}),
});

/** --model spec: the search of spec/Paxos.tla's state space, printed header first. */
async function checkSpec(
  command: Command,
  flags: CheckFlags,
  onProgress: (p: Progress) => void,
): Promise<CheckResult & { search: SearchStats }> {
  const bounds = boundsOf(flags);
  for (const [k, flag] of SPEC_FLAGS)
    if (flags[k] === undefined) usageError(command, `--model spec needs ${flag}`);
  const options = {
    acceptors: flags.acceptors as number,
    values: flags.values as number,
    maxBallot: flags.maxBallot as number,
  };
  process.stdout.write(
    `spec/Paxos.tla: ${options.acceptors} acceptors, ${options.values} values, ballots 0..${options.maxBallot}\n`,
  );
  return flags.workers > 1
    ? await searchParallel(
        { kind: 'spec', ...options },
        { workers: flags.workers, ...bounds, onProgress, progressIntervalMs: flags.progress * 1000 },
      )
    : exploreSpec({ ...options, ...bounds, onProgress: throttled(onProgress, flags.progress) });
}

/** --model machines: the search of the real machines' worlds, then the files it was asked to write. */
async function checkMachines(
  command: Command,
  flags: CheckFlags,
  onProgress: (p: Progress) => void,
): Promise<CheckResult & { search: SearchStats }> {
  const bounds = boundsOf(flags);
  if (flags.hostsfile === undefined) usageError(command, '--model machines needs -h FILE');
  if (flags.maxRound === undefined) usageError(command, '--model machines needs --max-round R');
  const cluster = loadClusterOrExit(flags.hostsfile, flags.allowUnsafeQuorums === true);
  const values = defaultValues(cluster);
  for (const [name, value] of flags.value ?? []) {
    const peer = resolveHost(command, cluster, '--value', name, { proposer: true });
    for (const g of peer.proposer) values[g as GroupId] = value;
  }
  const faults = flags.faults ?? [];
  if (flags.maxDups !== undefined && flags.maxDups > 0 && !faults.includes('dup'))
    usageError(command, '--max-dups needs --faults dup');
  if (flags.maxCrashes !== undefined && flags.maxCrashes > 0 && !faults.includes('crash'))
    usageError(command, '--max-crashes needs --faults crash');
  if (flags.network === 'set' && faults.some((f) => f !== 'crash'))
    usageError(command, '--network set already loses and duplicates messages: only crash applies');
  const proposers = cluster.groups
    .map((g) => `${cluster.peers.find((p) => p.id === g.proposer)?.host}=${values[g.id]}`)
    .join(' ');
  process.stdout.write(
    `machines of ${flags.hostsfile}: ${proposers}; ${flags.maxRound} round(s) each; ${flags.network} network; ` +
      `faults: ${describeFaults(flags, faults)}; symmetry ${flags.symmetry ? 'on' : 'off'}; ` +
      `refinement ${flags.refinement ? 'on' : 'off'}\n`,
  );
  const machineOptions = {
    cluster,
    values,
    maxRound: flags.maxRound,
    network: flags.network,
    faults,
    ...(flags.maxDups !== undefined ? { maxDups: flags.maxDups } : {}),
    ...(flags.maxCrashes !== undefined ? { maxCrashes: flags.maxCrashes } : {}),
    symmetry: flags.symmetry === true,
    refinement: flags.refinement,
    ...(flags.coverage ? { coverage: true } : {}),
    ...bounds,
  };
  const descriptor = { kind: 'machines', options: machineOptions } as const;
  const progress = { onProgress, progressIntervalMs: flags.progress * 1000 };
  const result: CheckResult & { search: SearchStats } =
    flags.workers > 1
      ? await searchParallel(descriptor, { workers: flags.workers, ...bounds, ...progress }).then((r) =>
          r.tally ? { ...r, coverage: coverageRows(descriptor, r.tally) } : r,
        )
      : exploreMachines({
          ...machineOptions,
          ...progress,
          ...(flags.goals ? { goals: MACHINE_GOALS } : {}),
          ...(flags.liveness ? { liveness: true } : {}),
        });
  writeCounterexample(cluster, result, { html: flags.html, svg: flags.svg });
  if (flags.traceOut !== undefined) writeReplay(cluster, result, flags.traceOut);
  if (flags.witnessOut !== undefined)
    writeWitnesses(cluster, (result as { goals?: GoalResult[] }).goals ?? [], flags.witnessOut);
  return result;
}

/** Prints the result (and goals, coverage, liveness the flags asked for) and sets the exit code. */
function reportResult(flags: CheckFlags, result: CheckResult & { search: SearchStats }): void {
  const skipped = (result as { stats?: { settledSkipped?: string | null } }).stats?.settledSkipped;
  if (skipped)
    process.stderr.write(
      `note: settled messages were not judged (${skipped}); only dead message types were forgotten\n`,
    );
  process.stdout.write(`${summaryLines(result).join('\n')}\n`);
  const p = result.search.collisionProbability;
  process.stdout.write(
    p === null
      ? 'exact: every state stored, no fingerprint collision possible\n'
      : `fingerprint collision probability (optimistic, as TLC): ${p.toExponential(1)}\n`,
  );
  const goals = 'goals' in result && flags.goals ? (result.goals as GoalResult[]) : null;
  for (const g of goals ?? []) {
    process.stdout.write(
      g.reached
        ? `sometimes "${g.name}": reached, shortest witness ${(g.witness?.length ?? 1) - 1} steps: ${g.witness
            ?.slice(1)
            .map((w) => w.action)
            .join('; ')}\n`
        : `sometimes "${g.name}": NOT REACHED\n`,
    );
  }
  const coverage = 'coverage' in result ? (result.coverage as CoverageRow[]) : null;
  if (coverage) process.stdout.write(`${coverageLines(coverage).join('\n')}\n`);
  const liveness = flags.liveness
    ? ((result as { liveness?: LivenessReport | null }).liveness ?? null)
    : undefined;
  if (liveness !== undefined) process.stdout.write(`${livenessLines(liveness).join('\n')}\n`);
  if (flags.json) {
    const line =
      goals || coverage || liveness !== undefined
        ? JSON.stringify({
            ...JSON.parse(jsonLine(result)),
            ...(goals
              ? {
                  goals: goals.map((g) => ({
                    name: g.name,
                    reached: g.reached,
                    witness: g.witness ?? null,
                  })),
                }
              : {}),
            ...(coverage ? { coverage } : {}),
            ...(liveness !== undefined ? livenessJson(liveness) : {}),
          })
        : jsonLine(result);
    process.stdout.write(`${line}\n`);
  }
  process.exitCode = exitCode(result);
  // A goal no run reaches, in a search that saw every run, is a finding.
  if (result.complete && goals?.some((g) => !g.reached)) process.exitCode = 1;
  // So is a stuck world.
  if (liveness && (liveness.stuck.count > 0 || liveness.stuckWithoutFaults.count > 0)) process.exitCode = 1;
}

function describeFaults(flags: CheckFlags, faults: readonly Fault[]): string {
  if (faults.length === 0) return 'none';
  return faults
    .map((f) =>
      f === 'dup'
        ? `dup (at most ${flags.maxDups ?? 1})`
        : f === 'crash'
          ? `crash (at most ${flags.maxCrashes ?? 1})`
          : f,
    )
    .join(', ');
}

/** The spec checker reports progress often; print a line every `seconds` at most. */
function throttled(f: (p: Progress) => void, seconds: number): (p: Progress) => void {
  let last = 0;
  return (p) => {
    if (p.seconds - last >= seconds) {
      last = p.seconds;
      f(p);
    }
  };
}
