/**
 * The same-run anchor of bench/latency.ts: the least a Node peer can do on testcase 1's
 * critical path, so that the benchmark can say how much of a decision's time is this
 * project and how much is Node on this testbed. It is not a Paxos implementation: one
 * proposal, no retries, no timers, no validation, no statecharts; it only walks the same
 * hops with the same durable writes as the real peers do, on the same sockets and disk:
 *
 *   proposer: save n, send prepare to the acceptors
 *   acceptor: on prepare, save, answer prepare_ack; on accept, save, answer accept_ack to
 *             the proposer and the learners; on chose, save, print chose
 *   proposer: on a majority of prepare_acks send accept; on a majority of accept_acks save,
 *             print chose, send chose to every acceptor and learner
 *   learner:  on a majority of accept_acks, save, print chose
 *
 * Each message is handled as it arrives: save (one write + fdatasync into a preallocated
 * file, as src/runtime/storage.ts does), then print its lines, then write its frames.
 * Stdout carries the protocol's lines; with PAXOS_TIMING=1 stderr carries the same
 * `timing {...}` lines as a real peer, so the benchmark measures both with one ruler.
 *
 *   node bench/anchorPeer.mjs '<json: {id, role, port, peers: [{id, host, port, role}], value, delayMs, dataDir}>'
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const config = JSON.parse(process.argv[2] ?? '{}');
const { id, role, port, peers, value, delayMs, dataDir } = config;
const acceptors = peers.filter((p) => p.role === 'acceptor');
const learners = peers.filter((p) => p.role === 'learner');
const majority = Math.floor(acceptors.length / 2) + 1;
const timing = process.env.PAXOS_TIMING === '1';
const now = () => Number(process.hrtime.bigint()) / 1e6;

fs.mkdirSync(dataDir, { recursive: true });
const fd = fs.openSync(path.join(dataDir, 'anchor.log'), 'w+');
fs.writeSync(fd, Buffer.alloc(256 * 1024), 0, 256 * 1024, 0);
fs.fsyncSync(fd);
let offset = 0;
const save = (state) => {
  const record = Buffer.from(`${JSON.stringify(state)}\n`);
  fs.writeSync(fd, record, 0, record.length, offset);
  fs.fdatasyncSync(fd);
  offset += record.length;
};

const line = (from, action, type, v, n) =>
  JSON.stringify({ peer_id: from, action, message_type: type, message_value: v ?? '', proposal_num: n });

const sockets = new Map();
// Frames for a peer not connected yet wait for it, as any peer's must when peers start in any
// order; reconnects are tried every 20 ms, the least a peer could wait.
const waiting = new Map();
const send = (to, text) => {
  const s = sockets.get(to);
  if (s) s.write(text);
  else waiting.set(to, [...(waiting.get(to) ?? []), text]);
};
const connect = (p) => {
  const s = net.connect({ host: p.host, port: p.port });
  s.setNoDelay(true);
  s.on('connect', () => {
    sockets.set(p.id, s);
    for (const text of waiting.get(p.id) ?? []) s.write(text);
    waiting.delete(p.id);
  });
  s.on('error', () => {});
  s.on('close', () => {
    if (sockets.get(p.id) === s) sockets.delete(p.id);
    setTimeout(() => connect(p), 20);
  });
};
for (const p of peers) if (p.id !== id) connect(p);

const timings = [];
/** Handles one input: `work` returns what to save (or undefined), the lines and the frames. */
const handle = (arrived, work) => {
  const cpu0 = timing ? process.cpuUsage() : undefined;
  const out = work();
  const stepped = now();
  if (out.save !== undefined) save(out.save);
  const durable = now();
  if (out.lines.length > 0) process.stdout.write(`${out.lines.join('\n')}\n`);
  for (const [to, frame] of out.frames) send(to, `${JSON.stringify(frame)}\n`);
  if (!timing) return;
  const cpu = process.cpuUsage(cpu0);
  const printed = out.lines.map((l) => {
    const { action, message_type } = JSON.parse(l);
    return action === 'chose' ? 'chose' : `${action}:${message_type}`;
  });
  timings.push({
    arrived,
    stepped,
    durable,
    sent: now(),
    inputs: 1,
    saved: out.save !== undefined,
    cpu: (cpu.user + cpu.system) / 1000,
    sys: cpu.system / 1000,
    printed,
  });
  if (timings.length === 1)
    setTimeout(() => {
      process.stderr.write(
        timings
          .splice(0)
          .map((t) => `timing ${JSON.stringify(t)}\n`)
          .join(''),
      );
    }, 20);
};

