/**
 * Runs the peer's whole code path once, in memory, before the peer goes live. V8 compiles
 * a function the first time it runs, and a fresh process meets XState's transition code,
 * the machines, the codec and the log lines for the first time on its first messages:
 * measured, that first decision spent about 40 ms in compilation, twenty times the cost of
 * its fsyncs and round trips. A rehearsal of a decision for this cluster (every proposer
 * starting, messages delivered in order, each one encoded and decoded as on the wire, each
 * log line formatted) moves that cost to start-up, where nobody waits for it.
 *
 * Pure: it uses fresh peer states and touches no socket, file or clock.
 */
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { PeerId, Send } from '../../machines/messages';
import { type ClusterConfig, sendTargets } from '../config/cluster';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../peer/logLine';
import type { PeerLogic, PeerState } from '../peer/node';
import { AddressBook, type Endpoint } from './addresses';
import { decodeMessage, encodeMessage } from './codec';
import { LineSplitter } from './frames';
import { type Outbox, PeerHost } from './host';
import { encodeRecord } from './storage';
import { Transport } from './transport';

export function rehearse(logic: PeerLogic, cluster: ClusterConfig = logic.cluster): number {
  const states = new Map<number, PeerState>(cluster.peers.map((p) => [p.id, logic.init(p.id)]));
  const wire: Send[] = [];
  let steps = 0;
  const take = (id: number, r: ReturnType<PeerLogic['step']>) => {
    states.set(id, r.state);
    steps++;
    for (const s of r.sends) {
      formatLogLine(sentLine(id, s.message));
      const decoded = decodeMessage(encodeMessage(s.message).trimEnd(), cluster, s.to);
      if (decoded.ok) wire.push({ ...s, message: decoded.message });
    }
    if (r.learned) formatLogLine(choseLine(id, r.learned));
  };
  // Two rounds: the first proposer decides, the others then meet its accepted value and refusals.
  for (const round of [0, 1]) {
    for (const g of cluster.groups) {
      const state = states.get(g.proposer);
      if (!state) continue;
      const input =
        round === 0
          ? ({ type: 'start', value: `warm-up-${g.id}`, group: g.id } as const)
          : ({ type: 'timeout', group: g.id } as const);
      take(g.proposer, logic.step(g.proposer, state, input));
    }
    for (let m = wire.shift(); m && steps < 10_000; m = wire.shift()) {
      const state = states.get(m.to);
      if (!state) continue;
      formatLogLine(receivedLine(m.message));
      take(m.to, logic.step(m.to, state, { type: 'deliver', message: m.message }));
    }
  }
  for (const state of states.values()) encodeRecord(logic.durable(state));
  return steps;
}

/**
 * The same, through the host and the real network code: a throwaway PeerHost per peer of
 * the cluster, each with its own Transport listening on a loopback port (127.0.0.2), for `rounds`
 * decisions. The code a real first message runs is then compiled and has its feedback:
 * Node's socket read and write paths, the framing, decode, the batch loop, encode, the log
 * lines (written to a loopback socket, the stream path a write to stdout takes), a record's
 * encoding and checksum, arming timers. Measured on one acceptor, a first real batch spent
 * about 0.7 ms waiting for its turn, printing and sending when this rehearsal stopped short
 * of the sockets, 0.4 ms since. Nothing is written to disk or stdout, nothing reaches another
 * process (a local stranger who finds the ports in those milliseconds reaches throwaway
 * hosts), and timers are cleared. Without a loopback interface the hosts are wired to each
 * other in memory instead.
 */
