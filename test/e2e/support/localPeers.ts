/**
 * Peers of one hostsfile started one by one, as separate `paxos peer` processes on loopback,
 * for tests that must kill, restart or leave out particular peers (the local cluster
 * command starts them all and stops them itself).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '../../../src/cluster/localCluster';
import type { ClusterConfig } from '../../../src/config/cluster';
import { loadHostsfile } from '../../../src/config/hostsfile';
import { type LogLine, parseLogLine } from './logLines';
import { CLI } from './paths';
import { Watched } from './processes';

export class LocalPeers {
  /** Every process started, restarts included, so that cleanup stops them all. */
  private readonly all: Watched[] = [];
  readonly current = new Map<string, Watched>();

  private constructor(
    readonly hostsfile: string,
    readonly cluster: ClusterConfig,
    private readonly ports: Map<string, number>,
    private readonly dataRoot: string,
  ) {}

  static async create(hostsfile: string): Promise<LocalPeers> {
    const cluster = loadHostsfile(hostsfile);
    const ports = await freePorts(cluster.peers.length);
    const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'paxos-e2e-'));
    return new LocalPeers(
      hostsfile,
      cluster,
      new Map(cluster.peers.map((p, i) => [p.host, ports[i] as number])),
      dataRoot,
    );
  }

  port(host: string): number {
    const port = this.ports.get(host);
    if (port === undefined) throw new Error(`no host ${host}`);
    return port;
  }

  id(host: string): number {
    return this.cluster.peers.find((p) => p.host === host)?.id ?? 0;
  }

  /** Starts (or restarts, keeping its data directory) one peer; `args` go after the peer's own flags. */
  start(host: string, args: readonly string[] = [], env: Record<string, string> = {}): Watched {
    const addresses = [...this.ports].flatMap(([h, p]) => ['--peer-address', `${h}=127.0.0.1:${p}`]);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'peer',
        '-h',
        this.hostsfile,
        '--name',
        host,
        '--port',
        String(this.port(host)),
        '--data-dir',
        path.join(this.dataRoot, host),
        ...addresses,
        // Every peer writes its structured trace, appended across restarts, unless told where.
        ...(args.includes('--trace') ? [] : ['--trace', this.traceFile(host)]),
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
    );
    const watched = new Watched(host, child);
    this.all.push(watched);
    this.current.set(host, watched);
    return watched;
  }

  /** Every stdout line of the host's current process, judged and parsed. */
  lines(host: string): LogLine[] {
    return (this.current.get(host)?.stdout ?? []).map((l, i) =>
      parseLogLine(l, `${host} stdout line ${i + 1}`),
    );
  }

  /** Every stdout line the host printed, over all its processes (restarts) in start order. */
  stdoutOfAll(host: string): string[] {
    return this.all.filter((w) => w.name === host).flatMap((w) => w.stdout);
  }

  traceFile(host: string): string {
    return path.join(this.dataRoot, `${host}.ndjson`);
  }

  /** The structured traces the hosts wrote (for paxos trace). */
  traceFiles(hosts: readonly string[]): string[] {
    return hosts.map((h) => this.traceFile(h)).filter((f) => existsSync(f));
  }

  /** Cheap enough to poll: judging (parsing every line) is for the end of a test. */
  hasChosen(host: string): boolean {
    return (this.current.get(host)?.stdout ?? []).some((l) => l.includes('"action":"chose"'));
  }

  chose(host: string): LogLine[] {
    return this.lines(host).filter((l) => l.action === 'chose');
  }

  /** Waits until the host accepts TCP connections. */
  async listening(host: string, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: this.port(host) });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
      if (ok) return;
      if (Date.now() > end) throw new Error(`${host} is not listening after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.all.map((w) => w.stop('SIGKILL')));
    await rm(this.dataRoot, { recursive: true, force: true });
  }
}
