/**
 * One register peer as an operating-system process (`paxos serve`): its store, its
 * network, its host and, if it holds a proposer role, the HTTP API, wired together.
 */
import { majority } from '../../machines/messages';
import { type ClusterConfig, type PeerConfig, rolesOf } from '../config/cluster';
import { createRegisterPeerLogic } from '../registers/peer';
import { AddressBook, type AddressOverrides } from '../runtime/addresses';
import { fault } from '../runtime/failpoints';
import { clusterFingerprint, ForeignStateError } from '../runtime/storage';
import { Transport } from '../runtime/transport';
import type { OpenStore, RegisterStore } from '../storage/store';
import { forgetfulStore, getFromOne } from './faults';
import { MAX_REGISTER_FRAME_BYTES } from './frames';
import { RegisterHost } from './host';
import { buildApp, type Health, type Service } from './http';
import type { Layout } from './layout';
import { ServeMetrics } from './metrics';
import { ServeTracer } from './tracer';

export interface ServeOptions {
  cluster: ClusterConfig;
  self: PeerConfig;
  layout: Layout;
  port: number;
  clientPort: number;
  dataDir: string;
  addresses: AddressOverrides;
  secrets?: readonly Buffer[];
  requestTimeoutMs: number;
  openStore: OpenStore;
  /** `--trace FILE`: record every step for `paxos trace`. */
  traceFile?: string;
}

const logLine = (text: string) => {
  process.stderr.write(`${text}\n`);
};

const fail = (text: string, code: number): never => {
  logLine(`error: ${text}`);
  process.exit(code);
};

async function openOrExit(options: ServeOptions): Promise<RegisterStore> {
  const owner = { cluster: clusterFingerprint(options.cluster), peer: options.self.id };
  try {
    const store = await options.openStore(options.dataDir, owner);
    return fault === 'forget-on-restart' ? forgetfulStore(store) : store;
  } catch (err) {
    return fail((err as Error).message, err instanceof ForeignStateError ? 2 : 1);
  }
}

/** Whether this peer, counting itself, reaches a majority of every key's acceptors. */
function healthOf(options: ServeOptions, transport: Transport): Health {
  const { self, layout } = options;
  const up = new Set([...transport.reachable(), self.id]);
  const reached = layout.acceptors.filter((a) => up.has(a)).length;
  return {
    name: self.host,
    id: self.id,
    roles: rolesOf(self),
    majority: reached >= majority(layout.acceptors.length),
  };
}

/** Runs until SIGINT/SIGTERM (exit 0) or a fatal error (exit 1); resolves once it serves. */
export async function runServe(options: ServeOptions): Promise<void> {
  const { cluster, self } = options;
  const store = await openOrExit(options);
  const metrics = new ServeMetrics();
  const addresses = new AddressBook(options.port, options.addresses);
  let host: RegisterHost | undefined;
  const transport = new Transport({
    cluster,
    selfHost: self.host,
    addresses,
    maxLineBytes: MAX_REGISTER_FRAME_BYTES,
    ...(options.secrets && options.secrets.length > 0 ? { secrets: options.secrets } : {}),
    inbound: {
      frame: (line, remote) => host?.receive(line, remote),
      badInput: (problem, remote) => host?.badInput(problem, remote),
    },
    log: logLine,
  });
  if (!options.secrets || options.secrets.length === 0)
    logLine(
      'frames are not authenticated (no --secret-file): anyone who reaches the peer port can speak for any peer',
    );
  host = new RegisterHost({
    logic: createRegisterPeerLogic({ peers: cluster.peers.map((p) => p.id), layout: options.layout }),
    cluster,
    self: self.id,
    store,
    outbox: transport,
    log: logLine,
    fatal: (err) => fail(`cannot keep the registers durable in ${options.dataDir}: ${err.message}`, 1),
    requestTimeoutMs: options.requestTimeoutMs,
    metrics,
    ...(options.traceFile === undefined
      ? {}
      : { tracer: new ServeTracer(options.traceFile, self.host, self.id, store.incarnation) }),
  });
  const listen = addresses.listenOn(self.host);
  await transport
    .listen()
    .catch((err: Error) => fail(`cannot listen on port ${listen.port}: ${err.message}`, 1));
  transport.warm(cluster.peers.map((p) => p.id).filter((id) => id !== self.id));
  const running = host;
  const invoke: Service['invoke'] = (key, op) => running.invoke(key, op);
  const app = buildApp(
    {
      invoke: fault === 'get-from-one' ? getFromOne(invoke, store) : invoke,
      health: () => healthOf(options, transport),
      metrics,
    },
    options.requestTimeoutMs,
  );
  const shutdown = () => {
    running.stop();
    void Promise.allSettled([app.close(), transport.close(), store.close()]).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  if (self.proposer.length === 0) return;
  const clientHost = listen.host ?? '0.0.0.0';
  await app
    .listen({ port: options.clientPort, host: clientHost })
    .catch((err: Error) => fail(`cannot listen on client port ${options.clientPort}: ${err.message}`, 1));
  logLine(`${self.host} serves clients on http://${clientHost}:${options.clientPort}`);
}
