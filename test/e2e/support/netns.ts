/**
 * A stand-in for a Docker network, made of Linux network namespaces: one namespace per
 * peer with its own hostname (a UTS namespace) and /etc/hosts (/etc/netns/<ns>/hosts), all
 * on one bridge that lives in a namespace of its own, on a private subnet. Nothing is added
 * to the host's own namespace: no interface, no route, no NAT, so no packet can leave.
 * Names carry the test process's pid, so a lab left behind by a killed run is recognised
 * and removed by the next one.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Watched } from './processes';

const PREFIX = 'pxlab';
const SUBNET = '10.77.0';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** Why the namespace lab cannot run here, or undefined if it can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs as root)';
  for (const tool of ['ip', 'unshare', 'hostname']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `'${tool}' is not installed`;
    }
  }
  return undefined;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes labs whose test process is gone. */
function sweepStaleLabs(): void {
  const names = ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${PREFIX}-`));
  for (const name of names) {
    const pid = Number(name.split('-')[1]);
    if (Number.isInteger(pid) && !alive(pid)) deleteNamespace(name);
  }
}

function deleteNamespace(name: string): void {
  try {
    ip('netns', 'del', name);
  } catch {
    // already gone
  }
  rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
}

export class NetnsLab {
  private readonly namespaces: string[] = [];
  private readonly processes: Watched[] = [];
  readonly addresses = new Map<string, string>();
  /** Each host's end of its link on the bridge, by host. */
  private readonly bridgePorts = new Map<string, string>();

  private constructor(readonly id: string) {}

  /** One namespace per host, on a fresh private bridge; partial setups are torn down on failure. */
  static create(hosts: readonly string[]): NetnsLab {
    sweepStaleLabs();
    const lab = new NetnsLab(`${PREFIX}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`);
    try {
      const sw = lab.namespace('sw');
      ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
      ip('-n', sw, 'link', 'set', 'br0', 'up');
      for (const [i, host] of hosts.entries()) lab.addresses.set(host, `${SUBNET}.${i + 10}`);
      const hostsFile = ['127.0.0.1 localhost', ...[...lab.addresses].map(([h, a]) => `${a} ${h}`), ''].join(
        '\n',
      );
      hosts.forEach((host, i) => {
        const ns = lab.namespace(host);
        // Both ends are created inside their namespaces: the host's namespace never sees them.
        ip('link', 'add', `p${i}`, 'netns', sw, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
        lab.bridgePorts.set(host, `p${i}`);
        ip('-n', sw, 'link', 'set', `p${i}`, 'master', 'br0');
        ip('-n', sw, 'link', 'set', `p${i}`, 'up');
        ip('-n', ns, 'addr', 'add', `${lab.addresses.get(host)}/24`, 'dev', 'eth0');
        ip('-n', ns, 'link', 'set', 'eth0', 'up');
        mkdirSync(`/etc/netns/${ns}`, { recursive: true });
        writeFileSync(`/etc/netns/${ns}/hosts`, hostsFile);
      });
    } catch (err) {
      lab.destroySync();
      throw err;
    }
    return lab;
  }

  nsOf(host: string): string {
    return `${this.id}-${host}`;
  }

  /** Routes of a host's namespace (the test checks that none leads out). */
  routes(host: string): string[] {
    return ip('-n', this.nsOf(host), 'route', 'show', 'table', 'all')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.includes('table local'));
  }

  /** Runs `command args` in the host's namespace, with its hostname set, from `cwd`, with `env` added. */
  run(
    host: string,
    command: string,
    args: readonly string[],
    cwd: string,
    env: Record<string, string> = {},
  ): Watched {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.nsOf(host),
        'unshare',
        '--uts',
        'sh',
        '-c',
        'hostname "$0" && exec "$@"',
        host,
        command,
        ...args,
      ],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
    );
    const watched = new Watched(host, child);
    this.processes.push(watched);
    return watched;
  }

  /**
   * Cuts a host off from every other (or joins it again): its link on the bridge goes down,
   * so packets are lost both ways and open connections stall, as in a real partition,
   * rather than being refused.
   */
  isolate(host: string, cut = true): void {
    const port = this.bridgePorts.get(host);
    if (!port) throw new Error(`no host ${host} in this lab`);
    ip('-n', this.nsOf('sw'), 'link', 'set', port, cut ? 'down' : 'up');
  }

  async destroy(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop('SIGKILL')));
    this.destroySync();
  }

  private namespace(suffix: string): string {
    const name = `${this.id}-${suffix}`;
    ip('netns', 'add', name);
    this.namespaces.push(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    return name;
  }

  private destroySync(): void {
    for (const p of this.processes) if (p.running) p.child.kill('SIGKILL');
    for (const ns of this.namespaces.splice(0)) deleteNamespace(ns);
  }
}

/** Namespaces of this lab still present (for the teardown check). */
export const leftoverNamespaces = (lab: NetnsLab): string[] =>
  readdirSync('/run/netns').filter((n) => n.startsWith(`${lab.id}-`));

/** Namespaces still present of any lab the process `pid` made (none where there are none at all). */
export const leftoverNamespacesOf = (pid: number): string[] =>
  existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(`${PREFIX}-${pid}-`)) : [];
