/**
 * The two clusters of `bench:availability`, each member a process in its own network
 * namespace of one lab (test/e2e/support/netns.ts), so that a member can be cut off by
 * taking its link down: three `paxos serve` peers on the three-peer hostsfile, and a
 * three-member etcd (Debian's etcd-server) with its defaults. Both fsync every write.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { NetnsLab } from '../../test/e2e/support/netns';
import type { Watched } from '../../test/e2e/support/processes';
import { etcdMemberArgs } from '../registers/etcd';
import type { LoadSpec } from './figures';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');

export const OUR_HOSTS = ['peer1', 'peer2', 'peer3'];
export const ETCD_HOSTS = ['etcd1', 'etcd2', 'etcd3'];

export interface Cluster {
  service: LoadSpec['service'];
  hosts: readonly string[];
  endpoint(host: string): string;
  hostOf(endpoint: string): string;
  start(host: string): void;
  kill(host: string): Promise<void>;
  stop(): Promise<void>;
}

function cluster(
  lab: NetnsLab,
  service: LoadSpec['service'],
  hosts: readonly string[],
  port: number,
  launch: (host: string) => Watched,
  dataDir: string,
): Cluster {
  const running = new Map<string, Watched>();
  const endpoint = (host: string) => `${lab.addresses.get(host)}:${port}`;
  const kill = async (host: string) => {
    const w = running.get(host);
    running.delete(host);
    await w?.stop('SIGKILL');
  };
  return {
    service,
    hosts,
    endpoint,
    hostOf: (e) => hosts.find((h) => endpoint(h) === e) ?? e,
    start: (host) => void running.set(host, launch(host)),
    kill,
    async stop() {
      await Promise.all(hosts.map(kill));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function ourCluster(lab: NetnsLab, dataDir: string): Cluster {
  const hostsfile = path.join(ROOT, 'hostsfile-registers.txt');
  // BENCH_TRACE_DIR=DIR: each peer's structured trace in DIR (`paxos trace` reads them), to see
  // where a pause's time went; every life of a peer appends to its file.
  const traceDir = process.env.BENCH_TRACE_DIR;
  if (traceDir) mkdirSync(traceDir, { recursive: true });
  const launch = (host: string) => {
    const args = ['serve', '-h', hostsfile, '--name', host, '--data-dir', path.join(dataDir, host)];
    const trace = traceDir ? ['--trace', path.join(traceDir, `${host}.ndjson`)] : [];
    return lab.run(host, process.execPath, [CLI, ...args, ...trace, '--request-timeout', '1'], ROOT);
  };
  return cluster(lab, 'ours', OUR_HOSTS, 8081, launch, dataDir);
}

export function etcdCluster(lab: NetnsLab, dataDir: string): Cluster {
  const ip = (h: string) => lab.addresses.get(h) as string;
  const initial = ETCD_HOSTS.map((h) => `${h}=http://${ip(h)}:2380`).join(',');
  mkdirSync(dataDir, { recursive: true });
  const launch = (host: string) =>
    lab.run(
      host,
      'etcd',
      etcdMemberArgs({
        name: host,
        dataDir: path.join(dataDir, host),
        clientUrl: `http://${ip(host)}:2379`,
        peerUrl: `http://${ip(host)}:2380`,
        initialCluster: initial,
      }),
      ROOT,
    );
  return cluster(lab, 'etcd', ETCD_HOSTS, 2379, launch, dataDir);
}
