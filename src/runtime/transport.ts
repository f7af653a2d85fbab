/**
 * A peer's network: one TCP listener for everything addressed to it, and one outbound
 * link per destination. `warm` opens the links a peer will need as it starts, so a
 * decision's first messages find a connection ready; a link to anyone else opens on first
 * use. Inbound bytes are split into frames here, and with a secret each frame is
 * authenticated before it goes further (src/runtime/auth.ts); what a frame means is the
 * host's business (it decodes and validates). Answers travel on the answerer's own link,
 * not on the connection the request came in on: one kind of connection, one reconnect policy.
 *
 * What a stranger can cost is bounded: connections per remote address and in all (at the
 * bound, the oldest connection that has not yet delivered a valid frame makes room, so a
 * flood cannot push out the peers that talk), a partial line held more than a few seconds
 * (a slow sender) or a connection idle for long is closed, no line over 64 KiB is held.
 */
import net from 'node:net';
import type { PeerId } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';
import type { AddressBook } from './addresses';
import { challengeLine, FrameVerifier, looksSigned, newChallenge } from './auth';
import type { BackoffPolicy } from './backoff';
import { helloFrame, LineSplitter, MAX_LINE_BYTES, parseHello } from './frames';
import { Link } from './link';
import { CancellableLookup } from './lookup';
import { RateLimitedLog } from './reports';

interface InboundHandlers {
  /** A complete (and, with a secret, authenticated) frame from `remote`; returns the sender of a valid message. */
  frame(line: string, remote: string): PeerId | undefined;
  /** Input that is not a frame: oversized lines, half frames cut off by a closed connection. */
  badInput(problem: string, remote: string): void;
}

export interface TransportLimits {
  connectionsPerRemote: number;
  connections: number;
  /** A partial line may wait this long for its end. */
  partialLineMs: number;
  /** A connection with no bytes for this long is closed. */
  idleMs: number;
  /** Frames waiting per destination; past it the oldest are dropped (Paxos tolerates loss). */
  queuedFrames: number;
}

export const DEFAULT_LIMITS: TransportLimits = {
  connectionsPerRemote: 32,
  connections: 256,
  partialLineMs: 5000,
  idleMs: 10 * 60_000,
  queuedFrames: 4096,
};

export interface TransportOptions {
  cluster: ClusterConfig;
  selfHost: string;
  addresses: AddressBook;
  inbound: InboundHandlers;
  log: (text: string) => void;
  connectBackoff?: BackoffPolicy;
  maxLineBytes?: number;
  /** With secrets, frames are authenticated both ways; the first is used to send. */
  secrets?: readonly Buffer[];
  limits?: Partial<TransportLimits>;
}

const remoteOf = (socket: net.Socket): string =>
  socket.remoteAddress?.includes(':')
    ? `[${socket.remoteAddress}]:${socket.remotePort}`
    : `${socket.remoteAddress}:${socket.remotePort}`;

interface Inbound {
  socket: net.Socket;
  address: string;
  opened: number;
  /** Delivered a valid frame: a peer, not a stranger. */
  proven: boolean;
}

export class Transport {
  private readonly server: net.Server;
  private readonly inbound = new Map<net.Socket, Inbound>();
  private readonly links = new Map<PeerId, Link>();
  private readonly maxLineBytes: number;
  private readonly limits: TransportLimits;
  private readonly selfId: PeerId;
  /** Lookups of peers' names, cancelled at close so that none holds the process's exit. */
  private readonly names = new CancellableLookup();
  readonly reports: RateLimitedLog;

