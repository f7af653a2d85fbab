/**
 * The register service's outside contract (interface.md), driven from outside: three real
 * `paxos serve` processes over TCP, used through the package's client and through plain
 * HTTP, as a harness that knows only the contract would.
 */
import { RegisterClient } from 'paxos-statecharts/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoFile, requireBuiltCli } from '../e2e/support/paths';
import { ServicePeers } from './support/servicePeers';

let peers: ServicePeers;
let client: RegisterClient;

beforeAll(async () => {
  requireBuiltCli();
  peers = await ServicePeers.create(repoFile('hostsfile-registers.txt'));
  await peers.startAll();
  client = new RegisterClient(peers.endpoints);
});
afterAll(async () => {
  await peers?.cleanup();
});

const url = (host: string, key: string, query = '') =>
  `http://${peers.endpoint(host)}/v1/registers/${encodeURIComponent(key)}${query}`;

async function http(method: string, target: string, body?: string) {
  const response = await fetch(target, { method, ...(body === undefined ? {} : { body }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the register service, through its client', () => {
  test('put, get, put-if-version, delete', async () => {
    expect(await client.get('c/never')).toEqual({
      status: 404,
      register: { key: 'c/never', value: null, version: 0 },
    });
    expect(await client.put('c/k', 'one')).toEqual({
      status: 200,
      register: { key: 'c/k', value: 'one', version: 1 },
    });
    expect(await client.put('c/k', 'two', { ifVersion: 1 })).toMatchObject({
      status: 200,
      register: { version: 2 },
    });
    expect(await client.put('c/k', 'lost', { ifVersion: 1 })).toEqual({
      status: 409,
      register: { key: 'c/k', value: 'two', version: 2 },
    });
    expect(await client.get('c/k')).toMatchObject({ status: 200, register: { value: 'two', version: 2 } });
    expect(await client.delete('c/k', { ifVersion: 5 })).toMatchObject({ status: 409 });
    expect(await client.delete('c/k', { ifVersion: 2 })).toEqual({
      status: 200,
      register: { key: 'c/k', value: null, version: 3 },
    });
    expect(await client.get('c/k')).toEqual({
      status: 404,
      register: { key: 'c/k', value: null, version: 3 },
    });
    expect(await client.put('c/fresh', 'x', { ifVersion: 0 })).toMatchObject({ status: 200 });
    expect(await client.put('c/fresh', 'y', { ifVersion: 0 })).toMatchObject({ status: 409 });
  });
});

describe('the register service, through plain HTTP', () => {
  test('what one peer writes, every peer reads; keys are URL-encoded UTF-8', async () => {
    const key = 'plain/ключ €/?#';
    expect(await http('PUT', url('peer1', key), '{"value":"v ü"}')).toEqual({
      status: 200,
      body: { key, value: 'v ü', version: 1 },
    });
    for (const host of ['peer2', 'peer3'])
      expect(await http('GET', url(host, key))).toEqual({
        status: 200,
        body: { key, value: 'v ü', version: 1 },
      });
    expect(await http('DELETE', url('peer3', key, '?ifVersion=1'))).toEqual({
      status: 200,
      body: { key, value: null, version: 2 },
    });
  });

  test('keys that name what every object inherits are registers like any other', async () => {
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(await http('GET', url('peer2', key))).toEqual({
        status: 404,
        body: { key, value: null, version: 0 },
      });
      expect(await http('PUT', url('peer1', key), '{"value":"ok"}')).toEqual({
        status: 200,
        body: { key, value: 'ok', version: 1 },
      });
      expect(await http('GET', url('peer3', key))).toEqual({
        status: 200,
        body: { key, value: 'ok', version: 1 },
      });
    }
  });

  test('malformed requests get 400 or 413 with an error, change nothing, and the peer keeps serving', async () => {
    const bad: [string, string, string | undefined, number][] = [
      ['PUT', url('peer1', 'm'), 'not json', 400],
      ['PUT', url('peer1', 'm'), '{"value":1}', 400],
      ['PUT', url('peer1', 'm'), '{"value":"x","other":1}', 400],
      ['PUT', url('peer1', 'm'), '{"value":"x","ifVersion":-1}', 400],
      ['PUT', url('peer1', 'k'.repeat(513)), '{"value":"x"}', 400],
      ['DELETE', url('peer1', 'm', '?ifVersion=x'), undefined, 400],
      ['GET', `http://${peers.endpoint('peer1')}/v1/registers/%ZZ`, undefined, 400],
      ['GET', url('peer1', 'm', '?other=1'), undefined, 400],
      ['PUT', url('peer1', 'm'), JSON.stringify({ value: 'x'.repeat(64 * 1024 + 1) }), 413],
      ['PUT', url('peer1', 'm'), 'x'.repeat(1024 * 1024), 413],
    ];
    for (const [method, target, body, status] of bad) {
      const answer = await http(method, target, body);
      expect(answer.status, `${method} ${body?.slice(0, 30)}`).toBe(status);
      expect(Object.keys(answer.body)).toEqual(['error']);
    }
    expect(await http('GET', url('peer1', 'm'))).toEqual({
      status: 404,
      body: { key: 'm', value: null, version: 0 },
    });
    const largest = 'é'.repeat(32 * 1024);
    expect((await http('PUT', url('peer1', 'm'), JSON.stringify({ value: largest }))).status).toBe(200);
    expect((await http('GET', url('peer2', 'm'))).body.value).toBe(largest);
  });

  test('health and metrics', async () => {
    const health = await http('GET', `http://${peers.endpoint('peer2')}/v1/health`);
    expect(health).toEqual({
      status: 200,
      body: { name: 'peer2', id: 2, roles: 'proposer2,acceptor1,acceptor2,acceptor3', majority: true },
    });
    const metrics = await (await fetch(`http://${peers.endpoint('peer1')}/metrics`)).text();
    expect(metrics).toMatch(/paxos_register_requests_total\{op="put",outcome="ok"\} \d+/);
    expect(metrics).toMatch(/paxos_register_fsyncs_total \d+/);
    expect(metrics).toContain('paxos_register_request_seconds_bucket');
  });
});
