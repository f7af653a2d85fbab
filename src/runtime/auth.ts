/**
 * Authenticated frames. Paxos tolerates loss and duplication, not forgery: without this,
 * anyone who reaches port 8080 can send a prepare_ack "from" an acceptor and make a value
 * look chosen. With a shared secret every frame carries an HMAC-SHA256 that binds it to
 *   - the secret (a stranger cannot make one),
 *   - the connection: a random challenge the receiver sends when the connection opens, and
 *     a sequence number counted on it from 1 (a frame cannot be replayed on another
 *     connection, or twice, or out of order on the same one),
 *   - its destination (a frame for peer 3 is refused by peer 4),
 *   - its bytes, sender included (the `from` field is inside them).
 *
 * On the wire: the receiver writes `{"challenge":"<32 hex>"}` as the first line of a
 * connection it accepts; the sender answers nothing and sends frames as
 * `{...message...,"seq":N,"mac":"<64 hex>"}`, where the MAC is over
 * `paxos-frame-v1 \n challenge \n destination id \n N \n <the frame before ,"seq">}`.
 *
 * Two secrets may be configured at once, to rotate without downtime: frames are sent with
 * the first and accepted with either.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PeerId } from '../../machines/messages';

export class SecretError extends Error {}

const MIN_SECRET_BYTES = 16;

/** Reads one or two secrets, one per non-empty line; too short or too many is an error naming file and line. */
export function loadSecrets(file: string): Buffer[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SecretError(
      `${file}: cannot read: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  const secrets: Buffer[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    if (Buffer.byteLength(line) < MIN_SECRET_BYTES)
      throw new SecretError(`${file}:${i + 1}: a secret must have at least ${MIN_SECRET_BYTES} bytes`);
    if (secrets.length === 2)
      throw new SecretError(
        `${file}:${i + 1}: at most two secrets (the one to send with, and the one being retired)`,
      );
    secrets.push(Buffer.from(line, 'utf8'));
  });
  if (secrets.length === 0) throw new SecretError(`${file}: no secret in the file`);
  return secrets;
}

export const newChallenge = (): string => randomBytes(16).toString('hex');

export const challengeLine = (challenge: string): string => `${JSON.stringify({ challenge })}\n`;

/** The challenge a receiver sent, if `line` is one. */
export function parseChallenge(line: string): string | undefined {
  const m = /^\{"challenge":"([0-9a-f]{32})"\}$/.exec(line.trim());
  return m?.[1];
}

const mac = (secret: Buffer, challenge: string, to: PeerId, seq: number, body: string): Buffer =>
  createHmac('sha256', secret).update(`paxos-frame-v1\n${challenge}\n${to}\n${seq}\n${body}`).digest();

/** Signs the frames of one outbound connection. */
export class FrameSigner {
  private seq = 0;

  constructor(
    private readonly secret: Buffer,
    private readonly challenge: string,
    private readonly to: PeerId,
  ) {}

  /** `frame` is one encoded message (a JSON object, with or without its newline). */
  sign(frame: string): string {
    const body = frame.trimEnd();
    if (!body.endsWith('}')) throw new Error('a frame must be a JSON object');
    const seq = ++this.seq;
    const tag = mac(this.secret, this.challenge, this.to, seq, body).toString('hex');
    return `${body.slice(0, -1)},"seq":${seq},"mac":"${tag}"}\n`;
  }
}

const SIGNED = /^(.*),"seq":(\d{1,15}),"mac":"([0-9a-f]{64})"\}$/s;

export type Verified = { ok: true; frame: string } | { ok: false; problem: string };

/** Checks the frames of one inbound connection, in order. */
export class FrameVerifier {
  private expected = 1;

  constructor(
    private readonly secrets: readonly Buffer[],
    private readonly challenge: string,
    private readonly self: PeerId,
  ) {}

  verify(line: string): Verified {
    const m = SIGNED.exec(line);
    if (!m)
      return {
        ok: false,
        problem: 'frame without authentication (is the sender running without --secret-file?)',
      };
    const body = `${m[1]}}`;
    const seq = Number(m[2]);
    const given = Buffer.from(m[3] as string, 'hex');
    const good = this.secrets.some((s) =>
      timingSafeEqual(mac(s, this.challenge, this.self, seq, body), given),
    );
    if (!good)
      return {
        ok: false,
        problem: 'authentication failed (wrong secret, or a frame made for another connection or peer)',
      };
    if (seq !== this.expected)
      return {
        ok: false,
        problem: `frame number ${seq} where ${this.expected} was due (replayed or reordered)`,
      };
    this.expected++;
    return { ok: true, frame: body };
  }
}

/** Whether a line looks like a signed frame (for a peer without a secret to say so clearly). */
export const looksSigned = (line: string): boolean => SIGNED.test(line);
