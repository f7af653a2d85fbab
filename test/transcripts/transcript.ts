/**
 * Transcript tests in the style of etcd-io/raft's datadriven files: a scenario is a text
 * file of steps, each followed by `----` and what the peers did in that step (messages,
 * timers armed, durable state written, chose lines). The real machines run in the
 * simulator; the runner prints what happened and compares it with the file. With
 * UPDATE_TRANSCRIPTS=1 it rewrites the files instead, to be reviewed as a diff.
 *
 * Steps (peers by hostname, messages by type, sender and destination):
 *   start peer1 X                     peer1's proposer starts with X
 *   deliver prepare peer1->peer2      the oldest such message in flight arrives
 *   deliver all [peerN]               every message in flight (to peerN), oldest first, until none is left
 *   drop accept peer1->peer3          it is lost
 *   duplicate prepare peer1->peer2    the network makes a second copy
 *   crash peer3                       SIGKILL and restart: durable state kept, the rest lost
 *   timeout peer1                     peer1's armed timer fires (nothing happens if none is armed)
 *   inflight                          what is on the wire
 * A message can be narrowed with n=N.
 */
import { readFileSync } from 'node:fs';
import type { Message, PeerId, Send } from '../../machines/messages';
import { describeTimer } from '../../machines/timers';
import type { ClusterConfig } from '../../src/config/cluster';
import { loadHostsfile } from '../../src/config/hostsfile';
import { createPeerLogic, type PeerDurable } from '../../src/peer/node';
import { type Applied, createSimulator, type SimStep, type Simulator, type World } from '../../src/sim';

export interface Block {
  command: string;
  expected: string;
  /** 1-based line of the command, for failure messages. */
  line: number;
}

export function parseTranscript(text: string): { header: string; blocks: Block[] } {
  const lines = text.split('\n');
  const header: string[] = [];
  let i = 0;
  while (i < lines.length && (lines[i]?.startsWith('#') || lines[i]?.trim() === ''))
    header.push(lines[i++] ?? '');
  const blocks: Block[] = [];
  while (i < lines.length) {
    if ((lines[i] ?? '').trim() === '') {
      i++;
      continue;
    }
    const line = i + 1;
    const command = lines[i++] ?? '';
    if (lines[i] !== '----') throw new Error(`line ${i + 1}: expected ---- after "${command}"`);
    i++;
    const out: string[] = [];
    while (i < lines.length && (lines[i] ?? '') !== '') out.push(lines[i++] ?? '');
    blocks.push({ command, expected: out.join('\n'), line });
  }
  return { header: header.join('\n').trimEnd(), blocks };
}

export function formatTranscript(header: string, blocks: { command: string; actual: string }[]): string {
  return `${header}\n\n${blocks.map((b) => `${b.command}\n----\n${b.actual}`).join('\n\n')}\n`;
}

const show = (v: string | null) => (v === null ? '-' : JSON.stringify(v));

function describeMessage(m: Message): string {
  switch (m.type) {
    case 'prepare':
      return `prepare n=${m.n}`;
    case 'prepare_ack':
      return `prepare_ack n=${m.n} ${m.promised ? 'promised' : 'refused'} min=${m.minProposal} accepted=${m.acceptedProposal}:${show(m.acceptedValue)}`;
    case 'accept':
      return `accept n=${m.n} value=${show(m.value)}`;
    case 'accept_ack':
      return `accept_ack n=${m.n} ${m.minProposal === m.n ? 'accepted' : 'rejected'} min=${m.minProposal} value=${show(m.value)}`;
    case 'chose':
      return `chose n=${m.n} value=${show(m.value)}`;
  }
}

function describeDurable(d: PeerDurable): string[] {
  const out: string[] = [];
  for (const [k, p] of Object.entries(d.proposers))
    out.push(`proposer${k} n=${p.n}${p.chosen ? ` chosen=${p.chosen.n}:${show(p.chosen.value)}` : ''}`);
  if (d.acceptor)
    out.push(
      `acceptor min=${d.acceptor.minProposal} accepted=${d.acceptor.acceptedProposal}:${show(d.acceptor.acceptedValue)}`,
    );
  if (d.learner)
    out.push(
      `learner ${d.learner.learned ? `learned n=${d.learner.learned.n} value=${show(d.learner.learned.value)}` : 'nothing'}`,
    );
  return out;
}

export class TranscriptRun {
  readonly cluster: ClusterConfig;
  private readonly sim: Simulator;
  private readonly world: World;

  constructor(hostsfile: string) {
    this.cluster = loadHostsfile(hostsfile);
    this.sim = createSimulator(createPeerLogic(this.cluster));
    this.world = this.sim.initial();
  }

  private host(id: PeerId): string {
    return this.cluster.peers.find((p) => p.id === id)?.host ?? `#${id}`;
  }

  private id(host: string): PeerId {
    const p = this.cluster.peers.find((x) => x.host === host);
    if (!p) throw new Error(`no peer ${host} in ${this.cluster.source}`);
    return p.id;
  }

