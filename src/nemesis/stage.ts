/**
 * The stage of one nemesis run, whatever the workload: a port per peer (and more if asked),
 * a fault proxy per directed pair of peers, the peer processes, and the plan's faults armed
 * against them until the heal. The lab's run (run.ts) and the register service's
 * (registers/run.ts) differ only in what the peers are and what is checked afterwards.
 */
import path from 'node:path';
import { formatAddressOverride } from '../runtime/addresses';
import { mulberry32 } from '../sim/prng';
import { type FaultCounts, mixSeed, noFaults, type PlannedFault, type RunPlan } from './plan';
import { releasePorts, reservePorts } from './ports';
import { type PeerCommand, PeerProcess } from './processes';
import { FaultProxy } from './proxy';

const linkKey = (from: string, to: string) => `${from}->${to}`;

/** A fault as it happened, for a history's nemesis lines: `start-kill-peer2`, `stop-kill-peer2`, `heal`. */
export type FaultNote = (f: string, value: unknown) => void;

/** A listening fault proxy for every link, each drawing its faults from its own seed. */
async function openProxies(
  hosts: readonly string[],
  portOf: (host: string) => number,
  seed: number,
  counts: FaultCounts,
): Promise<Map<string, FaultProxy>> {
  const proxies = new Map<string, FaultProxy>();
  for (const [i, from] of hosts.entries())
    for (const [j, to] of hosts.entries()) {
      if (i === j) continue;
      const proxy = new FaultProxy({
        name: linkKey(from, to),
        targetPort: portOf(to),
        random: mulberry32(mixSeed(seed, i + 1, j + 1)),
        counts,
      });
      proxies.set(linkKey(from, to), proxy);
    }
  return proxies;
}

/** Resolves once `done()` holds (re-checked whenever `setWake`'s callback runs and every 50 ms) or after `ms`. */
export function waitUntil(done: () => boolean, setWake: (w: () => void) => void, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearInterval(poll);
      clearTimeout(limit);
      setWake(() => {});
      resolve();
    };
    const check = () => {
      if (done()) finish();
    };
    const poll = setInterval(check, 50);
    const limit = setTimeout(finish, ms);
    setWake(check);
    check();
  });
}

export class Stage {
  readonly peers = new Map<string, PeerProcess>();
  private readonly proxyPorts = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly restarts: Promise<void>[] = [];
  private healing = false;
  private launchedAt = Date.now();
  /** Faults begun and not yet ended, by name: the heal ends them all. */
  private readonly going = new Set<string>();
  private partitions = 0;
  /** Called whenever a peer prints: whoever waits on the peers re-checks. */
  wake: () => void = () => {};

  private constructor(
    readonly hosts: readonly string[],
    private readonly ports: readonly number[],
    readonly counts: FaultCounts,
    readonly proxies: ReadonlyMap<string, FaultProxy>,
    private readonly note: FaultNote,
  ) {}

  private begin(name: string, value: unknown): void {
    this.going.add(name);
    this.note(`start-${name}`, value);
  }

  private end(name: string): void {
    if (this.going.delete(name)) this.note(`stop-${name}`, null);
  }

  /** Ports for every host and `extraPorts` more (see `port`), and the proxies between the hosts. */
  static async open(hosts: readonly string[], seed: number, extraPorts = 0, note: FaultNote = () => {}) {
    // Not the plan's generator: which ports are free is the machine's business, not the seed's.
    const ports = await reservePorts(hosts.length + extraPorts, mulberry32(mixSeed(seed, Date.now() >>> 0)));
    const counts = noFaults();
    const proxies = await openProxies(hosts, (h) => ports[hosts.indexOf(h)] as number, seed, counts);
    const stage = new Stage(hosts, ports, counts, proxies, note);
    for (const [k, proxy] of proxies) stage.proxyPorts.set(k, await proxy.listen());
    return stage;
  }

  /** Host `host`'s own port; `port(i)` with a number is the i-th extra port. */
  port(host: string | number): number {
    const i = typeof host === 'number' ? this.hosts.length + host : this.hosts.indexOf(host);
    return this.ports[i] as number;
  }

