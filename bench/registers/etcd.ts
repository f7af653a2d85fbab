/**
 * A three-member etcd cluster on this machine (Debian's etcd-server), with its defaults:
 * every write fsynced to its WAL, reads linearizable (range without `serializable`).
 * Driven through its JSON gateway, as any HTTP client would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '../../src/cluster/localCluster';
import { request } from './http';
import type { Target } from './target';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : null);

interface Kv {
  value?: string;
  version?: string;
}

const stateOf = (kvs: unknown): { value: string | null; version: number } => {
  const kv = (Array.isArray(kvs) ? kvs[0] : undefined) as Kv | undefined;
  return kv
    ? { value: unb64(kv.value ?? ''), version: Number(kv.version ?? 0) }
    : { value: null, version: 0 };
};

/** A member of a new cluster: its name, data directory, client and peer URLs, and the whole cluster's `name=peerURL,...`. */
export function etcdMemberArgs(m: {
  name: string;
  dataDir: string;
  clientUrl: string;
  peerUrl: string;
  initialCluster: string;
}): string[] {
  return [
    ...['--name', m.name, '--data-dir', m.dataDir],
    ...['--listen-client-urls', m.clientUrl, '--advertise-client-urls', m.clientUrl],
    ...['--listen-peer-urls', m.peerUrl, '--initial-advertise-peer-urls', m.peerUrl],
    ...['--initial-cluster', m.initialCluster, '--initial-cluster-state', 'new'],
    // Apart from any other cluster on the machine (the same ports may have served one).
    ...['--initial-cluster-token', `bench-${process.pid}`],
    ...['--log-level', 'error'],
  ];
}

async function healthy(endpoints: readonly string[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await Promise.all(
      endpoints.map((e) =>
        request(e, 'GET', '/health').then(
          (a) => a.body.health === 'true',
          () => false,
        ),
      ),
    );
    if (ok.every(Boolean)) return;
    if (Date.now() > until) throw new Error('etcd did not become healthy');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });
}

export async function startEtcd(): Promise<Target & { children: ChildProcess[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-etcd-'));
  const ports = await freePorts(6);
  const names = ['e1', 'e2', 'e3'];
  const initial = names.map((n, i) => `${n}=http://127.0.0.1:${ports[3 + i]}`).join(',');
  const children = names.map((n, i) =>
    spawn(
      'etcd',
      etcdMemberArgs({
        name: n,
        dataDir: path.join(dir, n),
        clientUrl: `http://127.0.0.1:${ports[i]}`,
        peerUrl: `http://127.0.0.1:${ports[3 + i]}`,
        initialCluster: initial,
      }),
      { stdio: 'ignore' },
    ),
  );
  const endpoints = ports.slice(0, 3).map((p) => `127.0.0.1:${p}`);
  await healthy(endpoints, 20_000);
  return {
    name: 'etcd',
    endpoints,
    pids: children.map((c) => c.pid as number),
    children,
    async put(e, key, value) {
      return (await request(e, 'POST', '/v3/kv/put', { key: b64(key), value: b64(value) })).status === 200;
    },
    async get(e, key) {
      const a = await request(e, 'POST', '/v3/kv/range', { key: b64(key) });
      return a.status === 200 ? stateOf(a.body.kvs) : null;
    },
    async putIfVersion(e, key, value, version) {
      const a = await request(e, 'POST', '/v3/kv/txn', {
        compare: [{ key: b64(key), target: 'VERSION', result: 'EQUAL', version: String(version) }],
        success: [{ request_put: { key: b64(key), value: b64(value) } }],
        failure: [{ request_range: { key: b64(key) } }],
      });
      if (a.status !== 200) return { outcome: 'error' };
      if (a.body.succeeded === true) return { outcome: 'ok' };
      const responses = a.body.responses as { response_range?: { kvs?: unknown } }[] | undefined;
      return { outcome: 'mismatch', current: stateOf(responses?.[0]?.response_range?.kvs) };
    },
    async stop() {
      await Promise.all(children.map(stopChild));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
