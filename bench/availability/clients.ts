/**
 * The load of `bench:availability`, run inside the lab's client namespace (the only place
 * both clusters can be reached from): `clients.ts load SPEC` writes to random keys from
 * every client, one request outstanding each, until the run ends, and prints when each of
 * its writes was acknowledged; `clients.ts ready SPEC` waits until every endpoint
 * acknowledges a write; `clients.ts leader SPEC` prints the endpoint of etcd's leader.
 * A request that takes longer than the timeout is abandoned and counts as failed (status 0), so a
 * client never waits longer than one timeout to try again.
 */
import http from 'node:http';
import type { ClientRecord, LoadSpec } from './figures';

const FAST_FAILURE_MS = 50;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function post(endpoint: string, method: string, path: string, body: unknown, timeoutMs: number) {
  const [host, port] = endpoint.split(':');
  const payload = JSON.stringify(body);
  return new Promise<{ status: number; text: string }>((resolve) => {
    const req = http.request(
      { host, port: Number(port), method, path, agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', () => resolve({ status: 0, text }));
      },
    );
    // An abandoned request's socket is destroyed, so the next one opens afresh.
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve({ status: 0, text: '' }));
    req.end(payload);
  });
}

/** One write, as each service spells it: true when acknowledged. */
async function write(spec: LoadSpec, endpoint: string, key: string, value: string): Promise<number> {
  const a =
    spec.service === 'ours'
      ? await post(endpoint, 'PUT', `/v1/registers/${key}`, { value }, spec.timeoutMs)
      : await post(endpoint, 'POST', '/v3/kv/put', { key: b64(key), value: b64(value) }, spec.timeoutMs);
  return a.status;
}

async function client(spec: LoadSpec, endpoint: string): Promise<ClientRecord> {
  const record: ClientRecord = { endpoint, acked: [], failures: [] };
  const end = spec.startAt + spec.durationMs;
  for (let i = 0; Date.now() < end; i++) {
    const began = Date.now() - spec.startAt;
    const status = await write(spec, endpoint, `a${Math.floor(Math.random() * 100)}`, `v${i}`);
    if (status === 200) record.acked.push(Date.now() - spec.startAt);
    else record.failures.push([began, Date.now() - spec.startAt, status]);
    // A member that is down refuses at once: a client trying again in a tight loop would
    // take the CPU from the members still up, on both services alike.
    if (status !== 200 && Date.now() - spec.startAt - began < FAST_FAILURE_MS) await pause(FAST_FAILURE_MS);
  }
  return record;
}

async function load(spec: LoadSpec): Promise<ClientRecord[]> {
  await new Promise((r) => setTimeout(r, Math.max(0, spec.startAt - Date.now())));
  const clients = spec.endpoints.flatMap((e) => Array.from({ length: spec.clientsPerEndpoint }, () => e));
  return Promise.all(clients.map((e) => client(spec, e)));
}

async function ready(spec: LoadSpec): Promise<void> {
  const until = Date.now() + 60_000;
  for (const e of spec.endpoints)
    while ((await write(spec, e, 'ready', 'yes')) !== 200) {
      if (Date.now() > until) throw new Error(`${spec.service}: ${e} acknowledged no write within 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
}

/** etcd's leader: the member that says it is; asked again while an election is under way. */
async function leader(spec: LoadSpec): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const e of spec.endpoints) {
      const a = await post(e, 'POST', '/v3/maintenance/status', {}, 200);
      const status =
        a.status === 200 ? (JSON.parse(a.text) as { leader?: string; header?: { member_id?: string } }) : {};
      if (status.leader !== undefined && status.leader === status.header?.member_id) return e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no etcd member said it was the leader within 5 s');
}

async function main(): Promise<void> {
  const [mode, json] = process.argv.slice(2);
  const spec = JSON.parse(json ?? '{}') as LoadSpec;
  if (mode === 'load') process.stdout.write(`${JSON.stringify(await load(spec))}\n`);
  else if (mode === 'ready') await ready(spec);
  else if (mode === 'leader') process.stdout.write(`${await leader(spec)}\n`);
  else throw new Error(`clients.ts: unknown mode ${mode}`);
  agent.destroy();
}

await main();
