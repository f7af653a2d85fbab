/**
 * One peer as an operating-system process: storage, network, host and signals wired
 * together. `paxos peer` (and so the Docker image) runs exactly this.
 */
import type { Value } from '../../machines/messages';
import { type ClusterConfig, type PeerConfig, sendersTo, sendTargets } from '../config/cluster';
import { createPeerLogic } from '../peer/node';
import { AddressBook, type AddressOverrides } from './addresses';
import { type BatchTiming, PeerHost } from './host';
import { DurableStore, ForeignStateError, StorageError } from './storage';
import { TraceFile } from './traceFile';
import { Transport } from './transport';
import { collectRehearsalGarbage, rehearse, rehearseHosts } from './warmup';

export interface PeerRunOptions {
  cluster: ClusterConfig;
  self: PeerConfig;
  value?: Value;
  startDelayMs: number;
  port: number;
  dataDir: string;
  addresses: AddressOverrides;
  /** Where to append the structured trace (`--trace`). */
  traceFile?: string;
  /** Shared secrets (`--secret-file`): frames are authenticated; none, and they are not. */
  secrets?: readonly Buffer[];
}

const printLines = (lines: readonly string[]) => {
  process.stdout.write(`${lines.join('\n')}\n`);
};
const logLine = (text: string) => {
  process.stderr.write(`${text}\n`);
};

/**
 * PAXOS_TIMING=1: one stderr line per batch, `timing {...}`, with its times on the machine's
 * monotonic clock (shared by all its processes) and what it printed (`sent:prepare_ack`,
 * `chose`, ...), for bench/latency.ts's breakdown of where a decision's time goes.
 */
const timingWanted = process.env.PAXOS_TIMING === '1';
const timings: BatchTiming[] = [];
/** Written a little later, in one go: formatting and writing them between the batches of a decision would slow the decision being measured. */
const flushTimings = () => {
  const text = timings.splice(0).map((t) => {
    const printed = t.lines.map((l) => {
      const { action, message_type } = JSON.parse(l) as { action: string; message_type: string };
      return action === 'chose' ? 'chose' : `${action}:${message_type}`;
    });
    const { arrived, stepped, durable, sent, inputs, saved, cpu, sys } = t;
    return `timing ${JSON.stringify({ arrived, stepped, durable, sent, inputs, saved, cpu, sys, printed })}\n`;
  });
  if (text.length > 0) process.stderr.write(text.join(''));
};
const logTiming = (t: BatchTiming) => {
  if (timings.push(t) === 1) setTimeout(flushTimings, 20);
};

/** Says what the options leave out, then opens the peer's durable state (exits if it cannot). */
function openStore(options: PeerRunOptions): ReturnType<typeof DurableStore.open> {
  const { cluster, self } = options;
  if (self.proposer.length > 0 && options.value === undefined)
    logLine(
      `${self.host} holds ${self.proposer.map((k) => `proposer${k}`).join(', ')} but has no -v value: it will not propose`,
    );
  if (self.proposer.length === 0 && options.value !== undefined)
    logLine(`${self.host} holds no proposer role: -v ${options.value} is ignored`);

  let opened: ReturnType<typeof DurableStore.open>;
  try {
    opened = DurableStore.open(options.dataDir, cluster, self);
  } catch (err) {
    logLine(`error: ${err instanceof StorageError ? err.message : String(err)}`);
    process.exit(err instanceof ForeignStateError ? 2 : 1);
  }
  if (opened.tornBytes > 0)
    logLine(`${opened.store.file}: a save torn by a crash (${opened.tornBytes} bytes) was discarded`);
  const learned = opened.durable?.learner?.learned;
  if (learned)
    logLine(
      `already decided ${learned.value} at proposal ${learned.n} (state in ${options.dataDir}); ` +
        'remove it or use a fresh --data-dir for a new run',
    );
  return opened;
}

