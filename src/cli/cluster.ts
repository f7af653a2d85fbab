/**
 * `paxos cluster`: every peer of a hostsfile as a separate process on this machine, over
 * real TCP on loopback, output combined like `docker compose up`. Stops when every peer
 * that should decide has printed chose (exit 0) or at the timeout (exit 1).
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { runLocalCluster } from '../cluster/localCluster';
import { runServeCluster } from '../cluster/serveCluster';
import { summarize } from '../cluster/summary';
import { type ClusterConfig, rolesOf } from '../config/cluster';
import {
  collect,
  loadClusterOrExit,
  loadSecretsOrExit,
  parseNamed,
  parsePositiveSeconds,
  parseSeconds,
  parseValue,
  requireHostsfile,
  resolveHost,
  usageAfterError,
  usageError,
} from './arguments';

interface ClusterFlags {
  hostsfile?: string;
  value?: [string, string][];
  delay?: [string, number][];
  timeout: number;
  order?: string;
  stagger: number;
  allowUnsafeQuorums?: boolean;
  traceDir?: string;
  secretFile?: string;
  serve?: boolean;
  dataDir?: string;
}

const pair = parseNamed;

/** The `paxos` the peers run: this very bundle (dist/cli.js), under the same node and loader flags. */
const selfCommand = () => ({
  command: process.execPath,
  args: [...process.execArgv, process.argv[1] ?? fileURLToPath(import.meta.url)],
});

/** `--serve`: the register service's peers instead of the lab's; never returns. */
async function serveCluster(
  hostsfile: string,
  cluster: ClusterConfig,
  places: { dataDir?: string | undefined; secretFile?: string | undefined; traceDir?: string | undefined },
): Promise<never> {
  const { dataDir, secretFile, traceDir } = places;
  const code = await runServeCluster({
    hostsfile,
    cluster,
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(secretFile !== undefined ? { secretFile } : {}),
    ...(traceDir !== undefined ? { traceDir } : {}),
    paxos: selfCommand(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exit(code);
}

export function register(program: Command): void {
  const command = program
    .command('cluster')
    .summary('run every peer of a hostsfile on this machine, over loopback TCP')
    .description(
      'Run every peer of the hostsfile as a separate process on this machine (one loopback port each, ' +
        'fresh data directories), print their output as `peerN | {...}`, and stop when every peer of a ' +
        'started group has printed chose (exit 0) or at the timeout (exit 1).',
    )
    .usage(
      '-h FILE [--value NAME=V]... [--delay NAME=S]... [--timeout S] [--order NAME,...] [--stagger S] [--secret-file FILE] [--trace-dir DIR]',
    )
    .option('-h, --hostsfile <file>', 'the hostsfile (required)')
    .option(
      '--value <name=v>',
      'the value proposer NAME proposes (repeatable)',
      collect(pair('V', parseValue)),
    )
    .option(
      '--delay <name=s>',
      'seconds proposer NAME waits before it starts (repeatable)',
      collect(pair('S', parseSeconds)),
    )
    .option('--timeout <s>', 'give up after this many seconds', parsePositiveSeconds, 30)
    .option('--order <names>', 'launch these peers first, in this order (comma-separated)')
    .option('--stagger <s>', 'seconds between two launches', parseSeconds, 0)
    .option('--allow-unsafe-quorums', 'accept proposer groups whose majorities need not intersect')
    .option(
      '--secret-file <file>',
      'every peer authenticates its frames with this shared secret (see paxos peer)',
    )
    .option(
      '--serve',
      'run the register service instead (paxos serve per peer) until Ctrl-C, printing its endpoints',
    )
    .option(
      '--data-dir <dir>',
      'with --serve: keep the registers here (default: a temporary directory, removed)',
    )
    .option(
      '--trace-dir <dir>',
      "each peer writes its structured trace to DIR/<host>.ndjson, replacing an earlier run's (see paxos trace); with --serve too",
    )
    .action(async (flags: ClusterFlags) => {
      const hostsfile = requireHostsfile(command, flags.hostsfile);
      const secretFile = flags.secretFile ?? process.env.PAXOS_SECRET_FILE;
      // Checked once here, so a bad file is one error and not one per peer.
      if (secretFile !== undefined) loadSecretsOrExit(secretFile);
      const cluster = loadClusterOrExit(hostsfile, flags.allowUnsafeQuorums === true);
      if (flags.serve)
        await serveCluster(hostsfile, cluster, {
          dataDir: flags.dataDir,
          secretFile,
          traceDir: flags.traceDir,
        });
      // Names as the hostsfile spells them: the local cluster keys its peers by host.
      const host = (flag: string, name: string) => resolveHost(command, cluster, flag, name).host;
      const values = new Map((flags.value ?? []).map(([name, v]) => [host('--value', name), v] as const));
      const delays = new Map((flags.delay ?? []).map(([name, d]) => [host('--delay', name), d] as const));
      const order =
        flags.order
          ?.split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .map((name) => host('--order', name)) ?? [];
      for (const name of values.keys()) {
        const peer = cluster.peers.find((p) => p.host === name);
        if (peer && peer.proposer.length === 0)
          usageError(
            command,
            `--value ${name}=...: ${name} is not a proposer in ${hostsfile} (its roles: ${rolesOf(peer)})`,
          );
      }
      if (!cluster.peers.some((p) => p.proposer.length > 0 && values.has(p.host)))
        usageError(command, 'no proposer has a value: pass --value NAME=V for at least one proposer');

      const result = await runLocalCluster({
        hostsfile,
        cluster,
        values,
        delays,
        timeoutMs: flags.timeout * 1000,
        order,
        staggerMs: flags.stagger * 1000,
        allowUnsafeQuorums: flags.allowUnsafeQuorums === true,
        ...(flags.traceDir !== undefined ? { traceDir: flags.traceDir } : {}),
        ...(secretFile !== undefined ? { secretFile } : {}),
        paxos: selfCommand(),
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
      const verdict = summarize(result);
      process.stdout.write(`\n${verdict.lines.join('\n')}\n`);
      process.exit(verdict.ok ? 0 : 1);
    });
  command.showHelpAfterError(usageAfterError(command));
}
