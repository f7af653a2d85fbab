/**
 * `paxos linearizable`: checks histories (Jepsen's form, JSON lines or EDN) against a model,
 * one history per file. Results on stdout (the last line is one JSON object with --json),
 * bad input on stderr. Exit 0 linearizable, 1 not, 2 bad input or arguments, 3 unknown
 * (the budget ran out); over several files, the first of 2, 1, 3 that any file earned.
 * `--html` draws the one history given, with its verdict (src/view/history).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import {
  type CheckOptions,
  checkHistory,
  DEFAULT_MAX_STEPS,
  HistoryError,
  MODELS,
  type Model,
  modelNames,
  readHistory,
} from '../linearizability/index';
import { type FileVerdict, formatJson, formatText, overall } from '../linearizability/report';
import { historyPage } from '../view/history/page';
import { parseInteger, parsePositiveSeconds, usageAfterError } from './arguments';

interface Flags {
  model: string;
  json?: boolean;
  budget: number;
  timeLimit?: number;
  html?: string;
}

const EXIT = { LINEARIZABLE: 0, NOT_LINEARIZABLE: 1, ERROR: 2, UNKNOWN: 3 } as const;

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HistoryError(
      file,
      undefined,
      `cannot read: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
}

function writePicture(file: string, html: string): void {
  try {
    writeFileSync(file, html);
  } catch (err) {
    throw new HistoryError(file, undefined, `cannot write the picture: ${(err as Error).message}`);
  }
}

/** `html`: where to draw the history and its verdict, when asked. */
function checkFile(file: string, model: Model, options: CheckOptions, html?: string): FileVerdict {
  const started = performance.now();
  try {
    const history = readHistory(file, readText(file));
    const result = checkHistory(history, model, options);
    const seconds = (performance.now() - started) / 1000;
    if (html !== undefined) writePicture(html, historyPage(history, result, { model: model.name }));
    return { file, seconds, ...result };
  } catch (err) {
    if (!(err instanceof HistoryError)) throw err;
    return { file, verdict: 'ERROR', error: err.message };
  }
}

export function register(program: Command): void {
  const command = program
    .command('linearizable')
    .summary('check histories of invoke/ok/fail/info operations for linearizability')
    .description(
      "Check each history (one per file: JSON objects or Jepsen's EDN maps, one per line) against a model: " +
        'linearizable (exit 0), not, naming the operation that cannot be placed and the longest linearizable ' +
        'prefix (exit 1), bad input naming the file and line (exit 2), or unknown when the budget ran out (exit 3).',
    )
    .usage('--model MODEL [--json] [--budget STEPS] [--time-limit SECONDS] [--html OUT.html] FILE...')
    .argument('<files...>', 'histories, one per file')
    .addOption(
      new Option('--model <model>', 'the data type the history is of')
        .choices(modelNames())
        .makeOptionMandatory(),
    )
    .option('--json', 'also print the verdicts as one JSON object (the last stdout line)')
    .option(
      '--budget <steps>',
      'search steps per history before answering unknown',
      parseInteger(1),
      DEFAULT_MAX_STEPS,
    )
    .option('--time-limit <seconds>', 'wall time per history before answering unknown', parsePositiveSeconds)
    .option(
      '--html <file>',
      'also draw the history as a self-contained HTML timeline with its verdict (one history only: with several FILEs it is a usage error, exit 2)',
    )
    .action((files: string[], flags: Flags) => {
      if (flags.html !== undefined && files.length > 1)
        command.error('error: --html draws one history; give one FILE', { exitCode: 2 });
      const model = MODELS[flags.model] as Model;
      const options: CheckOptions = { maxSteps: flags.budget };
      if (flags.timeLimit !== undefined) options.timeLimitMs = flags.timeLimit * 1000;
      const verdicts = files.map((file) => {
        const v = checkFile(file, model, options, flags.html);
        if (v.verdict === 'ERROR') process.stderr.write(`error: ${v.error}\n`);
        else process.stdout.write(`${formatText(v)}\n`);
        return v;
      });
      if (flags.json) process.stdout.write(`${formatJson(model.name, verdicts)}\n`);
      process.exitCode = EXIT[overall(verdicts)];
    });
  command.showHelpAfterError(usageAfterError(command));
}
