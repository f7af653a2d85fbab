/**
 * A validator never passes what it did not see: a file with no lab line is refused, a
 * decision asked for and not shown fails naming who is silent, and a trace directory
 * written twice by `paxos cluster` holds the second run alone (a file holding two runs is
 * refused as such, not taken for a peer that lost its state).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadHostsfile } from '../../src/config/hostsfile';
import { createPeerLogic } from '../../src/peer/node';
import { hostsfile, killAll, paxos } from './support';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-nothing-'));
});
afterAll(async () => {
  killAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const trace = (tc: 1 | 2, ...args: string[]) => paxos(['trace', '-h', hostsfile(tc), ...args]);

describe('files with no lab line', () => {
  test.each([
    ['an empty log', '', /it is empty/],
    [
      "a peer's stderr",
      'listening on :8080\ndial tcp peer2:8080: connection refused\n',
      /2 lines, none of them a protocol line/,
    ],
  ])('%s is an input error naming the file, with or without --expect-decided', async (_, text, why) => {
    const file = path.join(dir, 'peer1.log');
    await writeFile(file, text);
    for (const flags of [[], ['--expect-decided']]) {
      const r = await trace(1, ...flags, file);
      expect(r.code).toBe(2);
      expect(r.stdout).not.toMatch(/PASS/);
      expect(r.stderr).toMatch(new RegExp(`^error: ${file}: no lab line in this file`));
      expect(r.stderr).toMatch(why);
    }
  });
});

describe('--expect-decided', () => {
  test('a run where no proposer started fails: nothing was decided', async () => {
    // Structured traces of peers that booted and heard nothing: every record is real, none shows a decision.
    const cluster = loadHostsfile(hostsfile(1));
    const logic = createPeerLogic(cluster);
    const files: string[] = [];
    for (const peer of cluster.peers) {
      const record = {
        peer: peer.host,
        id: peer.id,
        boot: 'b1',
        seq: 0,
        clock: 0,
        batch: 0,
        input: { kind: 'boot' },
        sent: [],
        timers: [],
        chose: null,
        durable: logic.durable(logic.init(peer.id)),
      };
      const file = path.join(dir, `${peer.host}.ndjson`);
      await writeFile(file, `${JSON.stringify(record)}\n`);
      files.push(file);
    }
    expect((await trace(1, ...files)).code).toBe(0);
    const r = await trace(1, '--expect-decided', ...files);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/rule expect-decided/);
    expect(r.stdout).toMatch(/no proposer sent a prepare \(peer1\), so nothing was decided/);
  });
});

describe('paxos cluster --trace-dir run twice into one directory', () => {
  const run = (traces: string) =>
    paxos(['cluster', '-h', hostsfile(1), '--value', 'peer1=X', '--trace-dir', traces]);

  test("the second run replaces the first run's files, says so, and validates", async () => {
    const traces = path.join(dir, 'traces');
    const first = await run(traces);
    expect(first.code).toBe(0);
    expect(first.stderr).not.toMatch(/replaced|not authenticated/);
    const firstFiles = await Promise.all(
      (await readdir(traces)).map(async (f) => [f, await readFile(path.join(traces, f), 'utf8')] as const),
    );
    const second = await run(traces);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(
      /trace files of an earlier run replaced in .*traces: peer1.ndjson, peer2.ndjson/,
    );
    const files = (await readdir(traces)).map((f) => path.join(traces, f));
    const r = await trace(1, '--expect-decided', ...files);
    expect(r.stdout).toMatch(/^PASS: 5 peers/);
    expect(r.code).toBe(0);

    // Two runs in one file, as the old appending made them: refused as two runs.
    for (const [name, text] of firstFiles) {
      const file = path.join(traces, name);
      await writeFile(file, text + (await readFile(file, 'utf8')));
    }
    const both = await trace(1, '--expect-decided', ...files);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(
      /peer1 boots here on another data directory than at .*peer1.ndjson:1 .*the file holds two runs/,
    );
  });
});
