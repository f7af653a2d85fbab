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
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Send } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../peer/logLine';
import type { PeerLogic, PeerState } from '../peer/node';
import { decodeMessage, encodeMessage } from './codec';
import { LineSplitter } from './frames';
import { PeerHost } from './host';
import { encodeRecord } from './storage';

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
 * The same, through the host: a throwaway PeerHost per peer of the cluster, wired to each
 * other in memory (frames encoded with their envelopes and decoded again, batches flushed
 * as the event loop does it), for `rounds` decisions. The code a real first message runs
 * (splitting bytes into lines, decode, the batch loop, encode, the log lines, a record's
 * encoding and checksum, arming timers) is then compiled,
 * and after a few rounds optimised. Nothing is written, sent or printed; timers are cleared.
 */
export async function rehearseHosts(logic: PeerLogic, rounds = 10): Promise<void> {
  const { cluster } = logic;
  const splitter = new LineSplitter(64 * 1024);
  for (let round = 0; round < rounds; round++) {
    const hosts = new Map<number, PeerHost>();
    for (const self of cluster.peers) {
      hosts.set(
        self.id,
        new PeerHost({
          logic,
          self,
          store: { save: (durable) => encodeRecord(durable) },
          // Through a splitter, as bytes from a socket go.
          outbox: {
            send: (to, frame) => {
              for (const event of splitter.push(Buffer.from(frame)))
                if (event.kind === 'line') hosts.get(to)?.receive(event.line, 'rehearsal');
            },
          },
          print: () => {},
          log: () => {},
          fatal: () => {},
          timeScale: 1e6,
          rehearsal: true,
        }),
      );
    }
    for (const g of cluster.groups) hosts.get(g.proposer)?.start(`rehearsal-${g.id}`, 0);
    // Deliveries chain through setImmediate; a few turns of idle() see them all through.
    for (let turn = 0; turn < 50; turn++) {
      await Promise.all([...hosts.values()].map((h) => h.idle()));
      await new Promise((r) => setImmediate(r));
    }
    for (const h of hosts.values()) h.stop();
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
