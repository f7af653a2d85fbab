/**
 * `paxos serve --trace` and `paxos trace` on a real run: three `paxos serve` processes,
 * clients on every peer changing a few shared keys at once, one peer killed with SIGKILL
 * and restarted on its data; the traces replay through the machines and refine
 * spec/Registers.tla key by key. Each multiplexing fault of the runtime (PAXOS_FAULT) is
 * caught, by the rule it breaks.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { RegisterClient } from 'paxos-statecharts/client';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { CLI, repoFile, requireBuiltCli } from '../e2e/support/paths';
import { ServicePeers } from './support/servicePeers';

const run = promisify(execFile);
const HOSTSFILE = repoFile('hostsfile-registers.txt');
const KEYS = ['a', 'b', 'c'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let peers: ServicePeers | undefined;
beforeAll(requireBuiltCli);
afterEach(async () => {
  await peers?.cleanup();
  peers = undefined;
});

const traceOf = (p: ServicePeers, host: string) => path.join(p.dataRoot, `${host}.ndjson`);
const traceArgs = (p: ServicePeers, host: string) => ['--trace', traceOf(p, host), '--request-timeout', '1'];

/** Two clients per peer, each on its own peer, running gets, puts and conditional puts on the shared keys; counts the writes answered. */
function load(p: ServicePeers, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let answered = 0;
  const client = async (endpoint: string, c: number) => {
    const kv = new RegisterClient([endpoint], { timeoutMs: 2000 });
    for (let i = 0; Date.now() < until; i++) {
      const key = KEYS[(c + i) % KEYS.length] as string;
      const read = await kv.get(key).catch(() => undefined);
      const version = read && 'version' in read ? Number(read.version) : 0;
      const write =
        i % 3 === 0 ? kv.put(key, `v${c}.${i}`) : kv.put(key, `w${c}.${i}`, { ifVersion: version });
      // 200 or 409: either way a round ran to its end.
      const status = (await write.catch(() => undefined))?.status;
      if (status === 200 || status === 409) answered++;
    }
  };
  return Promise.all(p.endpoints.flatMap((e, i) => [client(e, 2 * i), client(e, 2 * i + 1)])).then(
    () => answered,
  );
}

async function validate(
  p: ServicePeers,
): Promise<{ verdict: string; keys: number; steps: number; failure?: { rule: string } }> {
  const files = p.hosts.map((h) => traceOf(p, h));
  const out = await run(process.execPath, [CLI, 'trace', '-h', HOSTSFILE, '--json', ...files]).catch(
    (err: { stdout: string }) => err,
  );
  const last = out.stdout.trim().split('\n').at(-1) ?? '';
  if (!last.startsWith('{')) throw new Error(`paxos trace printed no verdict: ${JSON.stringify(out)}`);
  return JSON.parse(last);
}

test('a run with clients on shared keys and a peer killed and restarted passes, key by key', async () => {
  peers = await ServicePeers.create(HOSTSFILE);
  const p = peers;
  await Promise.all(p.hosts.map((h) => p.start(h, traceArgs(p, h))));
  const answered = load(p, 3000);
  await sleep(1000);
  await p.kill('peer2');
  await sleep(500);
  await p.start('peer2', traceArgs(p, 'peer2'));
  expect(await answered).toBeGreaterThan(20);
  await Promise.all(p.hosts.map((h) => p.current.get(h)?.stop('SIGTERM')));
  const r = await validate(p);
  expect(r, JSON.stringify(r)).toMatchObject({ verdict: 'PASS', keys: KEYS.length });
  expect(r.steps).toBeGreaterThan(200);
}, 60_000);

test('a peer killed before writing its acceptance, its accepts already sent: the value is chosen, and the run passes', async () => {
  peers = await ServicePeers.create(HOSTSFILE);
  const p = peers;
  // peer1's second write is its own acceptance of the put's value: it dies just before it.
  await p.start('peer1', traceArgs(p, 'peer1'), { PAXOS_FAILPOINT: 'before-write:2' });
  await Promise.all(['peer2', 'peer3'].map((h) => p.start(h, traceArgs(p, h))));
  const first = p.current.get('peer1');
  const put = await new RegisterClient([p.endpoint('peer1')], { timeoutMs: 2000 })
    .put('a', 'x')
    .catch((err: Error) => err);
  await first?.waitFor(() => !first.running, 10_000, 'peer1 killed at its second write');
  // The client says indeterminate: the connection broke before an answer.
  expect(put, 'the put was never acknowledged').not.toMatchObject({ status: 200 });
  await p.start('peer1', traceArgs(p, 'peer1'));
  // Chosen by peer2 and peer3 alone: the accepts had left before peer1's own write.
  const read = await new RegisterClient([p.endpoint('peer1')], { timeoutMs: 2000 }).get('a');
  expect(read).toMatchObject({ status: 200, register: { value: 'x' } });
  await Promise.all(p.hosts.map((h) => p.current.get(h)?.stop('SIGTERM')));
  const r = await validate(p);
  expect(r, JSON.stringify(r)).toMatchObject({ verdict: 'PASS', keys: 1 });
}, 60_000);

test.each([
  ['deliver-to-last-key', 'receive-matches-send'],
  ['save-wrong-key', 'saved-what-changed'],
])(
  'the runtime fault %s is caught by rule %s',
  async (fault, rule) => {
    peers = await ServicePeers.create(HOSTSFILE);
    const p = peers;
    await Promise.all(p.hosts.map((h) => p.start(h, traceArgs(p, h), { PAXOS_FAULT: fault })));
    await load(p, 1500);
    await Promise.all(p.hosts.map((h) => p.current.get(h)?.stop('SIGTERM')));
    const r = await validate(p);
    expect(r.verdict, JSON.stringify(r)).toBe('FAIL');
    expect(r.failure?.rule).toBe(rule);
  },
  60_000,
);
