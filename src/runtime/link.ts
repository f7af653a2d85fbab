/**
 * One outbound connection to one peer, with its own send queue. Frames sent while the peer
 * is not reachable wait in the queue and leave once a connection is up; peers therefore
 * start in any order. A refused or broken connection is retried with randomised
 * exponential backoff for as long as frames are waiting.
 *
 * TCP gives no receipt: frames written shortly before a connection broke may never have
 * been read (the peer died after the kernel took them). Those written in the last
 * `resendWindowMs` are sent again on the next connection; Paxos is indifferent to
 * duplicates, not to losses that no timer repairs (after a decision none runs).
 */
import net, { type LookupFunction } from 'node:net';
import type { PeerId } from '../../machines/messages';
import type { Endpoint } from './addresses';
import { FrameSigner, parseChallenge } from './auth';
import { type BackoffPolicy, backoffDelay, CONNECT_BACKOFF, type Random } from './backoff';
import { LineSplitter } from './frames';
import type { RateLimitedLog } from './reports';

export interface LinkOptions {
  /** For diagnostics: `peer2`. */
  name: string;
  /** Looked up at every attempt (the address book may resolve names late, as Docker's DNS does). */
  endpoint: () => Endpoint;
  log: (text: string) => void;
  backoff?: BackoffPolicy;
  resendWindowMs?: number;
  /** Failed attempts tolerated in silence: peers that start together need a few. */
  quietAttempts?: number;
  random?: Random;
  /** Authenticate frames: wait for the receiver's challenge, then sign every frame for `to`. */
  sign?: { secret: Buffer; to: PeerId };
  /** How names are resolved (a lookup the transport can cancel at shutdown); Node's default without. */
  lookup?: LookupFunction;
  /** Written first on every connection, before what waited (see frames.ts, helloFrame). */
  hello?: string;
  /** Frames kept waiting at most; past it the oldest go (reported through `reports`). */
  maxQueued?: number;
  reports?: RateLimitedLog;
}

/** How long a connection may go without the receiver's challenge before we say why it might be. */
const CHALLENGE_WAIT_MS = 3000;

interface Written {
  at: number;
  frame: string;
}

export class Link {
  private queue: string[] = [];
  private recent: Written[] = [];
  private socket: net.Socket | undefined;
  private connected = false;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private lastError = '';
  private closed = false;
  /** Reconnect even with nothing to send: a warm link for a peer that will be needed. */
  private persistent = false;
  private readonly backoff: BackoffPolicy;
  private readonly resendWindowMs: number;
  private readonly quietAttempts: number;
  private readonly random: Random;
  private signer: FrameSigner | undefined;
  private warned = false;
  /** The peer was heard from while a connect attempt was under way (see peerIsUp). */
  private heardUp = false;

  constructor(private readonly options: LinkOptions) {
    this.backoff = options.backoff ?? CONNECT_BACKOFF;
    this.resendWindowMs = options.resendWindowMs ?? 1000;
    this.quietAttempts = options.quietAttempts ?? 5;
    this.random = options.random ?? Math.random;
  }

  /** A connection is up now (what a register peer's health reports). */
  get isUp(): boolean {
    return this.connected;
  }

  send(frame: string): void {
    if (this.closed) return;
    if (this.connected && this.socket) this.write(this.socket, frame);
    else {
      this.queue.push(frame);
      const max = this.options.maxQueued ?? Number.POSITIVE_INFINITY;
      if (this.queue.length > max) {
        const dropped = this.queue.length - max;
        this.queue.splice(0, dropped);
        const text = `${this.options.name} unreachable: oldest ${dropped} queued frame(s) dropped (at most ${max} wait)`;
        if (this.options.reports)
          this.options.reports.report(`frames dropped for ${this.options.name}`, text);
        else this.options.log(text);
      }
      this.ensureConnecting();
    }
  }

  /** Connects now and reconnects whenever the connection breaks, queue or not. */
  keepConnected(): void {
    this.persistent = true;
    this.ensureConnecting();
  }

