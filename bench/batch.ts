/**
 * What one batch of a peer costs in this process, and how much of it is the processor
 * coming back from idle: testcase 1's acceptor (peer2) handles prepare, accept and chose,
 * decision after decision (a fresh host each time), through the real PeerHost, codec, log
 * lines and a real loopback socket, after the same rehearsal a peer runs. Stable storage is
 * left out (fsync has its own floor in bench:latency), so what is left is CPU.
 *
 * Each set-up waits `gap` ms before every input, as a peer of a decision waits for the next
 * message. With no gap the code runs back to back, its caches and predictors hot; a real
 * decision's batches all come after a gap. The wait is idle (a timer: the processor may
 * sleep or run someone else), a spin (busy in a tight loop that touches almost no memory),
 * or a churn (busy writing 32 MiB over and over, as other work evicts the caches): spin
 * against idle says what the processor's return from idle costs, churn what cold caches do.
 *
 * A second table tells the two apart without the peer's code: the same idle waits before a
 * loop that only computes (no memory) and before scans of arrays of 4 KiB to 4 MiB. If the
 * processor were slow to come back, the loop would slow down; if the caches are emptied
 * while we wait (other work on the host), only the scans do.
 *
 *   npm run bench:batch            # 300 decisions per gap, after 1000 to warm up
 *   BENCH_DECISIONS=1000 npm run bench:batch
 */
import net from 'node:net';
import { loadHostsfile } from '../src/config/hostsfile';
import { createPeerLogic } from '../src/peer/node';
import { encodeMessage } from '../src/runtime/codec';
import { type BatchTiming, PeerHost } from '../src/runtime/host';
import { collectRehearsalGarbage, rehearse, rehearseHosts } from '../src/runtime/warmup';

const decisions = Number(process.env.BENCH_DECISIONS ?? 300);
const GAPS_MS = [0, 1, 5, 20];
type Wait = 'idle' | 'spin' | 'churn';
const scratch = new Int32Array(8 << 20);
const busy = (ms: number, touch: boolean) => {
  const until = performance.now() + ms;
  let i = 0;
  while (performance.now() < until)
    if (touch) for (let k = 0; k < 4096; k++, i = (i + 16) % scratch.length) scratch[i] = k;
};
const cluster = loadHostsfile('hostsfile-testcase1.txt');
const self = cluster.peers.find((p) => p.host === 'peer2');
if (!self) throw new Error('hostsfile-testcase1.txt has no peer2');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;

const frames = [
  { type: 'prepare', from: 1, group: 1, n: 1 },
  { type: 'accept', from: 1, group: 1, n: 1, value: 'X' },
  { type: 'chose', from: 1, group: 1, n: 1, value: 'X' },
].map((m, i) => encodeMessage(m as never, { clock: i + 1, id: `1.bench.${i + 1}` }).trimEnd());

// The frames leave through a real socket to a reader that drops them, as to a peer.
const sink = net.createServer((s) => s.on('data', () => {}));
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const socket = net.connect((sink.address() as net.AddressInfo).port, '127.0.0.1');
await new Promise((r) => socket.once('connect', r));
socket.setNoDelay(true);
// Lines go to a stream like stdout, which is the benchmark's own and is not read.
const lines = net.connect((sink.address() as net.AddressInfo).port, '127.0.0.1');
await new Promise((r) => lines.once('connect', r));

const logic = createPeerLogic(cluster);
rehearse(logic);
await rehearseHosts(logic, 10);
collectRehearsalGarbage();

async function decide(gapMs: number, wait: Wait = 'idle'): Promise<BatchTiming[]> {
  const timings: BatchTiming[] = [];
  const host = new PeerHost({
    logic,
    self: self as NonNullable<typeof self>,
    store: { save: () => {} },
    outbox: { send: (_to, frame) => void socket.write(frame) },
    print: (out) => void lines.write(`${out.join('\n')}\n`),
    log: () => {},
    fatal: (err) => {
      throw err;
    },
    onBatch: (t) => timings.push(t),
  });
  for (const frame of frames) {
    if (gapMs > 0) {
      if (wait === 'idle') await sleep(gapMs);
      else busy(gapMs, wait === 'churn');
    }
    host.receive(frame, 'bench');
    await host.idle();
  }
  host.stop();
  return timings;
}

for (let i = 0; i < 1000; i++) await decide(0);
console.log(
  `node ${process.version}; testcase 1's acceptor, prepare + accept + chose, ${decisions} decisions per gap, no storage; ms per batch`,
);
console.log(
  '| before each input | CPU median | CPU p90 | arrival -> stepped median | durable -> sent median |',
);
console.log('|---|---|---|---|---|');
const setups: [number, Wait][] = [
  ...GAPS_MS.map((g): [number, Wait] => [g, 'idle']),
  [5, 'spin'],
  [5, 'churn'],
];
for (const [gap, wait] of setups) {
  const cpu: number[] = [];
  const step: number[] = [];
  const out: number[] = [];
  for (let d = 0; d < decisions; d++)
    for (const t of await decide(gap, wait)) {
      cpu.push(t.cpu);
      step.push(t.stepped - t.arrived);
      out.push(t.sent - t.durable);
    }
  const f = (x: number) => x.toFixed(3);
  console.log(
    `| ${gap === 0 ? 'nothing' : `${gap} ms ${wait}`} | ${f(median(cpu))} | ${f(quantile(cpu, 0.9))} | ${f(median(step))} | ${f(median(out))} |`,
  );
}

const SIZES = [4 << 10, 32 << 10, 256 << 10, 1 << 20, 4 << 20];
const arrays = SIZES.map((bytes) => new Int32Array(bytes / 4).fill(1));
// One read per 64-byte line: the cost is the memory's, not the arithmetic's.
const scan = (a: Int32Array) => {
  let x = 0;
  for (let i = 0; i < a.length; i += 16) x += a[i] as number;
  return x;
};
const compute = () => {
  let x = 1;
  for (let i = 0; i < 20_000; i++) x = (x * 1103515245 + 12345) | 0;
  return x;
};
const us = () => Number(process.hrtime.bigint()) / 1e3;
console.log();
console.log(
  `| before each probe | compute only, µs | ${SIZES.map((b) => `scan ${b >= 1 << 20 ? `${b >> 20} MiB` : `${b >> 10} KiB`}, µs`).join(' | ')} |`,
);
console.log(`|---|---|${SIZES.map(() => '---|').join('')}`);
let sum = 0;
for (const gap of [0, ...GAPS_MS.slice(1)]) {
  const times: number[][] = [[], ...SIZES.map(() => [])];
  for (let r = 0; r < 200; r++) {
    await (gap === 0 ? new Promise((q) => setImmediate(q)) : sleep(gap));
    let t = us();
    sum += compute();
    times[0]?.push(us() - t);
    arrays.forEach((a, i) => {
      t = us();
      sum += scan(a);
      times[i + 1]?.push(us() - t);
    });
  }
  console.log(
    `| ${gap === 0 ? 'nothing' : `${gap} ms idle`} | ${times.map((x) => median(x).toFixed(1)).join(' | ')} |`,
  );
}
// Used, so that the compiler cannot drop the loops whose time is the point.
if (sum === 42) console.log('');
socket.destroy();
lines.destroy();
sink.close();
