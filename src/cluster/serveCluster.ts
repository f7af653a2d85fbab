/**
 * `paxos cluster --serve`: every peer of a hostsfile as a `paxos serve` process on this
 * machine, over loopback, until Ctrl-C. Prints the client endpoints once every serving
 * peer listens; each peer's diagnostics come out as `peerN | ...` on stderr.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ClusterConfig, PeerConfig } from '../config/cluster';
import { formatAddressOverride } from '../runtime/addresses';
import { freePorts, freshTraceFiles, ownSecret, stopChildren } from './localCluster';

export interface ServeClusterOptions {
  hostsfile: string;
  cluster: ClusterConfig;
  /** Where the peers keep their registers (kept); a fresh temporary directory (removed) without. */
  dataDir?: string;
  secretFile?: string;
  /** Each peer traces to DIR/<host>.ndjson (paxos serve --trace), replacing an earlier run's. */
  traceDir?: string;
  paxos: { command: string; args: readonly string[] };
  out: (line: string) => void;
  err: (line: string) => void;
}

interface Places {
  port: number;
  clientPort: number;
  dataRoot: string;
  addressArgs: readonly string[];
  secretFile: string;
}

function serveArgs(options: ServeClusterOptions, peer: PeerConfig, at: Places): string[] {
  return [
    ...options.paxos.args,
    'serve',
    '-h',
    options.hostsfile,
    '--name',
    peer.host,
    '--port',
    String(at.port),
    '--client-port',
    String(at.clientPort),
    '--data-dir',
    path.join(at.dataRoot, peer.host),
    ...at.addressArgs,
    '--secret-file',
    at.secretFile,
    ...(options.traceDir === undefined
      ? []
      : ['--trace', path.join(options.traceDir, `${peer.host}.ndjson`)]),
  ];
}

/** Resolves with the exit status once interrupted (0) or once a peer exits on its own (1). */
export async function runServeCluster(options: ServeClusterOptions): Promise<number> {
  const { cluster } = options;
  const n = cluster.peers.length;
  const ports = await freePorts(2 * n);
  const addressArgs = cluster.peers.flatMap((p, i) => [
    '--peer-address',
    formatAddressOverride(p.host, { host: '127.0.0.1', port: ports[i] as number }),
  ]);
  const dataRoot = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'paxos-serve-')));
  await mkdir(dataRoot, { recursive: true });
  const secretFile = options.secretFile ?? (await ownSecret(dataRoot));
  if (options.traceDir !== undefined) await freshTraceFiles(options.traceDir, cluster, options.err);
  const children = new Map<string, ChildProcess>();
  const exited = new Map<string, Promise<void>>();
  let stopping = false;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const serving = cluster.peers.filter((p) => p.proposer.length > 0);
  const endpoints = serving.map((p) => `127.0.0.1:${ports[n + cluster.peers.indexOf(p)]}`);
  let listening = 0;
  const onLine = (peer: PeerConfig, line: string) => {
    if (!stopping) options.err(`${peer.host} | ${line}`);
    if (!line.includes('serves clients on') || ++listening < serving.length) return;
    options.out(`endpoints: ${endpoints.join(',')}`);
    options.out(`try: paxos kv put greeting hello --endpoints ${endpoints.join(',')}`);
  };
  cluster.peers.forEach((peer, i) => {
    const at = {
      port: ports[i] as number,
      clientPort: ports[n + i] as number,
      dataRoot,
      addressArgs,
      secretFile,
    };
    const child = spawn(options.paxos.command, serveArgs(options, peer, at), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.set(peer.host, child);
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (l) => onLine(peer, l));
    exited.set(
      peer.host,
      new Promise((resolve) =>
        child.on('exit', (code, signal) => {
          if (!stopping) options.err(`${peer.host} exited (${signal ?? `code ${code}`})`);
          finish(1);
          resolve();
        }),
      ),
    );
  });
  const interrupt = () => finish(0);
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const code = await done;
  stopping = true;
  await stopChildren(children, exited);
  if (options.dataDir === undefined) await rm(dataRoot, { recursive: true, force: true });
  return code;
}
