/**
 * `paxos view -h HOSTSFILE FILE... -o OUT.html [--svg OUT.svg] [--shiviz OUT.log]`: draws a
 * real run (the same inputs as `paxos trace`) as a space-time diagram, placed and judged by
 * paxos trace itself; a violation it finds is marked on the line that breaks the rule. One
 * summary line on stdout; exit 0 once the pictures are written (whatever the verdict: the
 * picture is the product, `paxos trace` gives the verdict as an exit code), 2 on bad input.
 *
 * Also the small hooks `paxos simulate --format html|svg|shiviz` and `paxos check --html`
 * use, so that all three share one way of writing pictures.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CheckResult, Violation } from '../check/result';
import type { GoalResult, LivenessReport } from '../check/search';
import type { ClusterConfig } from '../config/cluster';
import {
  DEFAULT_MAX_INTERLEAVINGS,
  type LabInput,
  parseFileArgument,
  readLabRun,
  TraceInputError,
  validateRun,
} from '../trace/index';
import { formatText } from '../trace/report';
import { looksStructured, placeStructured, validateStructured } from '../trace/structured';
import { CounterexampleError, stepsOfCounterexample, viewOfCounterexample } from '../view/fromCheck';
import { viewOfStructured } from '../view/fromStructured';
import { viewOfObservedRun } from '../view/fromTrace';
import { renderHtml } from '../view/html';
import type { RunView } from '../view/runView';
import { renderShiviz } from '../view/shiviz';
import { renderSvg } from '../view/svg';
import { loadClusterOrExit, parseInteger, requireHostsfile, usageAfterError, usageError } from './arguments';

export type PictureFormat = 'html' | 'svg' | 'shiviz';

export const renderPicture = (view: RunView, format: PictureFormat): string =>
  format === 'html' ? renderHtml(view) : format === 'svg' ? renderSvg(view) : renderShiviz(view);

export interface PictureFiles {
  html?: string;
  svg?: string;
  shiviz?: string;
}

/** Writes each requested form; returns the paths written. */
function writePictures(view: RunView, files: PictureFiles): string[] {
  const written: string[] = [];
  for (const format of ['html', 'svg', 'shiviz'] as const) {
    const path = files[format];
    if (path === undefined) continue;
    writeFileSync(path, renderPicture(view, format));
    written.push(path);
  }
  return written;
}

/**
 * `paxos check --html/--svg`: the counterexample, if there is one. Reports on stderr so
 * that check's stdout stays what it was.
 */
export function writeCounterexample(cluster: ClusterConfig, result: CheckResult, files: PictureFiles): void {
  const [violation] = result.violations;
  const wanted = Object.values(files).filter((f) => f !== undefined);
  if (wanted.length === 0) return;
  if (!violation) {
    process.stderr.write(`no counterexample, so no picture: ${wanted.join(', ')} not written\n`);
    return;
  }
  try {
    const view = viewOfCounterexample(
      cluster,
      violation,
      `paxos check: counterexample to ${violation.invariant} (${cluster.source})`,
    );
    process.stderr.write(`counterexample drawn: ${writePictures(view, files).join(', ')}\n`);
  } catch (err) {
    if (!(err instanceof CounterexampleError)) throw err;
    process.stderr.write(`error: the counterexample cannot be drawn: ${err.message}\n`);
  }
}

/**
 * `paxos check --trace-out FILE`: the counterexample, or else (with --liveness) the path to
 * a stuck world, as the steps `paxos simulate --replay FILE` runs.
 */
export function writeReplay(cluster: ClusterConfig, result: CheckResult, file: string): void {
  const liveness = (result as { liveness?: LivenessReport | null }).liveness;
  const stuck = liveness?.stuck.trace ?? liveness?.stuckWithoutFaults.trace;
  const [violation] = result.violations;
  const finding = violation
    ? { what: 'counterexample', violation }
    : stuck
      ? { what: 'path to a stuck world', violation: { invariant: 'Stuck', trace: stuck } }
      : null;
  if (!finding) {
    process.stderr.write(
      `no counterexample${liveness ? ' and no stuck world' : ''}, so ${file} not written\n`,
    );
    return;
  }
  writeSteps(cluster, finding.violation, file, finding.what);
}

/** `paxos check --goals --witness-out DIR`: each reached goal's shortest witness, as steps, one file a goal. */
export function writeWitnesses(cluster: ClusterConfig, goals: readonly GoalResult[], dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const goal of goals) {
    if (!goal.witness) continue;
    const name = goal.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    writeSteps(
      cluster,
      { invariant: goal.name, trace: goal.witness },
      path.join(dir, `${name}.json`),
      `witness of "${goal.name}"`,
    );
  }
}