  /**
   * What `paxos peer` and `paxos serve` take alike for `host` on this stage: the hostsfile, its
   * name, own port and data directory, every other peer through its link's proxy.
   */
  peerArgs(host: string, o: { hostsfile: string; dataRoot: string; allowUnsafeQuorums: boolean }): string[] {
    return [
      ...['-h', o.hostsfile, '--name', host, '--port', String(this.port(host))],
      ...['--data-dir', path.join(o.dataRoot, host)],
      ...this.addressArgs(host),
      ...(o.allowUnsafeQuorums ? ['--allow-unsafe-quorums'] : []),
    ];
  }

  /** `--peer-address` flags for `host`: every other peer reached through its link's proxy. */
  private addressArgs(host: string): string[] {
    return this.hosts.flatMap((to) => [
      '--peer-address',
      formatAddressOverride(to, {
        host: '127.0.0.1',
        port: to === host ? this.port(host) : (this.proxyPorts.get(linkKey(host, to)) as number),
      }),
    ]);
  }

  /** ms since the peers were launched. */
  readonly since = (): number => Date.now() - this.launchedAt;

  addPeer(host: string, command: PeerCommand): PeerProcess {
    const peer = new PeerProcess(host, command, this.since, () => this.wake());
    this.peers.set(host, peer);
    return peer;
  }

  launch(): void {
    this.launchedAt = Date.now();
    for (const p of this.peers.values()) p.start();
  }

  /** From now until the heal: the proxies' frame faults, and the plan's process faults and partitions. */
  inject(plan: RunPlan): void {
    for (const proxy of this.proxies.values()) proxy.faults = plan.network;
    for (const f of plan.faults) this.arm(f);
  }

  private at(ms: number, f: () => void | Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void f();
    }, ms);
    this.timers.add(t);
  }

  /** One planned fault; none starts once the heal has begun. */
  private arm(f: PlannedFault): void {
    if (f.kind === 'kill') this.at(f.at, () => this.kill(f.peer, f.downMs));
    else if (f.kind === 'pause')
      this.at(f.at, () => {
        const p = this.peers.get(f.peer) as PeerProcess;
        if (this.healing || !p.running || !p.pause()) return;
        this.counts.pause += 1;
        this.begin(`pause-${f.peer}`, f.peer);
        this.at(f.downMs, () => {
          p.resume();
          this.end(`pause-${f.peer}`);
        });
      });
    else {
      const crossing = this.hosts.flatMap((a) =>
        this.hosts
          .filter((b) => a !== b && f.side.includes(a) !== f.side.includes(b))
          .map((b) => this.proxies.get(linkKey(a, b)) as FaultProxy),
      );
      this.at(f.at, () => {
        if (this.healing) return;
        this.counts.partition += 1;
        const name = `partition-${++this.partitions}`;
        this.begin(name, { side: f.side, mode: f.mode });
        const heals = crossing.map((proxy) => proxy.cut(f.mode));
        this.at(f.downMs, () => {
          for (const heal of heals) heal();
          this.end(name);
        });
      });
    }
  }

  private kill(host: string, downMs: number): void {
    const p = this.peers.get(host) as PeerProcess;
    if (this.healing || !p.running) return;
    this.counts.kill += 1;
    this.begin(`kill-${host}`, host);
    // The heal waits for the kill itself, not for the restart, which it does at once instead.
    this.restarts.push(
      p.kill().then(() =>
        this.at(downMs, () => {
          if (this.healing) return;
          p.start();
          this.end(`kill-${host}`);
        }),
      ),
    );
  }

  /** Ends every fault: partitions closed, frames pass untouched, killed peers restarted, paused ones continued. */
  async heal(): Promise<void> {
    this.healing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.restarts);
    for (const proxy of this.proxies.values()) {
      proxy.faults = undefined;
      proxy.healAll();
    }
    for (const p of this.peers.values()) {
      p.resume();
      if (!p.running) p.start();
    }
    for (const name of [...this.going]) this.end(name);
  }

  /** Stops every peer and proxy and frees the ports, whatever state the run is in. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled(this.restarts);
    await Promise.all([...this.peers.values()].map((p) => p.stop()));
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
    releasePorts(this.ports);
  }
}
