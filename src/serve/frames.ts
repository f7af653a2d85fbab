/**
 * A register peer's frames: the lab's wire format (src/runtime/codec.ts) with the key the
 * message is about, `{"type":...,"key":K,...}`. The key is checked here, the message by the
 * lab's decoder, so a register frame is held to every rule a lab frame is.
 */
import type { Message, PeerId } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';
import { decodeRecord, parseFrame, wireRecord } from '../runtime/codec';

const MAX_KEY_BYTES = 512;
export const MAX_VALUE_BYTES = 64 * 1024;

/**
 * The longest frame a register peer accepts: a value of 64 KiB whose every byte JSON escapes
 * as `\u00XX` (6 bytes), escaped again inside the frame (7), with its key and fields.
 */
export const MAX_REGISTER_FRAME_BYTES = 8 * MAX_VALUE_BYTES + 16 * 1024;

/** Why a key is not one (1 to 512 bytes of UTF-8), or undefined. */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'the key must be a string';
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes < 1 || bytes > MAX_KEY_BYTES)
    return `the key must be 1 to ${MAX_KEY_BYTES} bytes of UTF-8, got ${bytes}`;
  return undefined;
}

/** `id` (only when the sender traces) names the message in both peers' traces. */
export const encodeKeyed = (key: string, message: Message, id?: string): string =>
  `${JSON.stringify(wireRecord(message, id === undefined ? {} : { id }, { key }))}\n`;

export type DecodedKeyed =
  | { ok: true; key: string; message: Message; id?: string }
  | { ok: false; problem: string };

export function decodeKeyed(line: string, cluster: ClusterConfig, self: PeerId): DecodedKeyed {
  const record = parseFrame(line);
  if (typeof record === 'string') return { ok: false, problem: record };
  const { key, ...rest } = record;
  const problem = keyProblem(key);
  if (problem) return { ok: false, problem: `${String(record.type)}: ${problem}` };
  const decoded = decodeRecord(rest, cluster, self);
  if (!decoded.ok) return decoded;
  const { id } = decoded.envelope;
  return { ok: true, key: key as string, message: decoded.message, ...(id === undefined ? {} : { id }) };
}