  /**
   * The peer was heard from, so it is up: a reconnect waiting out its backoff (the peer was
   * not yet listening when we last tried) connects now. Without this, an answer to the
   * peer's first message could wait up to a whole backoff step for nothing.
   */
  peerIsUp(): void {
    if (this.closed || this.connected) return;
    // An attempt under way may have been refused before the peer listened: if it fails, retry at once.
    if (this.socket) {
      this.heardUp = true;
      return;
    }
    if (!this.retry) return;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.attempt = 0;
    this.connect();
  }

  /** Frames not yet handed to a connection. */
  get waiting(): number {
    return this.queue.length;
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    this.queue = [];
    this.recent = [];
  }

  private ensureConnecting(): void {
    if (this.socket || this.retry || this.closed) return;
    this.connect();
  }

  private connect(): void {
    const { host, port } = this.options.endpoint();
    const lookup = this.options.lookup;
    const socket = net.connect(lookup ? { host, port, lookup } : { host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (this.attempt > this.quietAttempts) this.options.log(`connected to ${this.describe()}`);
      this.attempt = 0;
      this.lastError = '';
      socket.setKeepAlive(true, 1000);
      if (!this.options.sign) this.ready(socket);
      else
        setTimeout(() => {
          if (this.socket === socket && !this.connected && !this.warned) {
            this.warned = true;
            this.options.log(
              `${this.describe()} sent no authentication challenge: is it running without --secret-file?`,
            );
          }
        }, CHALLENGE_WAIT_MS).unref();
    });
    // The receiver speaks once on this connection: its challenge, when frames are authenticated.
    const splitter = new LineSplitter(1024);
    socket.on('data', (chunk: Buffer) => {
      for (const event of splitter.push(chunk)) {
        if (event.kind !== 'line' || this.connected) continue;
        const challenge = parseChallenge(event.line);
        if (challenge && this.options.sign) {
          this.signer = new FrameSigner(this.options.sign.secret, challenge, this.options.sign.to);
          this.ready(socket);
        } else if (challenge && !this.warned) {
          this.warned = true;
          this.options.log(
            `${this.describe()} asks for authenticated frames: give every peer the same --secret-file`,
          );
        }
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.lastError = err.code ?? err.message;
    });
    socket.on('close', () => this.onClose(socket));
  }

  /** The connection may carry frames: hand it what waited. */
  private ready(socket: net.Socket): void {
    this.connected = true;
    this.heardUp = false;
    // Not kept with the recent frames: a new connection says hello by itself.
    const hello = this.options.hello;
    if (hello !== undefined) socket.write(this.signer ? this.signer.sign(hello) : hello);
    const pending = this.queue;
    this.queue = [];
    for (const frame of pending) this.write(socket, frame);
  }

  private write(socket: net.Socket, frame: string): void {
    const now = Date.now();
    while (this.recent.length > 0 && (this.recent[0]?.at ?? now) < now - this.resendWindowMs)
      this.recent.shift();
    // Kept unsigned: a frame sent again goes on a new connection, under its own challenge.
    this.recent.push({ at: now, frame });
    socket.write(this.signer ? this.signer.sign(frame) : frame);
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return;
    const wasConnected = this.connected;
    this.socket = undefined;
    this.connected = false;
    this.signer = undefined;
    if (this.closed) return;
    if (wasConnected) {
      const cutoff = Date.now() - this.resendWindowMs;
      const resend = this.recent.filter((w) => w.at >= cutoff).map((w) => w.frame);
      this.recent = [];
      this.queue = [...resend, ...this.queue];
      this.options.log(
        `connection to ${this.describe()} closed${this.lastError ? ` (${this.lastError})` : ''}` +
          (resend.length > 0 ? `; ${resend.length} recent frame(s) will be sent again` : ''),
      );
      this.attempt = 0;
    } else if (this.heardUp) {
      this.attempt = 0;
    } else {
      this.attempt += 1;
      if (this.attempt === this.quietAttempts + 1)
        this.options.log(`${this.describe()} not reachable yet (${this.lastError || 'closed'}); retrying`);
    }
    this.lastError = '';
    if (this.queue.length === 0 && !this.persistent) return;
    const delay = this.heardUp ? 0 : backoffDelay(this.backoff, this.attempt, this.random);
    this.heardUp = false;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.ensureConnecting();
    }, delay);
  }

  private describe(): string {
    const { host, port } = this.options.endpoint();
    return `${this.options.name} (${host}:${port})`;
  }
}
