/**
 * Newline-delimited framing over a byte stream. TCP delivers chunks, not frames: a frame
 * may arrive in pieces and a chunk may hold several frames. A line longer than the limit
 * is refused as soon as it crosses the limit, and the rest of it is skipped as it streams
 * in, so a peer never holds more than `maxLineBytes` of one line in memory.
 */

/**
 * The first frame on every outbound connection: "I am peer N, and I am up". It is the
 * transport's, not the protocol's (never stepped, never printed): the receiver's links to N
 * that are waiting out a reconnect backoff connect at once, whatever the order peers start in.
 */
export const helloFrame = (from: number): string => `{"hello":${from}}\n`;

/** The sender a hello frame names, or undefined for any other line. */
export function parseHello(line: string): number | undefined {
  const m = /^\{"hello":(\d{1,6})\}$/.exec(line.trim());
  return m ? Number(m[1]) : undefined;
}

/** The largest frame a peer accepts; real messages are a few hundred bytes. */
export const MAX_LINE_BYTES = 64 * 1024;

const NEWLINE = 0x0a;

export type FrameEvent = { kind: 'line'; line: string } | { kind: 'oversized'; bytes: number };

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** Inside an oversized line: drop bytes until its newline. */
  private skipping = false;

  constructor(private readonly maxLineBytes: number = MAX_LINE_BYTES) {}

  /** Feeds one chunk; returns the complete lines (and refusals) it finished, in order. */
  push(chunk: Buffer): FrameEvent[] {
    const out: FrameEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (this.skipping) {
        if (nl !== -1) this.skipping = false;
      } else if (this.size + piece.length > this.maxLineBytes) {
        out.push({ kind: 'oversized', bytes: this.size + piece.length });
        this.parts = [];
        this.size = 0;
        this.skipping = nl === -1;
      } else if (nl === -1) {
        // Copied: the socket may reuse the chunk's memory.
        this.parts.push(Buffer.from(piece));
        this.size += piece.length;
      } else {
        const whole = this.parts.length === 0 ? piece : Buffer.concat([...this.parts, piece]);
        this.parts = [];
        this.size = 0;
        const line = whole.toString('utf8').replace(/\r$/, '');
        if (line.trim() !== '') out.push({ kind: 'line', line });
      }
      start = end + 1;
    }
    return out;
  }

  /** Bytes of an unfinished line held at the end of the stream (reported as a half frame). */
  get pending(): number {
    return this.size;
  }
}
