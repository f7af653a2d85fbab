/** `paxos view`, `paxos simulate --format html|svg|shiviz` and `paxos check --html` through the built bundle. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DISJOINT_HOSTSFILE } from '../../src/view/pictures';
import { disjointCheckArgs } from '../check/clusters';
import { CLI, ROOT, requireBuiltCli } from '../e2e/support/paths';
import { run } from '../e2e/support/processes';

let dir = '';
beforeAll(async () => {
  requireBuiltCli();
  dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-view-cli-'));
  await writeFile(path.join(dir, 'disjoint.txt'), DISJOINT_HOSTSFILE);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const paxos = (...args: string[]) => run(process.execPath, [CLI, ...args], { cwd: ROOT, timeoutMs: 60_000 });
const arrows = (text: string) => (text.match(/<g class="msg[ "]/g) ?? []).length;

describe.concurrent('pictures from the command line', () => {
  test('paxos view: a real run from lab lines gives HTML, SVG and ShiViz, and the verdict', async () => {
    const out = (ext: string) => path.join(dir, `real.${ext}`);
    const r = await paxos(
      'view',
      '-h',
      'hostsfile-testcase2.txt',
      'test/view/fixtures/cluster-testcase2.log',
      '-o',
      out('html'),
      '--svg',
      out('svg'),
      '--shiviz',
      out('shiviz'),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote .*real\.html, .*real\.svg, .*real\.shiviz: \d+ steps, \d+ events, (\d+) messages; PASS: 5 peers/,
    );
    const messages = Number(/(\d+) messages/.exec(r.stdout)?.[1]);
    expect(arrows(readFileSync(out('html'), 'utf8'))).toBe(messages);
    expect(arrows(readFileSync(out('svg'), 'utf8'))).toBe(messages);
    expect(readFileSync(out('svg'), 'utf8')).not.toContain('<script');
    expect(readFileSync(out('shiviz'), 'utf8').split('\n')[0]).toContain('(?<host>');
  });

  test('paxos view: structured traces of a recorded paxos cluster run are drawn from their records', async () => {
    const dir2 = path.join(ROOT, 'test/view/fixtures/structured-testcase2');
    const files = readdirSync(dir2)
      .sort()
      .map((f) => path.join('test/view/fixtures/structured-testcase2', f));
    const svg = path.join(dir, 'structured.svg');
    const shiviz = path.join(dir, 'structured.shiviz');
    const r = await paxos(
      'view',
      '-h',
      'hostsfile-testcase2.txt',
      ...files,
      '--svg',
      svg,
      '--shiviz',
      shiviz,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const records = files.flatMap((f) =>
      readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { sent: unknown[]; input: { kind: string } }),
    );
    const sent = records.reduce((n, x) => n + x.sent.length, 0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^wrote .*structured\\.svg, .*structured\\.shiviz: ${records.length} steps, \\d+ events, ${sent} messages; PASS: 5 peers`,
      ),
    );
    const text = readFileSync(svg, 'utf8');
    expect(arrows(text)).toBe(sent);
    const kinds = (kind: string) =>
      (text.match(new RegExp(`class="event kind-${kind}[ "]`, 'g')) ?? []).length;
    expect(kinds('boot')).toBe(5);
    expect(kinds('timeout')).toBe(records.filter((x) => x.input.kind === 'timeout').length);
    expect(kinds('timeout')).toBeGreaterThan(0);
    expect(text).toContain('backoff #0');
    const events = Number(/(\d+) events/.exec(r.stdout)?.[1]);
    expect(readFileSync(shiviz, 'utf8').trimEnd().split('\n')).toHaveLength(events + 2);
  });

  test('paxos view: a run paxos trace fails is drawn with the rule; bad usage exits 2', async () => {
    const html = path.join(dir, 'bad.html');
    const r = await paxos(
      'view',
      '-h',
      'hostsfile-testcase2.txt',
      'test/trace/fixtures/accept-below-promise.log',
      '-o',
      html,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FAIL at test\/trace\/fixtures\/accept-below-promise\.log:14/);
    expect(readFileSync(html, 'utf8')).toContain(
      'Violation of accept-above-promise: acceptors never accept below their promise',
    );
    const none = await paxos(
      'view',
      '-h',
      'hostsfile-testcase2.txt',
      'test/view/fixtures/cluster-testcase2.log',
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/say where to write the picture/);
  });

  test('paxos simulate --format svg|html|shiviz: the picture on stdout, the summary on stderr as before', async () => {
    for (const format of ['svg', 'html', 'shiviz']) {
      const r = await paxos(
        'simulate',
        '-h',
        'hostsfile-testcase2.txt',
        '--seed',
        '7',
        '--steps',
        '80',
        '--format',
        format,
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^80 steps; chosen: /);
      if (format === 'svg') expect(r.stdout).toMatch(/^<svg /);
      if (format === 'html') expect(r.stdout).toMatch(/^<!doctype html>/);
      if (format === 'shiviz') expect(r.stdout.split('\n')[1]).toBe('');
    }
  });

  test('paxos check --html --svg: the counterexample drawn, stdout unchanged', async () => {
    const html = path.join(dir, 'cx.html');
    const svg = path.join(dir, 'cx.svg');
    const args = ['check', ...disjointCheckArgs(path.join(dir, 'disjoint.txt'))];
    const plain = await paxos(...args);
    const drawn = await paxos(...args, '--html', html, '--svg', svg);
    expect(drawn.code).toBe(1);
    const strip = (s: string) => s.replace(/[\d,]+ distinct states.*\n/, '');
    expect(strip(drawn.stdout)).toBe(strip(plain.stdout));
    expect(drawn.stderr).toMatch(/counterexample drawn: .*cx\.html, .*cx\.svg/);
    expect(readFileSync(svg, 'utf8')).toContain('Violation of Agreement: at most one value is chosen.');
    expect(existsSync(html)).toBe(true);
    const nothing = await paxos(
      'check',
      '--model',
      'machines',
      '-h',
      'hostsfile-testcase1.txt',
      '--max-round',
      '1',
      '--html',
      path.join(dir, 'none.html'),
    );
    expect(nothing.code).toBe(0);
    expect(nothing.stderr).toMatch(/no counterexample, so no picture/);
    expect(existsSync(path.join(dir, 'none.html'))).toBe(false);
  });
});
