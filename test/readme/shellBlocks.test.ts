/**
 * Every ```sh block of README.md runs, as written, in README order.
 *
 * The blocks run in one scratch directory that links to the repository's files (hostsfiles,
 * node_modules, ...; dist is copied), so what a guide writes (lab/, traces/, run.log, pictures)
 * lands there and a later guide finds it, as it would for a reader who follows the page.
 * Each command (a line, its `\` continuations, or a heredoc) runs in `bash` in a process group
 * of its own, with a timeout, and must exit 0, or with the status its trailing comment names
 * (`# FAIL, exit 1`). The block that starts the five peers by hand runs whole, as one script:
 * it backgrounds the peers, waits for every one to print chose, and kills them; the test
 * then kills the block's process group in any case, so no peer outlives it, also on failure.
 *
 * Commands that cannot run here are in SKIPPED with the reason, and each entry must still
 * match a command of the README, so the list cannot go stale.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, requireBuiltCli } from '../e2e/support/paths';

/** A command that starts with one of these is not run, for the reason given. */
const SKIPPED: readonly { prefix: string; reason: string }[] = [
  {
    prefix: 'npm ci',
    reason:
      'reinstalls node_modules under the running test suite; the test runs the `npm start` that follows it',
  },
  { prefix: 'npm test', reason: 'the whole suite, which includes this test' },
  {
    prefix: 'docker ',
    reason:
      'no Docker engine here; the image and both compose files run in real containers in test/container (Podman, as root)',
  },
];

/** `npm ci && npm start`: the part after `npm ci` still runs. */
const AFTER_SKIPPED_PREFIX = /^npm ci && /;

/** The five peers by hand: ports the block uses, which must be free before it runs. */
const BY_HAND_PORTS = [9101, 9102, 9103, 9104, 9105];

interface Command {
  text: string;
  line: number;
  expectedStatus: number;
}

interface Block {
  line: number;
  text: string;
  commands: Command[];
}

function shellBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    const body = lines.slice(start, end);
    blocks.push({ line: start + 1, text: body.join('\n'), commands: commandsOf(body, start + 1) });
    i = end;
  }
  return blocks;
}

function commandsOf(body: string[], firstLine: number): Command[] {
  const commands: Command[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = body[i] as string;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const at = firstLine + i;
    const parts = [line];
    const heredoc = /<<-?\s*'?(\w+)'?/.exec(line);
    if (heredoc) {
      while (i + 1 < body.length && body[i] !== heredoc[1]) parts.push(body[++i] as string);
    } else {
      while ((parts[parts.length - 1] as string).endsWith('\\') && i + 1 < body.length)
        parts.push(body[++i] as string);
    }
    const comment = /\s#\s(.*)$/.exec(line)?.[1] ?? '';
    const status = /\bexit (\d+)\b/.exec(comment)?.[1];
    commands.push({ text: parts.join('\n'), line: at, expectedStatus: status ? Number(status) : 0 });
  }
  return commands;
}

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = shellBlocks(readme);
const workspace = mkdtempSync(path.join(tmpdir(), 'paxos-readme-'));
/** What a reader's checkout has; the guides' outputs must not land in the repository. */
const EXCLUDED = new Set(['.git', '.data', 'lab', 'traces']);
for (const name of readdirSync(ROOT))
  if (!EXCLUDED.has(name) && name !== 'dist' && !/\.(html|svg|log|jsonl)$/.test(name))
    symlinkSync(path.join(ROOT, name), path.join(workspace, name));
// A copy, not a link: `npm start` rebuilds the bundle, and the suite's other tests run the
// repository's own dist/cli.js meanwhile.
cpSync(path.join(ROOT, 'dist'), path.join(workspace, 'dist'), { recursive: true });

const groups = new Set<number>();
const killGroup = (pid: number | undefined) => {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
  groups.delete(pid);
};

afterAll(() => {
  for (const pid of [...groups]) killGroup(pid);
  rmSync(workspace, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function run(script: string, timeoutMs: number): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['PAXOS_FAULT', 'PAXOS_FAILPOINT', 'PAXOS_TRACE', 'PAXOS_SECRET_FILE']) delete env[k];
  const child: ChildProcess = spawn('bash', ['-c', script], {
    cwd: workspace,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) groups.add(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      // Whatever the command left behind in its group (a peer it started) goes with it.
      killGroup(child.pid);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });

const tail = (text: string) => text.split('\n').slice(-15).join('\n');
const isByHand = (block: Block) => block.text.includes('kill $(jobs -p)');
const skipOf = (command: Command) => SKIPPED.find((s) => command.text.startsWith(s.prefix));

describe('README.md: every shell block runs as written', () => {
  requireBuiltCli();

  test('the README has shell blocks, the five-peer guide among them, and every skip matches a command', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(blocks.filter(isByHand)).toHaveLength(1);
    const all = blocks.flatMap((b) => b.commands);
    for (const s of SKIPPED)
      expect(
        all.some((c) => c.text.startsWith(s.prefix)),
        s.prefix,
      ).toBe(true);
  });

  for (const block of blocks) {
    if (isByHand(block)) {
      test(`README.md:${block.line}: five peers by hand, on ports ${BY_HAND_PORTS.join(', ')}, all choose X`, async () => {
        for (const port of BY_HAND_PORTS) expect(await portIsFree(port), `port ${port} is in use`).toBe(true);
        const result = await run(block.text, 60_000);
        expect(result.timedOut, `timed out; stderr:\n${tail(result.stderr)}`).toBe(false);
        expect(result.status, tail(result.stderr)).toBe(0);
        const chose = result.stdout.trim().split('\n');
        expect(chose).toHaveLength(5);
        for (const line of chose)
          expect(JSON.parse(line)).toMatchObject({ action: 'chose', message_value: 'X' });
        for (const n of [1, 2, 3, 4, 5]) {
          const log = readFileSync(path.join(workspace, 'lab', `peer${n}.log`), 'utf8');
          expect(log.match(/"action":"chose"/g), `peer${n}`).toHaveLength(1);
        }
        // The block ends by killing its peers: nothing listens on their ports any more.
        for (const port of BY_HAND_PORTS)
          expect(await portIsFree(port), `port ${port} still in use`).toBe(true);
      }, 90_000);
      continue;
    }
    test(`README.md:${block.line}: ${block.commands.length} command(s)`, async () => {
      for (const command of block.commands) {
        const skip = skipOf(command);
        let text = command.text;
        if (skip) {
          if (!AFTER_SKIPPED_PREFIX.test(text)) {
            console.info(`README.md:${command.line}: skipped (${skip.reason}): ${text}`);
            continue;
          }
          text = text.replace(AFTER_SKIPPED_PREFIX, '');
        }
        const result = await run(text, 120_000);
        const where = `README.md:${command.line}: ${text}\nstdout:\n${tail(result.stdout)}\nstderr:\n${tail(result.stderr)}`;
        expect(result.timedOut, `timed out: ${where}`).toBe(false);
        expect(result.status, where).toBe(command.expectedStatus);
      }
    }, 240_000);
  }
});