  constructor(private readonly options: TransportOptions) {
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.reports = new RateLimitedLog(options.log);
    const self = options.cluster.peers.find((p) => p.host === options.selfHost);
    if (!self) throw new Error(`no peer ${options.selfHost} in ${options.cluster.source}`);
    this.selfId = self.id;
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Binds the listener; resolves with the bound address, rejects if the port is taken. */
  listen(): Promise<net.AddressInfo> {
    const { host, port } = this.options.addresses.listenOn(this.options.selfHost);
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.options.log(`listener error: ${err.message}`));
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  send(to: PeerId, frame: string): void {
    this.link(to).send(frame);
  }

  /** Connects now to each of `peers` (and keeps reconnecting), before anything is sent. */
  warm(peers: readonly PeerId[]): void {
    for (const p of peers) this.link(p).keepConnected();
  }

  /** The peers an outbound connection is up to now. */
  reachable(): PeerId[] {
    return [...this.links].filter(([, link]) => link.isUp).map(([id]) => id);
  }

  /** Inbound connections open now (for tests of the bounds). */
  get inboundCount(): number {
    return this.inbound.size;
  }

  private link(to: PeerId): Link {
    let link = this.links.get(to);
    if (!link) {
      const peer = this.options.cluster.peers.find((p) => p.id === to);
      if (!peer) throw new Error(`no peer ${to} in ${this.options.cluster.source}`);
      const secret = this.options.secrets?.[0];
      link = new Link({
        name: peer.host,
        endpoint: () => this.options.addresses.endpointOf(peer.host),
        log: this.options.log,
        hello: helloFrame(this.selfId),
        lookup: this.names.lookup,
        reports: this.reports,
        maxQueued: this.limits.queuedFrames,
        ...(secret ? { sign: { secret, to } } : {}),
        ...(this.options.connectBackoff ? { backoff: this.options.connectBackoff } : {}),
      });
      this.links.set(to, link);
    }
    return link;
  }

  close(): Promise<void> {
    this.names.cancel();
    for (const link of this.links.values()) link.close();
    for (const socket of this.inbound.keys()) socket.destroy();
    this.reports.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A peer spoke on `conn`, so it is up: a link to it waiting out a reconnect backoff need not wait longer. */
  private heardFrom(conn: Inbound, peer: PeerId): void {
    if (peer === this.selfId || !this.options.cluster.peers.some((p) => p.id === peer)) return;
    conn.proven = true;
    this.links.get(peer)?.peerIsUp();
  }

  /** At a bound: close the oldest connection that never delivered a valid frame, if any. */
  private makeRoom(among: Inbound[]): boolean {
    const victim = among.filter((c) => !c.proven).sort((a, b) => a.opened - b.opened)[0];
    if (!victim) return false;
    this.reports.report(
      'connections closed to make room',
      `connection from ${remoteOf(victim.socket)} closed to make room: it delivered no valid frame, and the bound of connections is reached`,
    );
    victim.socket.destroy();
    this.inbound.delete(victim.socket);
    return true;
  }

  private admit(socket: net.Socket, remote: string): boolean {
    const address = socket.remoteAddress ?? '';
    const all = [...this.inbound.values()];
    const same = all.filter((c) => c.address === address);
    const roomForRemote = same.length < this.limits.connectionsPerRemote || this.makeRoom(same);
    const roomInAll = roomForRemote && (all.length < this.limits.connections || this.makeRoom(all));
    if (roomForRemote && roomInAll) return true;
    this.reports.report(
      'connections refused',
      `connection from ${remote} refused: ${roomForRemote ? `${this.limits.connections} connections open` : `${this.limits.connectionsPerRemote} connections open from ${address}`}, all delivering frames`,
    );
    socket.destroy();
    return false;
  }

  private accept(socket: net.Socket): void {
    const remote = remoteOf(socket);
    if (!this.admit(socket, remote)) return;
    const conn: Inbound = { socket, address: socket.remoteAddress ?? '', opened: Date.now(), proven: false };
    this.inbound.set(socket, conn);
    const splitter = new LineSplitter(this.maxLineBytes);
    const secrets = this.options.secrets;
    let verifier: FrameVerifier | undefined;
    if (secrets && secrets.length > 0) {
      const challenge = newChallenge();
      verifier = new FrameVerifier(secrets, challenge, this.selfId);
      socket.write(challengeLine(challenge));
    }
    socket.setTimeout(this.limits.idleMs, () => socket.destroy());
    let partialSince: NodeJS.Timeout | undefined;
    socket.on('data', (chunk: Buffer) => {
      for (const event of splitter.push(chunk)) {
        if (socket.destroyed) return;
        if (event.kind === 'oversized') {
          this.options.inbound.badInput(
            `line longer than ${this.maxLineBytes} bytes refused (${event.bytes}+ bytes)`,
            remote,
          );
          continue;
        }
        let line = event.line;
        if (verifier) {
          const v = verifier.verify(line);
          if (!v.ok) {
            // Nothing of it reaches the machines, and the connection, now suspect, is dropped.
            this.reports.report(
              'frames refused',
              `frame from ${remote} refused and connection closed: ${v.problem}`,
            );
            socket.destroy();
            return;
          }
          line = v.frame;
        } else if (looksSigned(line)) {
          this.reports.report(
            'authenticated frames without a secret',
            `frame from ${remote} carries authentication, but this peer has no --secret-file: give every peer the same one`,
          );
          continue;
        }
        const hello = parseHello(line);
        if (hello !== undefined) {
          this.heardFrom(conn, hello);
          continue;
        }
        const from = this.options.inbound.frame(line, remote);
        if (from !== undefined) this.heardFrom(conn, from);
      }
      // A line that never ends holds a buffer: a slow sender gets a few seconds, not forever.
      if (splitter.pending > 0 && !partialSince)
        partialSince = setTimeout(() => {
          this.reports.report(
            'slow senders',
            `connection from ${remote} closed: a partial line unfinished for ${this.limits.partialLineMs} ms`,
          );
          socket.destroy();
        }, this.limits.partialLineMs);
      else if (splitter.pending === 0 && partialSince) {
        clearTimeout(partialSince);
        partialSince = undefined;
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A peer that dies mid-connection resets it; that is the peer's business, not an error here.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE')
        this.options.log(`connection from ${remote}: ${err.message}`);
    });
    socket.on('close', () => {
      if (partialSince) clearTimeout(partialSince);
      this.inbound.delete(socket);
      if (splitter.pending > 0)
        this.options.inbound.badInput(
          `connection closed inside a frame (${splitter.pending} bytes dropped)`,
          remote,
        );
    });
  }
}
