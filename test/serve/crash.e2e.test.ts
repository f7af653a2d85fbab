/**
 * kill -9 one peer of three while clients write, then restart it on its data directory:
 * every acknowledged write is read back, every answer is one the contract allows, and the
 * minority down costs no availability (writes keep succeeding while it is down).
 * PAXOS_SERVE_DEEP=1 kills every peer in turn, with longer load.
 */
import { type RegisterAnswer, RegisterClient } from 'paxos-statecharts/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoFile, requireBuiltCli } from '../e2e/support/paths';
import { ServicePeers } from './support/servicePeers';

const DEEP = process.env.PAXOS_SERVE_DEEP === '1';
const WRITERS = DEEP ? 16 : 4;
const PHASE_MS = DEEP ? 3000 : 1000;
const VICTIMS = DEEP ? ['peer1', 'peer2', 'peer3'] : ['peer2'];

let peers: ServicePeers;

beforeAll(async () => {
  requireBuiltCli();
  peers = await ServicePeers.create(repoFile('hostsfile-registers.txt'));
  await peers.startAll();
});
afterAll(async () => {
  await peers?.cleanup();
});

interface Load {
  acknowledged: Map<string, string>;
  answers: { at: number; answer: RegisterAnswer }[];
  stop: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writers, each putting its own fresh keys one after another through a client of all endpoints. */
function startLoad(endpoints: string[]): Load {
  const load: Load = { acknowledged: new Map(), answers: [], stop: async () => {} };
  let running = true;
  const writer = async (w: number) => {
    const client = new RegisterClient(endpoints, { timeoutMs: 8000 });
    for (let j = 0; running; j++) {
      const key = `crash/${w}/${j}`;
      const value = `value ${w} ${j}`;
      const answer = await client.put(key, value);
      load.answers.push({ at: Date.now(), answer });
      if (answer.status === 200) load.acknowledged.set(key, value);
    }
  };
  const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  load.stop = async () => {
    running = false;
    await writers;
  };
  return load;
}

const successesBetween = (load: Load, from: number, to: number) =>
  load.answers.filter((a) => a.at >= from && a.at < to && a.answer.status === 200).length;

describe('a peer killed with -9 under load and restarted on its data', () => {
  test('no acknowledged write is lost, and a minority down costs no availability', async () => {
    const load = startLoad(peers.endpoints);
    try {
      for (const victim of VICTIMS) {
        await sleep(PHASE_MS);
        await peers.kill(victim);
        const down = Date.now();
        await sleep(PHASE_MS);
        // Writes that were not under way at the kill: all should succeed at the others.
        expect(successesBetween(load, down + 200, Date.now())).toBeGreaterThan(5);
        await peers.start(victim);
      }
      await sleep(PHASE_MS);
    } finally {
      await load.stop();
    }
    for (const { answer } of load.answers) {
      expect([200, 503]).toContain(answer.status);
      if (answer.status === 503) expect(typeof answer.indeterminate).toBe('boolean');
    }
    expect(load.acknowledged.size).toBeGreaterThan(20);
    const unavailable = load.answers.filter((a) => a.answer.status === 503).length;
    console.log(
      `crash test: ${load.answers.length} writes, ${load.acknowledged.size} acknowledged, ${unavailable} 503`,
    );
    const reader = new RegisterClient([peers.endpoint(VICTIMS.at(-1) as string), ...peers.endpoints]);
    const reads = await Promise.all([...load.acknowledged.keys()].map((key) => reader.get(key)));
    expect(reads).toEqual(
      [...load.acknowledged].map(([key, value]) => ({ status: 200, register: { key, value, version: 1 } })),
    );
  });
});
