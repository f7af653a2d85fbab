/** A register frame is a lab frame with a key: the key is bounded, the rest held to the lab's rules. */
import { describe, expect, test } from 'vitest';
import type { Message } from '../../machines/messages';
import { loadHostsfile } from '../../src/config/hostsfile';
import { decodeKeyed, encodeKeyed } from '../../src/serve/frames';
import { repoFile } from '../e2e/support/paths';

const cluster = loadHostsfile(repoFile('hostsfile-registers.txt'));
const prepare: Message = { type: 'prepare', from: 1, group: 1, n: 4 };

describe('register frames', () => {
  test('carry the key after the type, and decode to the same key and message', () => {
    const line = encodeKeyed('k/é', prepare);
    expect(line).toBe('{"type":"prepare","key":"k/é","from":1,"group":1,"n":4}\n');
    expect(decodeKeyed(line.trim(), cluster, 2)).toEqual({ ok: true, key: 'k/é', message: prepare });
  });

  test('refuse a missing, empty or oversized key, and what the lab would refuse', () => {
    const without = JSON.stringify({ type: 'prepare', from: 1, group: 1, n: 4 });
    expect(decodeKeyed(without, cluster, 2)).toMatchObject({ ok: false });
    expect(decodeKeyed(encodeKeyed('', prepare), cluster, 2)).toMatchObject({ ok: false });
    expect(decodeKeyed(encodeKeyed('é'.repeat(257), prepare), cluster, 2)).toMatchObject({ ok: false });
    expect(decodeKeyed(encodeKeyed('é'.repeat(256), prepare), cluster, 2)).toMatchObject({ ok: true });
    const foreign = encodeKeyed('k', { ...prepare, from: 2 });
    expect(decodeKeyed(foreign, cluster, 3)).toMatchObject({
      ok: false,
      problem: 'prepare: peer 2 is not proposer1',
    });
    expect(decodeKeyed('not json', cluster, 2)).toEqual({ ok: false, problem: 'not JSON' });
  });
});
