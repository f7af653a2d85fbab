/**
 * Clients run random gets, puts, puts-if-version and deletes on a few hot keys of three real
 * `paxos serve` processes, one peer is killed with -9 and restarted meanwhile, and the
 * history they saw (interface.md's form) must be linearizable under the `registers` model,
 * by the project's checker. PAXOS_SERVE_DEEP=1 runs longer, with more clients.
 */
import { type RegisterAnswer, RegisterClient } from 'paxos-statecharts/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { checkHistory, readHistory } from '../../src/linearizability';
import { registers } from '../../src/linearizability/models/registers';
import { repoFile, requireBuiltCli } from '../e2e/support/paths';
import { ServicePeers } from './support/servicePeers';

const DEEP = process.env.PAXOS_SERVE_DEEP === '1';
const CLIENTS = DEEP ? 12 : 6;
const PHASE_MS = DEEP ? 4000 : 1000;
const KEYS = ['hot/a', 'hot/b', 'hot/c'];

let peers: ServicePeers;

beforeAll(async () => {
  requireBuiltCli();
  peers = await ServicePeers.create(repoFile('hostsfile-registers.txt'));
  await peers.startAll();
});
afterAll(async () => {
  await peers?.cleanup();
});

type Op =
  | { f: 'get' }
  | { f: 'put'; value: string; ifVersion?: number }
  | { f: 'delete'; ifVersion?: number };

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

function randomOp(client: number, n: number, lastVersion: number): Op {
  const r = Math.random();
  if (r < 0.4) return { f: 'get' };
  if (r < 0.65) return { f: 'put', value: `${client}.${n}` };
  if (r < 0.9) return { f: 'put', value: `${client}.${n}`, ifVersion: lastVersion };
  return Math.random() < 0.5 ? { f: 'delete' } : { f: 'delete', ifVersion: lastVersion };
}

const invokeValue = (op: Op): unknown =>
  op.f === 'get'
    ? null
    : op.f === 'put'
      ? { value: op.value, ifVersion: op.ifVersion }
      : op.ifVersion === undefined
        ? null
        : { ifVersion: op.ifVersion };

function send(client: RegisterClient, key: string, op: Op): Promise<RegisterAnswer> {
  const options = op.f !== 'get' && op.ifVersion !== undefined ? { ifVersion: op.ifVersion } : {};
  if (op.f === 'get') return client.get(key);
  if (op.f === 'put') return client.put(key, op.value, options);
  return client.delete(key, options);
}

/** The completion's type and value, as the history records it. */
function completion(answer: RegisterAnswer): { type: 'ok' | 'fail' | 'info'; value: unknown } {
  if (answer.status === 200 || answer.status === 404) {
    const { value, version } = answer.register;
    return { type: 'ok', value: { value, version } };
  }
  if (answer.status === 409)
    return { type: 'fail', value: { value: answer.register.value, version: answer.register.version } };
  if (answer.status === 503 && answer.indeterminate) return { type: 'info', value: null };
  return { type: 'fail', value: null };
}

test('random operations on hot keys, with a peer killed and restarted, are linearizable', async () => {
  const lines: string[] = [];
  let running = true;
  const clientLoop = async (c: number) => {
    const client = new RegisterClient(peers.endpoints, { timeoutMs: 8000 });
    let process = c;
    let lastVersion = 0;
    for (let n = 0; running; n++) {
      const key = pick(KEYS);
      const op = randomOp(c, n, lastVersion);
      const f = op.f;
      lines.push(JSON.stringify({ process, type: 'invoke', f, key, value: invokeValue(op) }));
      const answer = await send(client, key, op);
      expect([200, 404, 409, 503]).toContain(answer.status);
      const { type, value } = completion(answer);
      lines.push(JSON.stringify({ process, type, f, key, value }));
      if ('register' in answer) lastVersion = answer.register.version;
      // A process whose operation is unknown never invokes again (Jepsen's rule).
      if (type === 'info') process += CLIENTS;
    }
  };
  const clients = Promise.all(Array.from({ length: CLIENTS }, (_, c) => clientLoop(c)));
  try {
    await new Promise((r) => setTimeout(r, PHASE_MS));
    await peers.kill('peer3');
    await new Promise((r) => setTimeout(r, PHASE_MS));
    await peers.start('peer3');
    await new Promise((r) => setTimeout(r, PHASE_MS));
  } finally {
    running = false;
    await clients;
  }
  const history = readHistory('service history', lines.join('\n'));
  const result = checkHistory(history, registers, { timeLimitMs: 60_000 });
  const count = (type: string) => lines.filter((l) => l.includes(`"type":"${type}"`)).length;
  console.log(
    `linearizability: ${result.operations} operations on ${result.keys} keys (${count('ok')} ok, ${count('fail')} fail, ${count('info')} info): ${result.verdict}`,
  );
  expect(result.verdict, JSON.stringify(result.failure ?? result.unknown)).toBe('LINEARIZABLE');
  expect(result.operations).toBeGreaterThan(50);
});