  private proposerGroup(host: string): number {
    const group = this.cluster.peers.find((x) => x.host === host)?.proposer[0];
    if (group === undefined) throw new Error(`${host} holds no proposer`);
    return group;
  }

  private sendLine(s: Send): string {
    return `${this.host(s.message.from)}->${this.host(s.to)} ${describeMessage(s.message)}`;
  }

  /** Everything one applied step did, a line each. */
  private render(a: Applied, before: Map<PeerId, string[]>): string[] {
    const out: string[] = [];
    if (a.peer !== undefined && !a.handled && a.step.kind !== 'restart')
      out.push(`${this.host(a.peer)} ignores it`);
    for (const s of a.sends) out.push(`send ${this.sendLine(s)}`);
    if (a.peer !== undefined) {
      for (const t of a.timers)
        out.push(`timer ${this.host(a.peer)} proposer${t.group} ${describeTimer(t.timer)}`);
      // Only what changed: the parts of the durable state this step wrote anew.
      const was = before.get(a.peer) ?? [];
      for (const d of describeDurable(this.sim.durableOf(this.world, a.peer)))
        if (!was.includes(d)) out.push(`durable ${this.host(a.peer)} ${d}`);
    }
    if (a.learned && a.peer !== undefined)
      out.push(`chose ${this.host(a.peer)} n=${a.learned.n} value=${show(a.learned.value)}`);
    return out;
  }

  private apply(step: SimStep): string[] {
    const before = new Map(
      this.sim.peerIds.map((id) => [id, describeDurable(this.sim.durableOf(this.world, id))]),
    );
    const a = this.sim.apply(this.world, step);
    return this.render(a, before);
  }

  /** The index in flight of the oldest message that fits `type from->to [n=N]`. */
  private find(args: string[]): number {
    const [type, route, narrow] = args;
    const [from, to] = (route ?? '').split('->');
    if (!type || !from || !to) throw new Error(`expected TYPE FROM->TO [n=N], got "${args.join(' ')}"`);
    const n = narrow?.startsWith('n=') ? Number(narrow.slice(2)) : undefined;
    const at = this.world.inFlight.findIndex(
      (s) =>
        s.message.type === type &&
        s.message.from === this.id(from) &&
        s.to === this.id(to) &&
        (n === undefined || s.message.n === n),
    );
    if (at < 0)
      throw new Error(
        `no ${args.join(' ')} in flight; in flight: ${this.inflight().join('; ') || 'nothing'}`,
      );
    return at;
  }

  private inflight(): string[] {
    return this.world.inFlight.map((s) => this.sendLine(s));
  }

  run(command: string): string {
    const [verb, ...args] = command.trim().split(/\s+/);
    const out: string[] = [];
    switch (verb) {
      case 'start': {
        const [host, value] = args;
        if (!host || !value) throw new Error('start HOST VALUE');
        out.push(...this.apply({ kind: 'start', group: this.proposerGroup(host), value }));
        break;
      }
      case 'deliver':
        if (args[0] === 'all') {
          const only = args[1] ? this.id(args[1]) : undefined;
          for (;;) {
            const at = this.world.inFlight.findIndex((s) => only === undefined || s.to === only);
            if (at < 0) break;
            const s = this.world.inFlight[at] as Send;
            out.push(
              `deliver ${this.sendLine(s)}`,
              ...this.apply({ kind: 'deliver', index: at }).map((l) => `  ${l}`),
            );
          }
        } else out.push(...this.apply({ kind: 'deliver', index: this.find(args) }));
        break;
      case 'drop':
        this.apply({ kind: 'drop', index: this.find(args) });
        out.push(`lost; in flight: ${this.world.inFlight.length}`);
        break;
      case 'duplicate':
        this.apply({ kind: 'duplicate', index: this.find(args) });
        out.push(`copied; in flight: ${this.world.inFlight.length}`);
        break;
      case 'crash': {
        const [host] = args;
        if (!host) throw new Error('crash HOST');
        this.apply({ kind: 'restart', peer: this.id(host) });
        const d = describeDurable(this.sim.durableOf(this.world, this.id(host)));
        out.push(`${host} restarted from: ${d.join(', ') || 'nothing'}`);
        break;
      }
      case 'timeout': {
        const [host] = args;
        if (!host) throw new Error('timeout HOST');
        out.push(...this.apply({ kind: 'timeout', group: this.proposerGroup(host) }));
        break;
      }
      case 'inflight':
        out.push(...this.inflight());
        break;
      default:
        throw new Error(`unknown step "${command}"`);
    }
    return out.length > 0 ? out.join('\n') : 'ok';
  }
}

/** The hostsfile a transcript names on its first line: `# hostsfile: FILE`. */
export function hostsfileOf(text: string, file: string): string {
  const m = /^# hostsfile: (\S+)/m.exec(text);
  if (!m?.[1]) throw new Error(`${file}: the header must name the cluster: "# hostsfile: FILE"`);
  return m[1];
}

export const readTranscript = (file: string) => readFileSync(file, 'utf8');