const N = 1;
const state = { minProposal: 0, acceptedProposal: 0, acceptedValue: null, learned: null };
const promises = new Set();
const acks = new Set();
let accepted = false;

const decide = (n, v, also) => {
  state.learned = { n, value: v };
  return {
    save: { ...state },
    lines: [line(id, 'chose', 'chose', v, n), ...also.map(([, f]) => line(id, 'sent', f.type, f.value, n))],
    frames: also,
  };
};

const receive = (m) => {
  const received = line(m.from, 'received', m.type, m.value, m.n);
  if (role === 'acceptor' && m.type === 'prepare') {
    state.minProposal = m.n;
    const reply = { type: 'prepare_ack', from: id, n: m.n, value: '' };
    return {
      save: { ...state },
      lines: [received, line(id, 'sent', 'prepare_ack', '', m.n)],
      frames: [[m.from, reply]],
    };
  }
  if (role === 'acceptor' && m.type === 'accept') {
    Object.assign(state, { minProposal: m.n, acceptedProposal: m.n, acceptedValue: m.value });
    const reply = { type: 'accept_ack', from: id, n: m.n, value: m.value };
    const to = [m.from, ...learners.map((l) => l.id)];
    return {
      save: { ...state },
      lines: [received, ...to.map(() => line(id, 'sent', 'accept_ack', m.value, m.n))],
      frames: to.map((t) => [t, reply]),
    };
  }
  if (role === 'acceptor' && m.type === 'chose' && !state.learned) {
    const out = decide(m.n, m.value, []);
    return { ...out, lines: [received, ...out.lines] };
  }
  if (role === 'proposer' && m.type === 'prepare_ack' && !accepted) {
    promises.add(m.from);
    if (promises.size < majority) return { lines: [received], frames: [] };
    accepted = true;
    const frames = acceptors.map((a) => [a.id, { type: 'accept', from: id, n: N, value }]);
    return { lines: [received, ...frames.map(() => line(id, 'sent', 'accept', value, N))], frames };
  }
  if ((role === 'proposer' || role === 'learner') && m.type === 'accept_ack' && !state.learned) {
    acks.add(m.from);
    if (acks.size < majority) return { lines: [received], frames: [] };
    const chose =
      role === 'proposer'
        ? [...acceptors, ...learners].map((p) => [p.id, { type: 'chose', from: id, n: m.n, value: m.value }])
        : [];
    const out = decide(m.n, m.value, chose);
    return { ...out, lines: [received, ...out.lines] };
  }
  return { lines: [received], frames: [] };
};

/** A connection's frames, one message per line. */
const reader = (onMessage) => (s) => {
  s.setNoDelay(true);
  let buffered = '';
  s.on('data', (chunk) => {
    const arrived = now();
    buffered += chunk;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      const m = JSON.parse(buffered.slice(0, i));
      buffered = buffered.slice(i + 1);
      onMessage(arrived, m);
    }
  });
  s.on('error', () => {});
};

/**
 * The real peers rehearse before they go live (src/runtime/warmup.ts), so the anchor warms
 * the same paths: a save, a line, a frame written to and read from a loopback socket, a
 * few hundred times. Without it the anchor measures V8 compiling its first messages.
 */
async function warm() {
  let got = 0;
  const sink = net.createServer(reader(() => got++));
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const s = net.connect(sink.address().port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.setNoDelay(true);
  for (let i = 0; i < 300; i++) {
    save({ ...state, minProposal: i });
    const frame = { type: 'accept_ack', from: id, n: i, value: 'warm' };
    s.write(`${line(id, 'sent', frame.type, frame.value, i)}\n${JSON.stringify(frame)}\n`);
    await new Promise((r) => setImmediate(r));
  }
  while (got < 600) await new Promise((r) => setTimeout(r, 1));
  s.destroy();
  sink.close();
  offset = 0;
  fs.writeSync(fd, Buffer.alloc(256 * 1024), 0, 256 * 1024, 0);
  fs.fsyncSync(fd);
}

await warm();
net.createServer(reader((arrived, m) => handle(arrived, () => receive(m)))).listen(port);

if (role === 'proposer')
  setTimeout(
    () =>
      handle(now(), () => ({
        save: { n: N },
        lines: acceptors.map(() => line(id, 'sent', 'prepare', '', N)),
        frames: acceptors.map((a) => [a.id, { type: 'prepare', from: id, n: N }]),
      })),
    delayMs,
  );
