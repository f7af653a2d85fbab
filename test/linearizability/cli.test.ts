/** `paxos linearizable` through the built bundle: exit statuses, PASS/FAIL lines, the --json last line, --html. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ROOT, requireBuiltCli } from '../e2e/support/paths';
import { run } from '../e2e/support/processes';
import { invoke, lines, ok } from './support';

const HISTORIES = {
  'good.jsonl': [invoke(0, 'write', 3), ok(0, 'write', 3), invoke(1, 'read'), ok(1, 'read', 3)],
  'stale.jsonl': [invoke(0, 'write', 3), ok(0, 'write', 3), invoke(1, 'read'), ok(1, 'read', null)],
  'concurrent.jsonl': [invoke(0, 'write', 1), invoke(1, 'write', 2), ok(0, 'write', 1), ok(1, 'write', 2)],
};

let dir = '';
const at = (name: string) => path.join(dir, name);
beforeAll(async () => {
  requireBuiltCli();
  dir = await mkdtemp(path.join(os.tmpdir(), 'paxos-lin-'));
  for (const [name, events] of Object.entries(HISTORIES)) await writeFile(at(name), `${lines(events)}\n`);
  await writeFile(at('broken.jsonl'), `${lines(HISTORIES['good.jsonl'])}\n{"process":2,"type":"ok"\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const paxos = (...args: string[]) =>
  run(process.execPath, [CLI, 'linearizable', ...args], { cwd: ROOT, timeoutMs: 60_000 });
const lastLine = (text: string) => JSON.parse(text.trim().split('\n').pop() ?? '');

describe.concurrent('paxos linearizable', () => {
  test('a linearizable history: PASS, exit 0', async () => {
    const r = await paxos('--model', 'cas-register', at('good.jsonl'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS .*good\.jsonl: linearizable; 2 operations over 1 key/);
  });

  test('a stale read: FAIL naming its line and the prefix, exit 1; --json per file and overall', async () => {
    const r = await paxos('--model', 'cas-register', '--json', at('good.jsonl'), at('stale.jsonl'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('cannot be placed: line 3: process 1: read null -> null');
    expect(r.stdout).toContain('line 1: process 0: write 3 -> 3  => 3');
    const json = lastLine(r.stdout);
    expect(json).toMatchObject({
      model: 'cas-register',
      verdict: 'NOT_LINEARIZABLE',
      files: [
        { file: at('good.jsonl'), verdict: 'LINEARIZABLE' },
        {
          file: at('stale.jsonl'),
          verdict: 'NOT_LINEARIZABLE',
          failure: { operation: { line: 3, process: 1, f: 'read' }, prefix: [{ line: 1, stateAfter: '3' }] },
        },
      ],
    });
  });

  test('bad input: exit 2 naming the file and line, even beside a failing history', async () => {
    const r = await paxos('--model', 'cas-register', '--json', at('stale.jsonl'), at('broken.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${at('broken.jsonl')}:5: not JSON`);
    expect(lastLine(r.stdout)).toMatchObject({ verdict: 'ERROR', files: [{}, { verdict: 'ERROR' }] });
  });

  test('a missing file, a missing or unknown model: exit 2', async () => {
    const [missing, noModel, unknown] = await Promise.all([
      paxos('--model', 'kv', at('nothing.jsonl')),
      paxos(at('good.jsonl')),
      paxos('--model', 'queue', at('good.jsonl')),
    ]);
    expect(missing.stderr).toMatch(/nothing\.jsonl: cannot read: no such file/);
    expect(noModel.stderr).toMatch(/required option '--model <model>'/);
    expect(unknown.stderr).toMatch(/Allowed choices are cas-register, kv, registers/);
    expect([missing.code, noModel.code, unknown.code]).toEqual([2, 2, 2]);
  });

  test('a budget too small: UNKNOWN, exit 3', async () => {
    const r = await paxos('--model', 'cas-register', '--budget', '1', '--json', at('concurrent.jsonl'));
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^UNKNOWN .*: the budget of 1 search step ran out/);
    expect(lastLine(r.stdout)).toMatchObject({
      verdict: 'UNKNOWN',
      files: [{ verdict: 'UNKNOWN', steps: 1 }],
    });
  });

  test('--html: the picture of the one history, with its verdict; refused for several files, unwritable: exit 2', async () => {
    const out = at('stale.html');
    const [one, two, nowhere] = await Promise.all([
      paxos('--model', 'cas-register', '--html', out, at('stale.jsonl')),
      paxos('--model', 'cas-register', '--html', at('two.html'), at('good.jsonl'), at('stale.jsonl')),
      paxos('--model', 'cas-register', '--html', at('no-such-dir/x.html'), at('good.jsonl')),
    ]);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('x.html: cannot write the picture');
    expect(one.code).toBe(1);
    const html = await readFile(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<h1 id="verdict" class="NOT_LINEARIZABLE">');
    expect(html.match(/class="op /g)).toHaveLength(2);
    expect(html).toMatch(/class="op ok culprit" data-line="3"/);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('--html draws one history');
    expect(two.stderr).toMatch(/usage: paxos linearizable .*--html OUT.html/);
  });
});
