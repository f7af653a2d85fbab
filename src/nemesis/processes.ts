/**
 * The bench's peer processes: each peer runs as its own process group (so a wrapper and
 * the peer it starts are signalled together), and every incarnation's stdout is kept whole
 * for the validator. Every process group ever started is registered, so that an
 * interrupted bench can kill them all, even from a synchronous exit handler.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

const live = new Set<number>();
const tempDirs = new Set<string>();

/** A directory to remove even if the bench is interrupted. */
export const holdTempDir = (dir: string): void => void tempDirs.add(dir);
export const releaseTempDir = (dir: string): void => void tempDirs.delete(dir);

/**
 * SIGKILLs every process group still running and removes the temporary directories.
 * Synchronous, so that process.on('exit') can call it.
 */
export function cleanUpEverything(): void {
  for (const pgid of live) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort: this runs while the bench is going down.
    }
  }
  tempDirs.clear();
}

const STDERR_KEEP = 64 * 1024;

export interface Incarnation {
  /** ms since the run's launch. */
  startedAt: number;
  stdout: string;
  /** The tail of stderr (diagnostics can be chatty while links reconnect). */
  stderr: string;
  /** ms since launch of the first chose line, if any. */
  choseAt?: number;
  /** Why it ended: the bench's signal, or its own exit. */
  ended?: string;
}

export interface PeerCommand {
  command: string;
  args: readonly string[];
}

export class PeerProcess {
  readonly incarnations: Incarnation[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private pausedNow = false;

  constructor(
    readonly host: string,
    private readonly command: PeerCommand,
    private readonly since: () => number,
    private readonly onLine: () => void,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  /** ms since launch of this peer's first chose line, over all incarnations. */
  get choseAt(): number | undefined {
    const times = this.incarnations.flatMap((i) => (i.choseAt === undefined ? [] : [i.choseAt]));
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** A later incarnation found a decision on disk that no incarnation printed. */
  get decidedSilently(): boolean {
    return this.choseAt === undefined && this.incarnations.some((i) => /^already decided /m.test(i.stderr));
  }

  start(): void {
    if (this.child) return;
    const incarnation: Incarnation = { startedAt: this.since(), stdout: '', stderr: '' };
    this.incarnations.push(incarnation);
    const child = spawn(this.command.command, [...this.command.args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.pausedNow = false;
    if (child.pid !== undefined) live.add(child.pid);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      incarnation.stdout += text;
      if (incarnation.choseAt === undefined && text.includes('"action":"chose"'))
        incarnation.choseAt = this.since();
      this.onLine();
    });
    child.stderr?.on('data', (text: string) => {
      incarnation.stderr = (incarnation.stderr + text).slice(-STDERR_KEEP);
      if (text.includes('already decided')) this.onLine();
    });
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        if (child.pid !== undefined) live.delete(child.pid);
        incarnation.ended ??= signal ? `${signal}` : `exit ${code}`;
        if (this.child === child) this.child = undefined;
        resolve();
      });
      child.on('error', (err) => {
        incarnation.ended ??= `spawn error: ${err.message}`;
      });
    });
  }

  private signal(signal: NodeJS.Signals): boolean {
    const pid = this.child?.pid;
    if (pid === undefined) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGKILL, and wait until its output is all read. */
  async kill(): Promise<void> {
    const current = this.incarnations.at(-1);
    if (this.signal('SIGKILL') && current) current.ended ??= 'SIGKILL (nemesis)';
    this.pausedNow = false;
    await this.exited;
  }

  pause(): boolean {
    if (this.pausedNow || !this.signal('SIGSTOP')) return false;
    this.pausedNow = true;
    return true;
  }

  resume(): void {
    if (this.pausedNow) this.signal('SIGCONT');
    this.pausedNow = false;
  }

  /** The end of the run: SIGTERM (a clean exit), SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (!this.child) return;
    this.resume();
    const current = this.incarnations.at(-1);
    if (this.signal('SIGTERM') && current) current.ended ??= 'SIGTERM (nemesis, end of run)';
    const timer = setTimeout(() => this.signal('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * A peer's stdout for the validator: its incarnations in order, each reduced to its
 * complete lines. A SIGKILL can stop a process inside a write, leaving a last line without
 * its newline; its host prints a batch before it sends any of the batch's frames, so
 * nobody can have received what that line reports, and dropping it is the same as the
 * process dying just before printing. Between incarnations a `#` line marks the restart
 * (the validator skips lines that are not JSON objects).
 */
export interface ValidationText {
  text: string;
  cutLines: number;
  /** Per incarnation: the line (1-based, in `text`) after which its lines start, and how it ended. */
  incarnations: { afterLine: number; ended?: string }[];
}

export function stdoutForValidation(p: PeerProcess): ValidationText {
  let cutLines = 0;
  let text = '';
  let lines = 0;
  const incarnations: ValidationText['incarnations'] = [];
  p.incarnations.forEach((inc, i) => {
    const end = inc.stdout.lastIndexOf('\n') + 1;
    if (end < inc.stdout.length) cutLines += 1;
    if (i > 0) {
      const before = p.incarnations[i - 1]?.ended ?? 'unknown';
      text += `# ${p.host} restarted (incarnation ${i + 1}, at ${inc.startedAt} ms; the previous one ended: ${before})\n`;
      lines += 1;
    }
    incarnations.push({ afterLine: lines, ...(inc.ended ? { ended: inc.ended } : {}) });
    const own = inc.stdout.slice(0, end);
    text += own;
    lines += own.split('\n').length - 1;
  });
  return { text, cutLines, incarnations };
}

/** Peers one of whose processes ended without the nemesis ending it, each once. */
export const endedOnTheirOwn = (peers: ReadonlyMap<string, PeerProcess>): string[] => [
  ...new Set(
    [...peers.values()].flatMap((p) =>
      p.incarnations.filter((i) => i.ended !== undefined && !i.ended.includes('nemesis')).map(() => p.host),
    ),
  ),
];
