/**
 * A peer restarted on state it kept (`docker compose up` a second time without `down`):
 * a decided peer says so and keeps answering; state of another cluster is refused, exit 2.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePorts } from '../../src/cluster/localCluster';
import { loadHostsfile } from '../../src/config/hostsfile';
import { DurableStore } from '../../src/runtime/storage';
import { CLI, repoFile, requireBuiltCli } from './support/paths';
import { run, Watched } from './support/processes';

const dirs: string[] = [];
const processes: Watched[] = [];
beforeAll(requireBuiltCli);
afterAll(async () => {
  for (const p of processes.splice(0)) await p.stop('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const dataDirWith = (testcase: 1 | 2, host: string, learned: { n: number; value: string } | null) => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'paxos-restart-')), host);
  dirs.push(path.dirname(dir));
  const cluster = loadHostsfile(repoFile(`hostsfile-testcase${testcase}.txt`));
  const peer = cluster.peers.find((p) => p.host === host);
  if (!peer) throw new Error(host);
  const { store } = DurableStore.open(dir, cluster, peer);
  store.save({
    proposers: {},
    acceptor: { minProposal: 1, acceptedProposal: 1, acceptedValue: 'X' },
    learner: { learned },
  });
  store.close();
  return dir;
};

describe('a peer restarted on the state it kept', () => {
  test('on a decided state it says so on stderr, prints no second chose, and keeps answering', async () => {
    const dataDir = dataDirWith(1, 'peer2', { n: 1, value: 'X' });
    const [port] = (await freePorts(1)) as [number];
    const peer = new Watched(
      'peer2',
      spawn(
        process.execPath,
        [
          CLI,
          'peer',
          '-h',
          repoFile('hostsfile-testcase1.txt'),
          '--name',
          'peer2',
          '--port',
          String(port),
          '--data-dir',
          dataDir,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    processes.push(peer);
    await peer.waitFor(() => peer.stderr.some((l) => l.includes('already decided')), 5000, 'the notice');
    expect(peer.stderr).toContain(
      `already decided X at proposal 1 (state in ${dataDir}); remove it or use a fresh --data-dir for a new run`,
    );
    expect(peer.running).toBe(true);
    expect(peer.stdout).toEqual([]);
  });

  test("another cluster's state is refused with exit 2 and the same advice", async () => {
    const dataDir = dataDirWith(2, 'peer2', null);
    const [port] = (await freePorts(1)) as [number];
    const r = await run(process.execPath, [
      CLI,
      'peer',
      '-h',
      repoFile('hostsfile-testcase1.txt'),
      '--name',
      'peer2',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/another cluster.*remove it or use a fresh --data-dir for a new run/);
  });
});
