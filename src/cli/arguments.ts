/** Argument parsers shared by the subcommands; a bad value names the flag through commander. */
import { type Command, InvalidArgumentError } from 'commander';
import type { ClusterConfig, PeerConfig } from '../config/cluster';
import { ConfigError, findPeerByHost, loadHostsfile } from '../config/hostsfile';
import { type Endpoint, parseAddressOverride } from '../runtime/addresses';
import { loadSecrets, SecretError } from '../runtime/auth';

export function parseValue(text: string): string {
  if (text === '') throw new InvalidArgumentError('a value must not be empty.');
  if (/[\r\n]/.test(text)) throw new InvalidArgumentError('a value must not contain a newline.');
  return text;
}

export function parseSeconds(text: string): number {
  const s = Number(text);
  if (text.trim() === '' || !Number.isFinite(s) || s < 0)
    throw new InvalidArgumentError('expected a number of seconds >= 0 (fractions allowed).');
  return s;
}

export function parsePositiveSeconds(text: string): number {
  const s = parseSeconds(text);
  if (s === 0) throw new InvalidArgumentError('expected a number of seconds > 0.');
  return s;
}

export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535)
    throw new InvalidArgumentError('expected a port, 1 to 65535.');
  return n;
}

/** A whole number of at least `min` (and at most `max`), for every integer flag: counts, bounds, seeds. */
export const parseInteger =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (text: string): number => {
    const n = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `expected an integer${max === Number.MAX_SAFE_INTEGER ? ` >= ${min}` : `, ${min} to ${max}`}.`,
      );
    return n;
  };

export function parseAddress(text: string): [string, Endpoint] {
  try {
    return parseAddressOverride(text);
  } catch (err) {
    throw new InvalidArgumentError(`${(err as Error).message}.`);
  }
}

/** For repeatable options: each occurrence, parsed, in order. */
export const collect =
  <T>(parse: (text: string) => T) =>
  (text: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(text)];

/** Loads the hostsfile or exits 2 with the parser's `file:line: problem`. */
export function loadClusterOrExit(file: string, allowUnsafeQuorums: boolean): ClusterConfig {
  try {
    return loadHostsfile(file, { allowUnsafeQuorums });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(2);
  }
}

/** A one-line error naming what is wrong, then the usage, exit 2 (as commander does for bad flags). */
export function usageError(command: Command, message: string): never {
  command.error(`error: ${message}`, { exitCode: 2, code: 'paxos.usage' });
}

/** What a wrong flag prints after its one-line error: the usage, not the whole help. */
export const usageAfterError = (command: Command): string =>
  `usage: ${command.parent?.name() ?? 'paxos'} ${command.name()} ${command.usage()}\n(run with --help for details)`;

/** `NAME=VALUE` options (`--value peer1=X`, `--delay peer5=1`): the name, and the value parsed. */
export const parseNamed =
  <T>(what: string, parse: (text: string) => T) =>
  (text: string): [string, T] => {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`expected NAME=${what}.`);
    return [text.slice(0, eq), parse(text.slice(eq + 1))];
  };

/** The required `-h`: checked in the action, so that an unknown flag is reported before a missing -h. */
export function requireHostsfile(command: Command, hostsfile: string | undefined): string {
  if (hostsfile === undefined) usageError(command, "required option '-h, --hostsfile <file>' not specified");
  return hostsfile;
}

/**
 * The host a `NAME=...` option names, matched as hostnames are (case-insensitively), or a
 * usage error naming the flag and the hosts there are. With `proposer`, it must hold one.
 */
export function resolveHost(
  command: Command,
  cluster: ClusterConfig,
  flag: string,
  name: string,
  options: { proposer?: boolean } = {},
): PeerConfig {
  const peer = findPeerByHost(cluster, name);
  if (!peer)
    usageError(
      command,
      `${flag}: host '${name}' is not in hostsfile ${cluster.source} (its hosts: ${cluster.peers.map((p) => p.host).join(', ')})`,
    );
  if (options.proposer && peer.proposer.length === 0)
    usageError(command, `${flag}: '${peer.host}' is not a proposer of ${cluster.source}`);
  return peer;
}

/** The shared secrets of `--secret-file`, or exit 2 naming the file (and line) and the problem. */
export function loadSecretsOrExit(file: string): Buffer[] {
  try {
    return loadSecrets(file);
  } catch (err) {
    if (!(err instanceof SecretError)) throw err;
    process.stderr.write(`error: --secret-file ${err.message}\n`);
    process.exit(2);
  }
}