/** Runs until SIGINT/SIGTERM (exit 0) or a fatal error (exit 1). Resolves once the peer is up. */
export async function runPeer(options: PeerRunOptions): Promise<void> {
  const { cluster, self } = options;
  const opened = openStore(options);

  let host: PeerHost | undefined;
  /** A frame has come in: the decision has begun, and the rehearsal gives way. */
  let live = false;
  if (!options.secrets || options.secrets.length === 0)
    logLine(
      'frames are not authenticated (no --secret-file): anyone who reaches this port can speak for any peer',
    );
  const transport = new Transport({
    cluster,
    ...(options.secrets && options.secrets.length > 0 ? { secrets: options.secrets } : {}),
    selfHost: self.host,
    addresses: new AddressBook(options.port, options.addresses),
    inbound: {
      frame: (line, remote) => {
        live = true;
        return host?.receive(line, remote);
      },
      badInput: (problem, remote) => host?.badInput(problem, remote),
    },
    log: logLine,
  });
  // Listening before the rehearsal in memory: a peer that starts together with this one
  // connects at once, and its frames wait in the kernel until this one is ready, instead of
  // its link backing off. (Nothing is read before the host exists: all until then is synchronous.)
  const listening = transport.listen();
  // process.stdout is made on first use; made now, the first protocol line does not pay for it.
  void process.stdout.writable;
  const logic = createPeerLogic(cluster);
  rehearse(logic);
  let trace: TraceFile | undefined;
  if (options.traceFile !== undefined) {
    try {
      trace = new TraceFile(options.traceFile);
    } catch (err) {
      logLine(`error: --trace ${options.traceFile}: ${(err as Error).message}`);
      process.exit(2);
    }
  }
  host = new PeerHost({
    logic,
    self,
    store: opened.store,
    ...(opened.store.id === undefined ? {} : { storeId: opened.store.id }),
    ...(opened.durable ? { durable: opened.durable } : {}),
    outbox: transport,
    print: printLines,
    log: logLine,
    ...(timingWanted ? { onBatch: logTiming } : {}),
    ...(trace ? { trace } : {}),
    fatal: (err) => {
      logLine(`fatal: cannot make the state durable in ${options.dataDir}: ${err.message}`);
      process.exit(1);
    },
  });

  const shutdown = () => {
    host?.stop();
    if (timingWanted) flushTimings();
    void transport.close().finally(() => process.exit(0));
    // Closing waits for nothing that matters; do not let a stuck socket hold the exit.
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  try {
    await listening;
  } catch (err) {
    const listen = new AddressBook(options.port, options.addresses).listenOn(self.host);
    logLine(`error: cannot listen on ${listen.host ?? ''}:${listen.port}: ${(err as Error).message}`);
    process.exit(1);
  }
  // Links to those it sends to, and to those that send to it, whose first frame, a hello,
  // tells them it is up (a link of theirs may be waiting out a reconnect backoff).
  transport.warm([...new Set([...sendTargets(cluster, self), ...sendersTo(cluster, self)])]);
  // The rehearsal through hosts runs once the peer is up, in turns of the event loop, so a
  // peer is reachable at once (Compose may start it last) and real messages go first. Once
  // real frames come in it stops after its current round, and the full collection (several
  // milliseconds) is left out: both would take the processor from the decision under way.
  let rehearsed = 0;
  if (options.value !== undefined) {
    // A proposer's first round runs code the rehearsal in memory does not reach (sockets,
    // printing): a few rounds through the hosts first, tens of milliseconds. Then it
    // proposes, as the lab's testcase 2 needs peer1 to, well before peer5's -t 1; the rest
    // of the rehearsal gives way to it as to a frame.
    const began = performance.now();
    rehearsed = (await rehearseHosts(logic, ROUNDS_BEFORE_PROPOSING, () => live)).rounds;
    const delayMs = Math.max(0, options.startDelayMs - (performance.now() - began));
    host.start(options.value, delayMs);
    setTimeout(() => {
      live = true;
    }, delayMs).unref();
  }
  const report = await rehearseHosts(logic, REHEARSAL_ROUNDS - rehearsed, () => live);
  if (rehearsed + report.rounds === REHEARSAL_ROUNDS) collectRehearsalGarbage();
}

const REHEARSAL_ROUNDS = 10;
const ROUNDS_BEFORE_PROPOSING = 3;
