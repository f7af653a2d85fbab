/**
 * Real OCI containers with Podman, for running the lab's Dockerfile and compose files as a
 * lab user would. Each lab is a private Podman: its configuration, image store, run state
 * and network definitions live in one temporary directory (CONTAINERS_CONF and
 * CONTAINERS_STORAGE_CONF point there), so the machine's /etc/containers is neither read
 * nor changed, and nothing of another Podman user is seen or touched. The settings are the
 * ones that work on this kind of machine (runc and cgroupfs, ulimits no higher than the
 * host's, vfs storage). What Podman as root still puts outside that directory (its blob
 * cache, netavark's run directory and firewall chains, ip_forward) is recorded before and
 * put back by destroy().
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TOOLS = ['podman', 'podman-compose', 'runc', 'debootstrap', 'iptables-save'];

/** Why Podman cannot run here, or undefined if it can. */
export function podmanUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `Podman containers need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the container test runs Podman as root (CI runs as root)';
  const missing = TOOLS.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) return `not installed: ${missing.join(', ')} (.ci/run installs them with apt-get)`;
  return undefined;
}

/** CI as root must run the test: a skip there would hide that the image was never built. */
export const mustRunInCi = (): boolean =>
  !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase()) && process.getuid?.() === 0;

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: Result,
  ) {
    const tail = (s: string) => s.trimEnd().split('\n').slice(-40).join('\n');
    super(
      `${command} exited ${result.code}\n--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr)}`,
    );
  }
}

/** A background `podman-compose up`, in its own process group so that Ctrl-C reaches all of it. */
export class Foreground {
  readonly exited: Promise<number | null>;
  constructor(
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What a terminal's Ctrl-C does: SIGINT to the whole foreground process group. */
  async interrupt(timeoutMs = 30_000): Promise<number | null> {
    if (this.running && this.child.pid) process.kill(-this.child.pid, 'SIGINT');
    const timer = setTimeout(() => this.kill(), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    if (this.running && this.child.pid) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  output(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }
}

interface HostState {
  paths: Map<string, boolean>;
  ipForward: string | undefined;
  chains: Map<string, Set<string>>;
  aardvark: Set<number>;
}

/** Paths Podman as root uses whatever its configuration says: the blob-info cache, netavark's run directory. */
const FIXED_PATHS = ['/var/lib/containers', '/run/containers'];
const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';
const FIREWALLS = ['iptables', 'ip6tables'];

const commandExists = (tool: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Netavark's chains per table, e.g. "filter" -> {"NETAVARK_FORWARD"}. */
function netavarkChains(tool: string): Map<string, Set<string>> {
  const chains = new Map<string, Set<string>>();
  if (!commandExists(`${tool}-save`)) return chains;
  let table = '';
  for (const line of execFileSync(`${tool}-save`, { encoding: 'utf8' }).split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    const m = /^:(NETAVARK\S*)/.exec(line);
    if (m?.[1]) {
      const set = chains.get(table) ?? new Set<string>();
      set.add(m[1]);
      chains.set(table, set);
    }
  }
  return chains;
}

const pidsOf = (program: string): Set<number> => {
  const pids = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (path.basename(argv0) === program) pids.add(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
};

/** Processes whose command line names `dir`: conmon and the like, left by a container that went wrong. */
const pidsMentioning = (dir: string): number[] =>
  readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);

export class PodmanLab {
  readonly env: NodeJS.ProcessEnv;
  private readonly foregrounds: Foreground[] = [];

  private constructor(
    readonly dir: string,
    private readonly before: HostState,
  ) {
    this.env = {
      ...process.env,
      CONTAINERS_CONF: path.join(dir, 'containers.conf'),
      CONTAINERS_STORAGE_CONF: path.join(dir, 'storage.conf'),
      // Image imports and builds stage big temporary files; keep them in the lab too.
      TMPDIR: path.join(dir, 'tmp'),
    };
  }

  static create(): PodmanLab {
    const before: HostState = {
      paths: new Map(FIXED_PATHS.map((p) => [p, existsSync(p)])),
      ipForward: existsSync(IP_FORWARD) ? readFileSync(IP_FORWARD, 'utf8').trim() : undefined,
      chains: new Map(
        FIREWALLS.flatMap((t) => [...netavarkChains(t)].map(([table, c]) => [`${t}/${table}`, c])),
      ),
      aardvark: pidsOf('aardvark-dns'),
    };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paxos-podman-'));
    for (const sub of ['graph', 'run', 'tmp', 'engine', 'networks', 'volumes'])
      mkdirSync(path.join(dir, sub));
    // Podman's default limits are more than root may set here (it lacks CAP_SYS_RESOURCE),
    // and runc then refuses to start anything; 4096, within the host's hard limits, is
    // accepted and plenty for a peer.
    const limit = (name: string) => {
      const line = readFileSync('/proc/self/limits', 'utf8')
        .split('\n')
        .find((l) => l.startsWith(name));
      const hard = Number(line?.trim().split(/\s{2,}/)[2]);
      return Number.isFinite(hard) ? Math.min(hard, 4096) : 4096;
    };
    const nofile = limit('Max open files');
    const nproc = limit('Max processes');
    writeFileSync(
      path.join(dir, 'containers.conf'),
      [
        '[containers]',
        `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
        // podman logs per container, stdout and stderr apart, across restarts.
        'log_driver = "k8s-file"',
        '[engine]',
        // crun fails on this kernel's hybrid cgroups; runc with cgroupfs works, systemd is not needed.
        'runtime = "runc"',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `events_logfile_path = "${path.join(dir, 'events.log')}"`,
        `tmp_dir = "${path.join(dir, 'engine')}"`,
        `volume_path = "${path.join(dir, 'volumes')}"`,
        `image_copy_tmp_dir = "${path.join(dir, 'tmp')}"`,
        '[network]',
        'network_backend = "netavark"',
        `network_config_dir = "${path.join(dir, 'networks')}"`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(dir, 'storage.conf'),
      [
        '[storage]',
        // Overlay on this kernel was not tried; vfs works everywhere, at the cost of copies.
        'driver = "vfs"',
        `runroot = "${path.join(dir, 'run')}"`,
        `graphroot = "${path.join(dir, 'graph')}"`,
        '',
      ].join('\n'),
    );
    return new PodmanLab(dir, before);
  }

  /**
   * Runs a command with this lab's Podman environment; rejects unless it exits 0. Niced:
   * the rest of the suite runs beside it on few cores, some of it against the clock.
   * `log` names a file in the lab that also receives the output as it comes.
   */
  exec(
    command: string,
    args: readonly string[],
    options: { cwd?: string; timeoutMs?: number; log?: string; allowFailure?: boolean } = {},
  ): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn('nice', ['-n', '10', command, ...args], {
        cwd: options.cwd,
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      const log = options.log ? path.join(this.dir, options.log) : undefined;
      child.stdout.on('data', (d) => {
        stdout += d;
        if (log) appendFileSync(log, d);
      });
      child.stderr.on('data', (d) => {
        stderr += d;
        if (log) appendFileSync(log, d);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        const result = { code, stdout, stderr };
        if (code === 0 || options.allowFailure) resolve(result);
        else reject(new CommandError([command, ...args].join(' '), result));
      });
    });
  }

  podman(
    args: readonly string[],
    options: { cwd?: string; timeoutMs?: number; allowFailure?: boolean } = {},
  ) {
    return this.exec('podman', args, options);
  }

  /** Starts a long-running command (`podman-compose ... up`) in its own process group, output to a lab file. */
  foreground(command: string, args: readonly string[], cwd: string, logName: string): Foreground {
    const logFile = path.join(this.dir, logName);
    const fd = openSync(logFile, 'a');
    const child = spawn('nice', ['-n', '10', command, ...args], {
      cwd,
      env: this.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    const fg = new Foreground(child, logFile);
    this.foregrounds.push(fg);
    return fg;
  }

  /** A container's stdout and stderr lines (all of its runs, or those since `since`). */
  async logs(name: string, since?: string): Promise<{ stdout: string[]; stderr: string[] }> {
    const r = await this.podman(['logs', ...(since ? ['--since', since] : []), name]);
    const lines = (s: string) => s.split('\n').filter((l) => l !== '');
    return { stdout: lines(r.stdout), stderr: lines(r.stderr) };
  }

  /** Removes everything the lab made, on the machine as well; returns what could not be undone. */
  async destroy(): Promise<string[]> {
    const problems: string[] = [];
    const attempt = async (what: string, f: () => unknown) => {
      try {
        await f();
      } catch (err) {
        problems.push(`${what}: ${(err as Error).message.split('\n')[0]}`);
      }
    };
    for (const fg of this.foregrounds) {
      fg.kill();
      await Promise.race([fg.exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    await attempt('containers', () => this.podman(['rm', '--all', '--force', '--time', '0']));
    await attempt('networks', async () => {
      const names = (await this.podman(['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n');
      for (const name of names.filter((n) => n !== '' && n !== 'podman'))
        await this.podman(['network', 'rm', '--force', name]);
    });
    await attempt('images', () => this.podman(['rmi', '--all', '--force']));
    await attempt('leftover processes', () => {
      for (const pid of pidsMentioning(this.dir)) process.kill(pid, 'SIGKILL');
    });
    await attempt('aardvark-dns', () => {
      // It serves the lab's networks only; with them gone it has nothing to answer.
      for (const pid of pidsOf('aardvark-dns'))
        if (!this.before.aardvark.has(pid)) process.kill(pid, 'SIGTERM');
    });
    await attempt('mounts', () => {
      const mounts = readFileSync('/proc/self/mounts', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[1] ?? '')
        .filter((m) => m.startsWith(`${this.dir}/`))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) execFileSync('umount', ['-l', m]);
    });
    await attempt('lab directory', () => rmSync(this.dir, { recursive: true, force: true }));
    for (const [p, existed] of this.before.paths)
      if (!existed) await attempt(p, () => rmSync(p, { recursive: true, force: true }));
    await attempt('firewall', () => this.removeNewChains());
    if (this.before.ipForward !== undefined) {
      const was = this.before.ipForward;
      await attempt('ip_forward', () => {
        if (readFileSync(IP_FORWARD, 'utf8').trim() !== was) writeFileSync(IP_FORWARD, `${was}\n`);
      });
    }
    return problems;
  }

  /** Netavark leaves its chains (and the jumps into them) behind with no network left; drop those it added. */
  private removeNewChains(): void {
    for (const tool of FIREWALLS) {
      for (const [table, chains] of netavarkChains(tool)) {
        const had = this.before.chains.get(`${tool}/${table}`) ?? new Set<string>();
        const added = [...chains].filter((c) => !had.has(c));
        if (added.length === 0) continue;
        const rules = execFileSync(`${tool}-save`, ['-t', table], { encoding: 'utf8' }).split('\n');
        for (const rule of rules) {
          const m = /^-A (\S+) (.*)$/.exec(rule);
          if (!m?.[1] || added.includes(m[1])) continue;
          if (added.some((c) => rule.includes(`-j ${c}`)))
            // The rule as iptables-save prints it is shell-quoted (comments carry spaces).
            execFileSync('sh', ['-c', `${tool} -t ${table} -D ${m[1]} ${m[2]}`]);
        }
        for (const c of added) execFileSync(tool, ['-t', table, '-F', c]);
        for (const c of added) execFileSync(tool, ['-t', table, '-X', c]);
      }
    }
  }
}