export async function rehearseHosts(
  logic: PeerLogic,
  rounds = 10,
  /** Asked before each round: true stops the rehearsal there. */
  stop: () => boolean = () => false,
): Promise<RehearsalReport> {
  const { cluster } = logic;
  let hosts = new Map<number, PeerHost>();
  const wired = await loopbackNetwork(cluster, (to, line) => hosts.get(to)?.receive(line, 'rehearsal'));
  const splitter = new LineSplitter(64 * 1024);
  const inMemory: Outbox = {
    send: (to, frame) => {
      for (const event of splitter.push(Buffer.from(frame)))
        if (event.kind === 'line') hosts.get(to)?.receive(event.line, 'rehearsal');
    },
  };
  let chose = 0;
  let round = 0;
  try {
    for (; round < rounds && !stop(); round++) {
      // Messages sent and not yet received in this round, counted from the hosts' lines.
      let inFlight = 0;
      let batches = 0;
      hosts = new Map();
      for (const self of cluster.peers) {
        hosts.set(
          self.id,
          new PeerHost({
            logic,
            self,
            store: { save: (durable) => encodeRecord(durable) },
            outbox: wired?.transports.get(self.id) ?? inMemory,
            print: wired ? (lines) => wired.sink.write(`${lines.join('\n')}\n`) : () => {},
            log: () => {},
            fatal: () => {},
            timeScale: 1e6,
            rehearsal: true,
            onBatch: (t) => {
              batches++;
              for (const line of t.lines)
                if (line.includes('"action":"sent"')) inFlight++;
                else if (line.includes('"action":"received"')) inFlight--;
                else if (line.includes('"action":"chose"')) chose++;
            },
          }),
        );
      }
      for (const g of cluster.groups) hosts.get(g.proposer)?.start(`rehearsal-${g.id}`, 0);
      // A round is over when every message sent has been received and handled (no timer
      // fires: they are scaled out of reach), or after a second in any case.
      const began = performance.now();
      for (;;) {
        await Promise.all([...hosts.values()].map((h) => h.idle()));
        if ((batches > 0 && inFlight === 0) || performance.now() - began > 1000) break;
        await new Promise((r) => setTimeout(r, 1));
      }
      for (const h of hosts.values()) h.stop();
    }
  } finally {
    await wired?.close();
  }
  return { network: wired ? 'loopback' : 'memory', rounds: round, chose };
}

export interface RehearsalReport {
  /** How the throwaway hosts were wired: through sockets on loopback, or in memory. */
  network: 'loopback' | 'memory';
  /** Rounds run: fewer than asked when `stop` said so. */
  rounds: number;
  /** Chose lines the rehearsal's peers printed, over all its rounds. */
  chose: number;
}

interface LoopbackNetwork {
  transports: Map<number, Transport>;
  /** A connection whose far end reads and drops what is written. */
  sink: net.Socket;
  close(): Promise<void>;
}

/**
 * Not 127.0.0.1: peers of a local cluster listen there on ports picked free in advance, and
 * a rehearsal's ephemeral listeners and connections could take one of them first (a peer
 * started or restarted later then met EADDRINUSE). Linux routes all of 127/8 to loopback;
 * where this address is not usable, the rehearsal runs in memory.
 */
const REHEARSAL_ADDRESS = '127.0.0.2';

/** One Transport per peer on REHEARSAL_ADDRESS, linked to each other; undefined if that is not usable. */
async function loopbackNetwork(
  cluster: ClusterConfig,
  deliver: (to: number, line: string) => PeerId | undefined,
): Promise<LoopbackNetwork | undefined> {
  const overrides = new Map<string, Endpoint>(
    cluster.peers.map((p) => [p.host, { host: REHEARSAL_ADDRESS, port: 0 }]),
  );
  const transports = new Map<number, Transport>();
  const drain = net.createServer((socket) => socket.on('data', () => {}).on('error', () => {}));
  let sink: net.Socket | undefined;
  const close = async () => {
    sink?.destroy();
    drain.close();
    await Promise.all([...transports.values()].map((t) => t.close()));
  };
  try {
    for (const self of cluster.peers) {
      const transport = new Transport({
        cluster,
        selfHost: self.host,
        addresses: new AddressBook(0, overrides),
        inbound: { frame: (line) => deliver(self.id, line), badInput: () => {} },
        log: () => {},
      });
      transports.set(self.id, transport);
      const { port } = await transport.listen();
      overrides.set(self.host, { host: REHEARSAL_ADDRESS, port });
    }
    await new Promise<void>((resolve, reject) => {
      drain.once('error', reject);
      drain.listen({ host: REHEARSAL_ADDRESS, port: 0 }, resolve);
    });
    const { port } = drain.address() as net.AddressInfo;
    sink = await new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: REHEARSAL_ADDRESS, port }, () => resolve(socket));
      socket.once('error', reject);
    });
    for (const self of cluster.peers) transports.get(self.id)?.warm(sendTargets(cluster, self));
    return { transports, sink, close };
  } catch {
    await close();
    return undefined;
  }
}

/**
 * A full collection once the rehearsals are over. They leave megabytes of garbage in the
 * young generation, and the allocations of the first real decision would otherwise trigger
 * its scavenge: profiled, a fifth of the CPU time of an acceptor's and the proposer's part
 * of the first decision was garbage collection. Node exposes `gc` only under --expose-gc;
 * the flag can be set at run time, and a new context then has the function.
 */
export function collectRehearsalGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  gc?.();
}