function writeSteps(cluster: ClusterConfig, run: Violation, file: string, what: string): void {
  try {
    const steps = stepsOfCounterexample(cluster, run);
    writeFileSync(file, `${JSON.stringify(steps)}\n`);
    process.stderr.write(
      `${what} written as ${steps.length} steps to ${file}: paxos simulate -h ${cluster.source} --replay ${file}\n`,
    );
  } catch (err) {
    if (!(err instanceof CounterexampleError)) throw err;
    process.stderr.write(`error: the ${what} cannot be written as steps: ${err.message}\n`);
  }
}

interface ViewFlags {
  hostsfile?: string;
  output?: string;
  svg?: string;
  shiviz?: string;
  title?: string;
  maxInterleavings: number;
  allowUnsafeQuorums?: boolean;
}

function inputError(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

export function register(program: Command): void {
  const command = program
    .command('view')
    .summary('draw a real run as a space-time diagram (HTML, SVG, ShiViz)')
    .description(
      'Draw a run from the same inputs as `paxos trace` (structured traces, per-peer lab logs, or one ' +
        '`docker compose` log) as a space-time diagram: a lifeline per peer, an arrow per message, ' +
        "acceptors' state, chose marks, the moment a value became chosen, and any violation paxos trace " +
        'finds, marked on the line that breaks the rule. -o writes one self-contained HTML file, --svg a ' +
        'plain SVG, --shiviz a ShiViz log (its parser regex on the first line).',
    )
    .usage('-h HOSTSFILE FILE... -o OUT.html [--svg OUT.svg] [--shiviz OUT.log]')
    .argument('<files...>', 'structured traces, per-peer logs or one compose log')
    .option('-h, --hostsfile <file>', 'the hostsfile of the run (required)')
    .option('-o, --output <file>', 'write the HTML page here')
    .option('--svg <file>', 'write a plain SVG here')
    .option('--shiviz <file>', "write the run in ShiViz's log format here")
    .option('--title <text>', 'the title of the picture (default: the hostsfile and files)')
    .option(
      '--max-interleavings <n>',
      'as for paxos trace: choices of matches to try before giving up',
      parseInteger(1),
      DEFAULT_MAX_INTERLEAVINGS,
    )
    .option('--allow-unsafe-quorums', 'accept proposer groups whose majorities need not intersect')
    .action((files: string[], flags: ViewFlags) => {
      const hostsfile = requireHostsfile(command, flags.hostsfile);
      if (flags.output === undefined && flags.svg === undefined && flags.shiviz === undefined)
        usageError(command, 'say where to write the picture: -o OUT.html, --svg OUT.svg or --shiviz OUT.log');
      const cluster = loadClusterOrExit(hostsfile, flags.allowUnsafeQuorums === true);
      const inputs: LabInput[] = files.map((arg) => {
        const { path, host } = parseFileArgument(arg, cluster);
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          inputError(`${path}: cannot read: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
        }
        return host === undefined ? { file: path, text } : { file: path, text, host };
      });
      const structured = inputs.filter((i) => looksStructured(i.text));
      if (structured.length > 0 && structured.length < inputs.length)
        inputError(
          `${inputs.find((i) => !looksStructured(i.text))?.file}: lab lines given with structured traces; give one form`,
        );
      const options = { expectDecided: false, maxInterleavings: flags.maxInterleavings };
      const title = flags.title ?? `paxos view: ${hostsfile}, ${files.join(' ')}`;
      let view: RunView;
      let verdict: string;
      try {
        if (structured.length > 0) {
          const result = validateStructured(cluster, structured, options);
          view = viewOfStructured(cluster, placeStructured(cluster, structured), result, title);
          verdict = formatText(result).split('\n')[0] ?? '';
        } else {
          const run = readLabRun(cluster, inputs);
          for (const w of run.warnings) process.stderr.write(`warning: ${w}\n`);
          const result = validateRun(run, options);
          view = viewOfObservedRun(run, result, title);
          verdict = formatText(result).split('\n')[0] ?? '';
        }
      } catch (err) {
        if (!(err instanceof TraceInputError)) throw err;
        inputError(err.message);
      }
      const written = writePictures(view, { html: flags.output, svg: flags.svg, shiviz: flags.shiviz });
      process.stdout.write(
        `wrote ${written.join(', ')}: ${view.rows.length} steps, ${view.events.length} events, ${view.messages.length} messages; ${verdict}\n`,
      );
    });
  command.showHelpAfterError(usageAfterError(command));
}
