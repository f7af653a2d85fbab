/**
 * A fault-injecting TCP proxy for one directed pair of peers: peer A is told that peer B
 * lives at this proxy, and the proxy forwards A's connections to B's real port. Peers
 * speak newline-delimited frames and answer on their own links (src/runtime/transport.ts),
 * so a directed proxy sees every frame A sends B, and only those. Faults happen per frame,
 * drawn from the proxy's own seeded generator in the order frames arrive: cut the
 * connection mid-frame, delay (the connection's later frames wait behind it, as on a slow
 * path), duplicate, reorder (hold one frame until the next has gone). Partitions reset or
 * stall the connection until the heal.
 */
import net from 'node:net';
import type { Prng } from '../sim/prng';
import type { FaultCounts, NetworkFaults, PartitionMode } from './plan';

/** How long a frame held for reordering waits for a successor before it goes alone. */
const REORDER_HOLD_MS = 200;

interface Item {
  bytes: Buffer;
  /** Date.now() before which it must not leave. */
  notBefore: number;
  /** Write half of it, then break the connection. */
  cut?: boolean;
}

class ProxiedConnection {
  private readonly queue: Item[] = [];
  private held: { item: Item; timer: NodeJS.Timeout } | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | undefined;
  private upstreamReady = false;
  private clientEnded = false;
  closed = false;

  constructor(
    private readonly proxy: FaultProxy,
    readonly client: net.Socket,
    private readonly upstream: net.Socket,
  ) {
    client.on('data', (chunk: Buffer) => this.onData(chunk));
    client.on('end', () => {
      this.clientEnded = true;
      // A peer killed mid-write leaves half a frame: it goes on as it is, as the kernel would send it.
      if (this.pending.length > 0) this.queue.push({ bytes: this.pending, notBefore: 0 });
      this.pending = Buffer.alloc(0);
      this.releaseHeld();
      this.pump();
    });
    client.on('error', () => this.destroy());
    client.on('close', () => {
      if (!this.clientEnded) this.destroy();
    });
    upstream.on('connect', () => {
      this.upstreamReady = true;
      this.pump();
    });
    // Peers never answer on this connection; anything that comes back is dropped.
    upstream.on('data', () => {});
    upstream.on('error', () => this.destroy());
    upstream.on('close', () => this.destroy());
  }

  private onData(chunk: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      const nl = data.indexOf(0x0a);
      if (nl === -1) break;
      this.route(Buffer.from(data.subarray(0, nl + 1)));
      data = data.subarray(nl + 1);
    }
    this.pending = Buffer.from(data);
    this.pump();
  }

  private route(bytes: Buffer): void {
    const faults = this.proxy.faults;
    const r = this.proxy.random;
    const counts = this.proxy.counts;
    const item: Item = { bytes, notBefore: 0 };
    if (faults) {
      // One draw per kind and frame, always all four, so that a link's draws line up by frame.
      const [cut, delay, dup, reorder, amount] = [r.next(), r.next(), r.next(), r.next(), r.next()];
      if (cut < faults.cut && bytes.length > 1) {
        counts.cut += 1;
        item.cut = true;
        this.releaseHeld();
        this.queue.push(item);
        return;
      }
      if (delay < faults.delay) {
        counts.delay += 1;
        const [lo, hi] = faults.delayMs;
        item.notBefore = Date.now() + lo + Math.round(amount * (hi - lo));
      }
      if (reorder < faults.reorder && !this.held) {
        counts.reorder += 1;
        this.held = { item, timer: setTimeout(() => this.releaseHeld(), REORDER_HOLD_MS) };
        return;
      }
      this.queue.push(item);
      if (dup < faults.duplicate) {
        counts.duplicate += 1;
        this.queue.push({ bytes, notBefore: item.notBefore });
      }
      this.releaseHeld();
      return;
    }
    this.queue.push(item);
    this.releaseHeld();
  }

  /** The held frame goes after whatever was queued since it arrived. */
  private releaseHeld(): void {
    if (!this.held) return;
    clearTimeout(this.held.timer);
    this.queue.push(this.held.item);
    this.held = undefined;
    this.pump();
  }

  pump(): void {
    if (this.closed || !this.upstreamReady || this.proxy.stalled) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.queue.length > 0) {
      const head = this.queue[0] as Item;
      const wait = head.notBefore - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.queue.shift();
      if (head.cut) {
        this.upstream.write(head.bytes.subarray(0, Math.floor(head.bytes.length / 2)), () => this.destroy());
        this.closed = true;
        return;
      }
      this.upstream.write(head.bytes);
    }
    if (this.clientEnded && !this.held) {
      this.closed = true;
      this.upstream.end();
    }
  }

  destroy(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.held) clearTimeout(this.held.timer);
    this.held = undefined;
    this.client.destroy();
    this.upstream.destroy();
    this.proxy.forget(this);
  }
}

export interface FaultProxyOptions {
  /** For diagnostics: `peer1->peer3`. */
  name: string;
  /** The real port of the destination peer. */
  targetPort: number;
  random: Prng;
  /** Shared with the run: every fault injected is counted here. */
  counts: FaultCounts;
}

export class FaultProxy {
  private readonly server: net.Server;
  private readonly connections = new Set<ProxiedConnection>();
  /** Per-frame faults, while the fault phase lasts. */
  faults: NetworkFaults | undefined;
  /** Partitions in force (they may overlap); the latest decides how this direction is cut. */
  private partitions: { mode: PartitionMode }[] = [];
  readonly random: Prng;
  readonly counts: FaultCounts;

  constructor(private readonly options: FaultProxyOptions) {
    this.random = options.random;
    this.counts = options.counts;
    this.server = net.createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  get name(): string {
    return this.options.name;
  }

  private get partition(): PartitionMode | undefined {
    return this.partitions.at(-1)?.mode;
  }

  get stalled(): boolean {
    return this.partition === 'stall';
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }

  /** Cuts this direction off; returns the heal of this partition. */
  cut(mode: PartitionMode): () => void {
    const entry = { mode };
    this.partitions.push(entry);
    if (mode === 'refuse') for (const c of [...this.connections]) c.destroy();
    return () => {
      this.partitions = this.partitions.filter((p) => p !== entry);
      this.release();
    };
  }

  healAll(): void {
    this.partitions = [];
    this.release();
  }

  private release(): void {
    if (this.partition === 'refuse') for (const c of [...this.connections]) c.destroy();
    else for (const c of [...this.connections]) c.pump();
  }

  forget(c: ProxiedConnection): void {
    this.connections.delete(c);
  }

  private accept(client: net.Socket): void {
    // A proxy whose target is itself would multiply connections without end.
    if (
      this.partition === 'refuse' ||
      this.options.targetPort === (this.server.address() as net.AddressInfo).port
    ) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = net.connect({ host: '127.0.0.1', port: this.options.targetPort });
    upstream.setNoDelay(true);
    const c = new ProxiedConnection(this, client, upstream);
    this.connections.add(c);
    client.resume();
  }

  close(): Promise<void> {
    for (const c of [...this.connections]) c.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
