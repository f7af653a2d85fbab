/**
 * `paxos peer`: the lab's program. Inside a container it runs as `prj4 -h HOSTSFILE
 * [-v VALUE] [-t DELAY]` (the image's entrypoint is `node dist/cli.js peer`); outside one,
 * --name stands in for the hostname and --peer-address for Docker's DNS.
 */
import os from 'node:os';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { findPeerByHost } from '../config/hostsfile';
import type { Endpoint } from '../runtime/addresses';
import { runPeer } from '../runtime/peerProcess';
import {
  collect,
  loadClusterOrExit,
  loadSecretsOrExit,
  parseAddress,
  parsePort,
  parseSeconds,
  parseValue,
  requireHostsfile,
  usageAfterError,
  usageError,
} from './arguments';

const DEFAULT_PORT = 8080;

/** Where a peer keeps its state unless told otherwise (see README: a fresh container starts empty). */
const defaultDataDir = (host: string): string => path.join('.data', host);

interface PeerFlags {
  hostsfile?: string;
  value?: string;
  delay?: number;
  name?: string;
  port: number;
  dataDir?: string;
  allowUnsafeQuorums?: boolean;
  peerAddress?: [string, Endpoint][];
  trace?: string;
  secretFile?: string;
}

export function register(program: Command): void {
  const command = program
    .command('peer')
    .summary('run one peer of the hostsfile (what the Docker image runs)')
    .description(
      'Run one peer: it finds itself in the hostsfile by its hostname (or --name), listens on TCP ' +
        'port 8080, and prints every message it sends or receives, and its decision, as JSON lines.',
    )
    .usage(
      '-h FILE [-v VALUE] [-t SECONDS] [--name HOST] [--port N] [--data-dir DIR] [--secret-file FILE] [--trace FILE] [--allow-unsafe-quorums]',
    )
    .option('-h, --hostsfile <file>', 'the hostsfile: one HOSTNAME:ROLE[,ROLE...] per line (required)')
    .option('-v, --value <value>', 'the value this peer proposes, if it is a proposer', parseValue)
    .option(
      '-t, --delay <seconds>',
      'seconds a proposer waits before it starts (fractions allowed)',
      parseSeconds,
    )
    .option('--name <host>', "this peer's hostname in the hostsfile (default: the machine's hostname)")
    .option('--port <n>', 'TCP port every peer listens on', parsePort, DEFAULT_PORT)
    .option('--data-dir <dir>', 'where the peer keeps its durable state (default: .data/<host>)')
    .option('--allow-unsafe-quorums', 'accept proposer groups whose majorities need not intersect')
    .option(
      '--secret-file <file>',
      'authenticate every frame with the shared secret in FILE (one per line; two while rotating); also PAXOS_SECRET_FILE',
    )
    .option(
      '--trace <file>',
      'append a structured trace of every step (NDJSON) to FILE, for paxos trace; also PAXOS_TRACE',
    )
    .addOption(
      new Option(
        '--peer-address <host=addr:port>',
        'reach HOST at ADDR:PORT instead of HOST:--port (repeatable)',
      )
        .argParser(collect(parseAddress))
        .hideHelp(),
    )
    .action(async (flags: PeerFlags) => {
      // Checked here, not by commander, so that an unknown flag is reported before a missing -h.
      const hostsfile = requireHostsfile(command, flags.hostsfile);
      // A link reconnecting to a stopped container asks DNS for its name; with nothing
      // upstream the default resolver waits 5 s a try, on a thread-pool thread that even
      // process.exit waits for (Ctrl-C took up to 35 s). One second, two tries, unless set.
      process.env.RES_OPTIONS ??= 'timeout:1 attempts:2';
      const cluster = loadClusterOrExit(hostsfile, flags.allowUnsafeQuorums === true);
      const name = flags.name ?? os.hostname();
      const self = findPeerByHost(cluster, name);
      if (!self) {
        usageError(
          command,
          `host '${name}' is not in hostsfile ${hostsfile} (its hosts: ${cluster.peers
            .map((p) => p.host)
            .join(', ')}); pass --name to choose one`,
        );
      }
      const secretFile = flags.secretFile ?? process.env.PAXOS_SECRET_FILE;
      // As an environment variable too, so a Compose file can ask for traces without a new command.
      const trace = flags.trace ?? process.env.PAXOS_TRACE;
      const secrets = secretFile === undefined ? undefined : loadSecretsOrExit(secretFile);
      await runPeer({
        cluster,
        self,
        ...(flags.value !== undefined ? { value: flags.value } : {}),
        startDelayMs: Math.round((flags.delay ?? 0) * 1000),
        port: flags.port,
        dataDir: flags.dataDir ?? defaultDataDir(self.host),
        addresses: new Map(flags.peerAddress ?? []),
        ...(trace !== undefined ? { traceFile: trace } : {}),
        ...(secrets ? { secrets } : {}),
      });
    });
  command.showHelpAfterError(usageAfterError(command));
}
