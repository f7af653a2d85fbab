/**
 * The register service's peers started one by one as real `paxos serve` processes from
 * dist/cli.js on loopback, for tests that kill and restart particular peers. Each peer keeps
 * its data directory across restarts; cleanup kills every process ever started.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '../../../src/cluster/localCluster';
import { loadHostsfile } from '../../../src/config/hostsfile';
import { CLI } from '../../e2e/support/paths';
import { Watched } from '../../e2e/support/processes';

export class ServicePeers {
  private readonly all: Watched[] = [];
  readonly current = new Map<string, Watched>();

  private constructor(
    readonly hostsfile: string,
    readonly hosts: string[],
    private readonly ports: Map<string, { peer: number; client: number }>,
    readonly dataRoot: string,
  ) {}

  static async create(hostsfile: string): Promise<ServicePeers> {
    const hosts = loadHostsfile(hostsfile).peers.map((p) => p.host);
    const ports = await freePorts(2 * hosts.length);
    const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'paxos-serve-e2e-'));
    const byHost = new Map(
      hosts.map((h, i) => [h, { peer: ports[i] as number, client: ports[hosts.length + i] as number }]),
    );
    return new ServicePeers(hostsfile, hosts, byHost, dataRoot);
  }

  endpoint(host: string): string {
    return `127.0.0.1:${this.ports.get(host)?.client}`;
  }

  get endpoints(): string[] {
    return this.hosts.map((h) => this.endpoint(h));
  }

  /** Starts (or restarts on its data directory) one peer; resolves once it serves clients. */
  async start(
    host: string,
    args: readonly string[] = [],
    env: Record<string, string> = {},
  ): Promise<Watched> {
    const addresses = [...this.ports].flatMap(([h, p]) => ['--peer-address', `${h}=127.0.0.1:${p.peer}`]);
    const own = this.ports.get(host);
    if (!own) throw new Error(`no host ${host}`);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'serve',
        '-h',
        this.hostsfile,
        '--name',
        host,
        '--port',
        String(own.peer),
        '--client-port',
        String(own.client),
        '--data-dir',
        path.join(this.dataRoot, host),
        ...addresses,
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
    );
    const watched = new Watched(host, child);
    this.all.push(watched);
    this.current.set(host, watched);
    await watched.waitFor(
      () => watched.stderr.some((l) => l.includes('serves clients on')),
      10_000,
      'serving',
    );
    return watched;
  }

  async startAll(args: readonly string[] = [], env: Record<string, string> = {}): Promise<void> {
    await Promise.all(this.hosts.map((h) => this.start(h, args, env)));
  }

  /** kill -9: no chance to finish a write or close a connection. */
  async kill(host: string): Promise<void> {
    await this.current.get(host)?.stop('SIGKILL');
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.all.map((w) => w.stop('SIGKILL')));
    await rm(this.dataRoot, { recursive: true, force: true });
  }
}
