/**
 * `paxos serve`: one peer of the register service (interface.md, "The register service's
 * outside contract"). Same hostsfile, flags and identity rules as `paxos peer`; a peer that
 * holds a proposer role also serves clients over HTTP on --client-port.
 */
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { findPeerByHost } from '../config/hostsfile';
import type { Endpoint } from '../runtime/addresses';
import { registerLayout } from '../serve/layout';
import { runServe } from '../serve/process';
import { openStore } from '../storage/index';
import {
  collect,
  loadClusterOrExit,
  loadSecretsOrExit,
  parseAddress,
  parsePort,
  parsePositiveSeconds,
  requireHostsfile,
  usageAfterError,
  usageError,
} from './arguments';

interface ServeFlags {
  hostsfile?: string;
  name?: string;
  port: number;
  clientPort: number;
  dataDir?: string;
  peerAddress?: [string, Endpoint][];
  secretFile?: string;
  requestTimeout: number;
  trace?: string;
  allowUnsafeQuorums?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('serve')
    .summary('run one peer of the register service (many keys, HTTP clients)')
    .description(
      'Run one peer of the register service: per key a register, each client operation one ' +
        'leaderless Paxos round (CASPaxos). Peers talk on --port; a proposer serves clients on --client-port.',
    )
    .usage(
      '-h FILE [--name HOST] [--port N] [--client-port N] [--data-dir DIR] [--peer-address HOST=ADDR:PORT ...] [--secret-file FILE] [--trace FILE]',
    )
    .option('-h, --hostsfile <file>', 'the hostsfile: one HOSTNAME:ROLE[,ROLE...] per line (required)')
    .option('--name <host>', "this peer's hostname in the hostsfile (default: the machine's hostname)")
    .option('--port <n>', 'TCP port every peer listens on for peers', parsePort, 8080)
    .option('--client-port <n>', 'TCP port a proposer serves HTTP clients on', parsePort, 8081)
    .option('--data-dir <dir>', 'where the peer keeps its registers (default: .data/registers/<host>)')
    .option(
      '--peer-address <host=addr:port>',
      'reach HOST at ADDR:PORT instead of HOST:--port (repeatable)',
      collect(parseAddress),
    )
    .option(
      '--secret-file <file>',
      'authenticate every frame with the shared secret in FILE; also PAXOS_SECRET_FILE',
    )
    .option(
      '--request-timeout <seconds>',
      'answer 503 when no majority answered a request within this time',
      parsePositiveSeconds,
      5,
    )
    .option(
      '--trace <file>',
      'append a structured trace of every step, key by key (NDJSON), to FILE, for paxos trace; also PAXOS_TRACE',
    )
    .option(
      '--allow-unsafe-quorums',
      'accept proposer groups with different acceptors, each proposer using its own (a broken service, for testing)',
    )
    .action(async (flags: ServeFlags) => {
      const hostsfile = requireHostsfile(command, flags.hostsfile);
      process.env.RES_OPTIONS ??= 'timeout:1 attempts:2';
      const unsafe = flags.allowUnsafeQuorums === true;
      const cluster = loadClusterOrExit(hostsfile, unsafe);
      const layout = registerLayout(cluster, unsafe);
      if (typeof layout === 'string') usageError(command, layout);
      const name = flags.name ?? os.hostname();
      const self = findPeerByHost(cluster, name);
      if (!self)
        usageError(
          command,
          `host '${name}' is not in hostsfile ${hostsfile} (its hosts: ${cluster.peers.map((p) => p.host).join(', ')}); pass --name to choose one`,
        );
      const secretFile = flags.secretFile ?? process.env.PAXOS_SECRET_FILE;
      const secrets = secretFile === undefined ? undefined : loadSecretsOrExit(secretFile);
      await runServe({
        cluster,
        self,
        layout,
        port: flags.port,
        clientPort: flags.clientPort,
        dataDir: flags.dataDir ?? path.join('.data', 'registers', self.host),
        addresses: new Map(flags.peerAddress ?? []),
        ...(secrets ? { secrets } : {}),
        requestTimeoutMs: Math.round(flags.requestTimeout * 1000),
        openStore,
        ...traceOption(flags.trace ?? process.env.PAXOS_TRACE),
      });
    });
  command.showHelpAfterError(usageAfterError(command));
}

/** As `paxos peer`'s: an environment variable too, so a Compose file can ask for traces. */
const traceOption = (file: string | undefined) =>
  file === undefined || file === '' ? {} : { traceFile: file };
