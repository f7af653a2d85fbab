/** Child processes for e2e tests: run to completion, or keep running and watch their output. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
) {
  return new Promise<Finished>((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A long-running process whose stdout and stderr lines are kept as they arrive. */
export class Watched {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const closed = (stream: NodeJS.ReadableStream | null, into: string[]) =>
      new Promise<void>((resolve) => {
        if (!stream) return resolve();
        const rl = createInterface({ input: stream });
        rl.on('line', (line) => {
          into.push(line);
          this.notify();
        });
        rl.on('close', resolve);
      });
    const streams = Promise.all([closed(child.stdout, this.stdout), closed(child.stderr, this.stderr)]);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        void streams.then(() => {
          this.notify();
          resolve({ code, signal });
        });
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when `cond` holds (checked on every new line), rejects after `timeoutMs`. */
  waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!cond()) return;
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(check);
        resolve();
      };
      // Checked on every new line, and now and then for conditions on other processes' output.
      const poll = setInterval(check, 25);
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.waiters.delete(check);
        reject(
          new Error(
            `${this.name}: timed out after ${timeoutMs} ms waiting for ${what}\n--- stdout\n${this.stdout.join(
              '\n',
            )}\n--- stderr\n${this.stderr.join('\n')}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.running) this.child.kill(signal);
    const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
