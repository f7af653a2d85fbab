/**
 * A peer's stable storage: its durable state (src/peer/node.ts `durable`) in one JSON file
 * in the data directory. A save is atomic and durable before it resolves (write a temporary
 * file, fsync it, rename it over the old one, fsync the directory), so after a crash the
 * file holds either the old state or the new one, and never a state older than a reply
 * that has left. The file also records which peer of which cluster wrote it: state kept
 * for another cluster means nothing here and is refused rather than silently mixed in.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ClusterConfig, PeerConfig } from '../config/cluster';
import type { PeerDurable } from '../peer/node';

const FILE = 'state.json';
const TEMP = 'state.json.tmp';
const FORMAT = 1;

export class StorageError extends Error {}

/** Identifies a cluster by what its hostsfile says (hosts and roles), not by the file's path. */
export function clusterFingerprint(cluster: ClusterConfig): string {
  const shape = cluster.peers.map((p) => [p.id, p.host, p.proposer, p.acceptor, p.learner]);
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

interface StoredFile {
  format: number;
  cluster: string;
  peer: { id: number; host: string };
  durable: PeerDurable;
}

const isInt = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `v` is not a PeerDurable for `peer`, or undefined if it is one. */
function durableProblem(v: unknown, peer: PeerConfig): string | undefined {
  if (!isObject(v) || !isObject(v.proposers)) return 'no proposers record';
  for (const k of peer.proposer) {
    const p = v.proposers[k];
    if (p !== undefined && !(isObject(p) && isInt(p.n, 0))) return `bad proposer ${k} state`;
  }
  if (v.acceptor !== undefined) {
    const a = v.acceptor;
    if (
      !isObject(a) ||
      !isInt(a.minProposal, 0) ||
      !isInt(a.acceptedProposal, 0) ||
      !(a.acceptedValue === null || typeof a.acceptedValue === 'string')
    )
      return 'bad acceptor state';
  }
  if (v.learner !== undefined) {
    const l = v.learner;
    if (!isObject(l)) return 'bad learner state';
    const learned = l.learned;
    if (learned !== null && !(isObject(learned) && isInt(learned.n, 1) && typeof learned.value === 'string'))
      return 'bad learner state';
  }
  return undefined;
}

export class DurableStore {
  private constructor(
    readonly dir: string,
    private readonly header: Omit<StoredFile, 'durable'>,
  ) {}

  /**
   * Opens (creating if needed) the data directory of `peer` and reads what it holds:
   * undefined for a fresh directory. Throws StorageError if the file is unreadable or
   * belongs to another peer or cluster.
   */
  static async open(
    dir: string,
    cluster: ClusterConfig,
    peer: PeerConfig,
  ): Promise<{ store: DurableStore; durable: PeerDurable | undefined }> {
    const header = {
      format: FORMAT,
      cluster: clusterFingerprint(cluster),
      peer: { id: peer.id, host: peer.host },
    };
    const store = new DurableStore(dir, header);
    try {
      await mkdir(dir, { recursive: true });
      // A temporary file is an interrupted save; the state file still holds the last complete one.
      await rm(path.join(dir, TEMP), { force: true });
    } catch (err) {
      throw new StorageError(`data dir ${dir}: ${(err as Error).message}`);
    }
    let text: string;
    try {
      text = await readFile(path.join(dir, FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { store, durable: undefined };
      throw new StorageError(`data dir ${dir}: ${(err as Error).message}`);
    }
    const where = path.join(dir, FILE);
    let stored: unknown;
    try {
      stored = JSON.parse(text);
    } catch {
      throw new StorageError(`${where}: not JSON; refusing to start without the promises it held`);
    }
    if (!isObject(stored) || stored.format !== FORMAT) throw new StorageError(`${where}: unknown format`);
    const owner = stored.peer as { id?: unknown; host?: unknown } | undefined;
    if (stored.cluster !== header.cluster || owner?.id !== peer.id || owner?.host !== peer.host)
      throw new StorageError(
        `${where} holds the state of ${String(owner?.host)} in another cluster (or another peer); ` +
          'use a fresh --data-dir or remove the old one',
      );
    const problem = durableProblem(stored.durable, peer);
    if (problem) throw new StorageError(`${where}: ${problem}`);
    return { store, durable: stored.durable as PeerDurable };
  }

  async save(durable: PeerDurable): Promise<void> {
    const file: StoredFile = { ...this.header, durable };
    const temp = path.join(this.dir, TEMP);
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(file)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path.join(this.dir, FILE));
    await syncDirectory(this.dir);
  }
}

/** Makes the rename itself durable. Some platforms cannot open a directory for fsync; there the rename is all we get. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    await handle?.close();
  }
}
