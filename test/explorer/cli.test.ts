/** `paxos explore` from the command line: one self-contained file, a loaded path checked to replay (steps, or a real run's traces), bad input refused. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadHostsfile } from '../../src/config/hostsfile';
import { actionsOfTraces } from '../../src/explorer/fromTrace';
import { Session } from '../../src/explorer/session';
import { CLI, ROOT, requireBuiltCli } from '../e2e/support/paths';
import { run } from '../e2e/support/processes';

let dir = '';
beforeAll(async () => {
  requireBuiltCli();
  dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-explore-cli-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const paxos = (...args: string[]) => run(process.execPath, [CLI, ...args], { cwd: ROOT, timeoutMs: 60_000 });

describe.concurrent('paxos explore', () => {
  // The README links this page: CI builds it again and holds the committed one to it.
  test("the README's page for testcase 2 is this build's", async () => {
    const out = path.join(dir, 'testcase2.html');
    const r = await paxos('explore', '-h', 'hostsfile-testcase2.txt', '-o', out);
    expect(r.code).toBe(0);
    const committed = await readFile(path.join(ROOT, 'docs/explorer/testcase2.html'), 'utf8');
    expect(
      committed === (await readFile(out, 'utf8')),
      'docs/explorer/testcase2.html is stale: npm run pictures:explorer builds it again',
    ).toBe(true);
  });

  test('writes one page that loads nothing from elsewhere', async () => {
    const out = path.join(dir, 'page.html');
    const r = await paxos('explore', '-h', 'hostsfile-testcase2.txt', '-o', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${out}: 5 peers\n`);
    const html = await readFile(out, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|fetch\(/);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
  });

  test('a path that does not replay on the hostsfile is refused, naming the step', async () => {
    const steps = path.join(dir, 'steps.json');
    await writeFile(
      steps,
      JSON.stringify([
        { kind: 'start', group: 1, value: 'X' },
        {
          kind: 'deliver',
          send: { type: 'send', to: 9, message: { type: 'prepare', from: 1, group: 1, n: 1 } },
        },
      ]),
    );
    const r = await paxos('explore', '-h', 'hostsfile-testcase1.txt', steps, '-o', path.join(dir, 'x.html'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('step 2: not in flight');
  });

  test("a real run's structured traces open as a path that ends where the run ended", async () => {
    const traces = path.join(dir, 'traces');
    const ran = await run(
      process.execPath,
      [
        CLI,
        'cluster',
        '-h',
        'hostsfile-testcase2.txt',
        '--value',
        'peer1=X',
        '--value',
        'peer5=Y',
        '--trace-dir',
        traces,
      ],
      { cwd: ROOT, timeoutMs: 60_000 },
    );
    expect(ran.code).toBe(0);
    const files = (await readdir(traces)).sort().map((f) => path.join(traces, f));
    const r = await paxos(
      'explore',
      '-h',
      'hostsfile-testcase2.txt',
      ...files,
      '-o',
      path.join(dir, 'real.html'),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: 5 peers, \d+ steps loaded from /);
    const inputs = await Promise.all(
      files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })),
    );
    const cluster = loadHostsfile(path.join(ROOT, 'hostsfile-testcase2.txt'));
    const session = new Session(cluster, { 1: 'X', 2: 'Y' });
    session.load(actionsOfTraces(cluster, inputs));
    // Each peer's chose line in the replay is the one its process printed.
    const printed = inputs.map((i) =>
      i.text
        .split('\n')
        .filter((line) => line.includes('"chose":{'))
        .map((line) => (JSON.parse(line) as { chose: { value: string } }).chose.value),
    );
    expect(printed.every((p) => p.length === 1)).toBe(true);
    expect(session.current.world.printed.slice(1).map((p) => [p[0]?.value])).toEqual(printed);
  });

  test('no hostsfile, or a file that is not JSON: exit 2', async () => {
    expect((await paxos('explore', '-o', path.join(dir, 'y.html'))).code).toBe(2);
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, 'not json');
    const r = await paxos('explore', '-h', 'hostsfile-testcase1.txt', bad, '-o', path.join(dir, 'z.html'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.json');
  });
});
