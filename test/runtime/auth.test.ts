/**
 * Frame authentication and the codec under fuzzing. What a MAC must bind (secret,
 * connection, sequence, destination, bytes) is each tried on its own, and 100,000 random
 * and mutated frames go through the codec and the verifier: nothing throws, nothing invalid
 * comes out as a message, and no frame changed after signing is accepted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import type { Message } from '../../machines/messages';
import {
  FrameSigner,
  FrameVerifier,
  loadSecrets,
  newChallenge,
  parseChallenge,
} from '../../src/runtime/auth';
import { decodeMessage, encodeMessage } from '../../src/runtime/codec';
import { testcase2 } from '../support/clusters';

const A = Buffer.from('first-shared-secret-0123456789');
const B = Buffer.from('second-shared-secret-abcdefghij');
const promise: Message = {
  type: 'prepare_ack',
  from: 2,
  group: 1,
  n: 1,
  promised: true,
  minProposal: 1,
  acceptedProposal: 0,
  acceptedValue: null,
};
const frame = encodeMessage(promise, { clock: 3, id: '2.x.1' });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('authenticated frames', () => {
  test('a frame signed for this connection and peer is accepted, once, in order', () => {
    const c = newChallenge();
    const signer = new FrameSigner(A, c, 1);
    const verifier = new FrameVerifier([A], c, 1);
    const one = signer.sign(frame).trimEnd();
    const two = signer.sign(frame).trimEnd();
    expect(verifier.verify(one)).toEqual({ ok: true, frame: frame.trimEnd() });
    expect(verifier.verify(two)).toEqual({ ok: true, frame: frame.trimEnd() });
    expect(verifier.verify(two)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/replayed or reordered/),
    });
  });

  test('refused: another secret, another connection, another destination, changed bytes, no MAC', () => {
    const c = newChallenge();
    const signed = new FrameSigner(A, c, 1).sign(frame).trimEnd();
    expect(new FrameVerifier([B], c, 1).verify(signed).ok).toBe(false);
    expect(new FrameVerifier([A], newChallenge(), 1).verify(signed).ok).toBe(false);
    expect(new FrameVerifier([A], c, 3).verify(signed).ok).toBe(false);
    expect(new FrameVerifier([A], c, 1).verify(signed.replace('"from":2', '"from":3')).ok).toBe(false);
    expect(new FrameVerifier([A], c, 1).verify(frame.trimEnd())).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/without authentication/),
    });
  });

  test('two secrets while rotating: send with the first, accept either', () => {
    const c = newChallenge();
    const verifier = new FrameVerifier([B, A], c, 1);
    expect(verifier.verify(new FrameSigner(A, c, 1).sign(frame).trimEnd()).ok).toBe(true);
    expect(verifier.verify(new FrameSigner(B, c, 1).sign(frame).trimEnd()).ok).toBe(false);
    const fresh = new FrameVerifier([B, A], c, 1);
    expect(fresh.verify(new FrameSigner(B, c, 1).sign(frame).trimEnd()).ok).toBe(true);
  });

  test('a challenge line is exactly that; secrets files are checked with file and line', () => {
    const c = newChallenge();
    expect(parseChallenge(`{"challenge":"${c}"}`)).toBe(c);
    expect(parseChallenge('{"challenge":"xyz"}')).toBeUndefined();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paxos-secret-'));
    dirs.push(dir);
    const file = path.join(dir, 'secret');
    writeFileSync(
      file,
      '# cluster secret\nfirst-shared-secret-0123456789\nsecond-shared-secret-abcdefghij\n',
    );
    expect(loadSecrets(file)).toEqual([A, B]);
    writeFileSync(file, 'short\n');
    expect(() => loadSecrets(file)).toThrow(`${file}:1: a secret must have at least 16 bytes`);
    writeFileSync(file, 'aaaaaaaaaaaaaaaa1\naaaaaaaaaaaaaaaa2\naaaaaaaaaaaaaaaa3\n');
    expect(() => loadSecrets(file)).toThrow(`${file}:3: at most two secrets`);
    expect(() => loadSecrets(path.join(dir, 'none'))).toThrow(/cannot read: no such file/);
  });
});

/** Mutations of a valid frame: one field changed, truncated, padded, odd characters. */
const mutatedFrame = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...Object.keys(JSON.parse(frame) as object)),
      fc.oneof(
        fc.jsonValue(),
        fc.integer(),
        fc.double(),
        fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 0, 1e308, '', '\u0000', '\u{1F600}', null),
        fc.string({ unit: 'binary' }),
      ),
    )
    .map(([key, value]) => JSON.stringify({ ...(JSON.parse(frame) as object), [key]: value })),
  fc.nat({ max: frame.length }).map((n) => frame.slice(0, n)),
  fc
    .string({ unit: 'binary', maxLength: 200 })
    .map((junk) => `${frame.trimEnd().slice(0, -1)},"pad":${JSON.stringify(junk)}}`),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{"type":"prepare","from":1,"group":1,"n":1e400}',
    '{"__proto__":{"promised":true}}',
    '[]',
    'null',
  ),
);

describe('fuzzing the codec and the verifier', () => {
  test('100,000 random and mutated frames: the codec never throws and lets nothing malformed through', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(mutatedFrame, fc.constantFrom(1, 2, 3, 4, 5), (line, self) => {
        const d = decodeMessage(line, testcase2, self);
        if (!d.ok) {
          refused++;
          expect(typeof d.problem).toBe('string');
          return;
        }
        accepted++;
        // Whatever it lets through re-encodes to a frame it decodes again to the same message.
        expect(decodeMessage(encodeMessage(d.message, d.envelope), testcase2, self)).toEqual(d);
      }),
      { numRuns: 100_000, seed: Number(process.env.FC_SEED ?? 20261201) },
    );
    process.stderr.write(
      `codec fuzz: ${accepted + refused} frames, ${refused} refused, ${accepted} accepted\n`,
    );
    expect(accepted + refused).toBe(100_000);
    expect(refused).toBeGreaterThan(90_000);
  });

  test('100,000 mutations of signed frames: only the unchanged one is accepted', () => {
    const c = newChallenge();
    const signed = new FrameSigner(A, c, 1).sign(frame).trimEnd();
    let refused = 0;
    fc.assert(
      fc.property(fc.nat({ max: signed.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bytes = Buffer.from(signed);
        bytes.writeUInt8(((bytes.at(at) ?? 0) ^ flip) & 0xff, at);
        const r = new FrameVerifier([A], c, 1).verify(bytes.toString('latin1'));
        expect(r.ok).toBe(false);
        refused++;
      }),
      { numRuns: 100_000, seed: Number(process.env.FC_SEED ?? 20261201) },
    );
    process.stderr.write(`verifier fuzz: ${refused} changed frames, all refused\n`);
  });
});
