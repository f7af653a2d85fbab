/**
 * A peer's network: one TCP listener for everything addressed to it, and one outbound
 * link per destination. `warm` opens the links a peer will need as it starts, so a
 * decision's first messages find a connection ready; a link to anyone else opens on first
 * use. Inbound bytes are split into frames here; what a frame means is the host's
 * business (it decodes and validates). Answers travel on the answerer's own link, not on
 * the connection the request came in on: one kind of connection, one reconnect policy.
 */
import net from 'node:net';
import type { PeerId } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';
import type { AddressBook } from './addresses';
import type { BackoffPolicy } from './backoff';
import { LineSplitter, MAX_LINE_BYTES } from './frames';
import { Link } from './link';

export interface InboundHandlers {
  /** A complete frame from `remote` (ADDR:PORT). */
  frame(line: string, remote: string): void;
  /** Input that is not a frame: oversized lines, half frames cut off by a closed connection. */
  badInput(problem: string, remote: string): void;
}

export interface TransportOptions {
  cluster: ClusterConfig;
  selfHost: string;
  addresses: AddressBook;
  inbound: InboundHandlers;
  log: (text: string) => void;
  connectBackoff?: BackoffPolicy;
  maxLineBytes?: number;
}

const remoteOf = (socket: net.Socket): string =>
  socket.remoteAddress?.includes(':')
    ? `[${socket.remoteAddress}]:${socket.remotePort}`
    : `${socket.remoteAddress}:${socket.remotePort}`;

export class Transport {
  private readonly server: net.Server;
  private readonly inbound = new Set<net.Socket>();
  private readonly links = new Map<PeerId, Link>();
  private readonly maxLineBytes: number;

  constructor(private readonly options: TransportOptions) {
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
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

  private link(to: PeerId): Link {
    let link = this.links.get(to);
    if (!link) {
      const peer = this.options.cluster.peers.find((p) => p.id === to);
      if (!peer) throw new Error(`no peer ${to} in ${this.options.cluster.source}`);
      link = new Link({
        name: peer.host,
        endpoint: () => this.options.addresses.endpointOf(peer.host),
        log: this.options.log,
        ...(this.options.connectBackoff ? { backoff: this.options.connectBackoff } : {}),
      });
      this.links.set(to, link);
    }
    return link;
  }

  close(): Promise<void> {
    for (const link of this.links.values()) link.close();
    for (const socket of this.inbound) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const remote = remoteOf(socket);
    const splitter = new LineSplitter(this.maxLineBytes);
    this.inbound.add(socket);
    socket.on('data', (chunk: Buffer) => {
      for (const event of splitter.push(chunk)) {
        if (event.kind === 'line') this.options.inbound.frame(event.line, remote);
        else
          this.options.inbound.badInput(
            `line longer than ${this.maxLineBytes} bytes refused (${event.bytes}+ bytes)`,
            remote,
          );
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A peer that dies mid-connection resets it; that is the peer's business, not an error here.
      if (err.code !== 'ECONNRESET') this.options.log(`connection from ${remote}: ${err.message}`);
    });
    socket.on('close', () => {
      this.inbound.delete(socket);
      if (splitter.pending > 0)
        this.options.inbound.badInput(
          `connection closed inside a frame (${splitter.pending} bytes dropped)`,
          remote,
        );
    });
  }
}
