/**
 * `paxos trace`: validates a real run from structured traces (`paxos peer --trace`, or
 * `paxos serve --trace` for the register service, key by key) or from
 * the lab's stdout lines (per-peer files or one `docker compose` log). Results on stdout (the last line is one JSON object with --json),
 * warnings on stderr. Exit 0 PASS, 1 FAIL, 2 unreadable input or bad arguments, 3 undecided.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ClusterConfig } from '../config/cluster';
import {
  DEFAULT_MAX_INTERLEAVINGS,
  type LabInput,
  parseFileArgument,
  readLabRun,
  TraceInputError,
  validateRun,
} from '../trace/index';
import { formatJson, formatText } from '../trace/report';
import { formatServeText, looksServe, validateServe } from '../trace/serve/index';
import { looksStructured, validateStructured } from '../trace/structured';
import { loadClusterOrExit, parseInteger, requireHostsfile, usageAfterError } from './arguments';

interface TraceFlags {
  hostsfile?: string;
  expectDecided?: boolean;
  json?: boolean;
  maxInterleavings: number;
  allowUnsafeQuorums?: boolean;
}

const EXIT = { PASS: 0, FAIL: 1, UNDECIDED: 3 } as const;

const parseCount = parseInteger(1);

function inputError(json: boolean | undefined, message: string): never {
  process.stderr.write(`error: ${message}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ verdict: 'ERROR', error: message })}\n`);
  process.exit(2);
}

export function register(program: Command): void {
  const command = program
    .command('trace')
    .summary("validate a real run against the spec: structured traces or the lab's stdout lines")
    .description(
      "Validate a run from the lab's stdout lines: one file per peer (peer3.log, peer3.txt, or peer3=FILE) or one " +
        '`docker compose up` / `docker compose logs` capture. PASS if one interleaving of the per-peer sequences ' +
        'explains every line under the rules of the lab (exit 0), FAIL with the first line that cannot be ' +
        'explained (exit 1), exit 2 on unreadable input, exit 3 when the search ran out of budget. ' +
        "Given the traces of `paxos serve --trace`, replays the register service's run through the machines " +
        'and checks every key against spec/Registers.tla.',
    )
    .usage('-h HOSTSFILE [--expect-decided] [--json] [--max-interleavings N] FILE...')
    .argument('<files...>', 'per-peer logs or one compose log')
    .option('-h, --hostsfile <file>', 'the hostsfile of the run (required)')
    .option('--expect-decided', 'also require that every peer that takes part printed chose')
    .option('--json', 'print the result as one JSON object (the last stdout line)')
    .option(
      '--max-interleavings <n>',
      'choices of matches to try before giving up as undecided',
      parseCount,
      DEFAULT_MAX_INTERLEAVINGS,
    )
    .option('--allow-unsafe-quorums', 'accept proposer groups whose majorities need not intersect')
    .action((files: string[], flags: TraceFlags) => {
      const cluster = loadClusterOrExit(
        requireHostsfile(command, flags.hostsfile),
        flags.allowUnsafeQuorums === true,
      );
      const inputs: LabInput[] = files.map((arg) => {
        const { path, host } = parseFileArgument(arg, cluster);
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          inputError(
            flags.json,
            `${path}: cannot read: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
          );
        }
        return host === undefined ? { file: path, text } : { file: path, text, host };
      });
      if (inputs.some((i) => looksServe(i.text))) return validateServeRun(cluster, inputs, flags.json);
      const options = {
        expectDecided: flags.expectDecided === true,
        maxInterleavings: flags.maxInterleavings,
      };
      // Structured traces (paxos peer --trace) or lab lines: told apart by their first record.
      const structured = inputs.filter((i) => looksStructured(i.text));
      if (structured.length > 0 && structured.length < inputs.length)
        inputError(
          flags.json,
          `${inputs.find((i) => !looksStructured(i.text))?.file}: lab lines given with structured traces; give one form`,
        );
      let result: ReturnType<typeof validateRun>;
      try {
        if (structured.length > 0) result = validateStructured(cluster, structured, options);
        else {
          const run = readLabRun(cluster, inputs);
          for (const w of run.warnings) process.stderr.write(`warning: ${w}\n`);
          result = validateRun(run, options);
        }
      } catch (err) {
        if (!(err instanceof TraceInputError)) throw err;
        inputError(flags.json, err.message);
      }
      if (structured.length > 0) for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(`${flags.json ? formatJson(result) : formatText(result)}\n`);
      process.exitCode = EXIT[result.verdict];
    });
  command.showHelpAfterError(usageAfterError(command));
}

/** The register service's traces: all files must be of that form. */
function validateServeRun(
  cluster: ClusterConfig,
  inputs: readonly LabInput[],
  json: boolean | undefined,
): void {
  const other = inputs.find((i) => !looksServe(i.text));
  if (other)
    inputError(
      json,
      `${other.file}: not a register peer's trace (paxos serve --trace), given with such traces`,
    );
  let result: ReturnType<typeof validateServe>;
  try {
    result = validateServe(cluster, inputs);
  } catch (err) {
    if (!(err instanceof TraceInputError)) throw err;
    inputError(json, err.message);
  }
  process.stdout.write(`${formatServeText(result)}\n`);
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = EXIT[result.verdict];
}
