/**
 * A majority down: requests get 503 once their time limit runs out, with `indeterminate`
 * false when nothing can have taken effect, and the service answers again once a majority
 * is back.
 */
import { RegisterClient } from 'paxos-statecharts/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { repoFile, requireBuiltCli } from '../e2e/support/paths';
import { ServicePeers } from './support/servicePeers';

let peers: ServicePeers;

beforeAll(async () => {
  requireBuiltCli();
  peers = await ServicePeers.create(repoFile('hostsfile-registers.txt'));
  await peers.startAll(['--request-timeout', '0.5']);
});
afterAll(async () => {
  await peers?.cleanup();
});

test('a majority down: 503 in time, indeterminate false; back up: served again', async () => {
  const peer1 = new RegisterClient([peers.endpoint('peer1')], { attempts: 1 });
  expect(await peer1.put('u', 'before')).toMatchObject({ status: 200 });
  await peers.kill('peer2');
  await peers.kill('peer3');
  const started = Date.now();
  expect(await peer1.put('u', 'during')).toEqual({
    status: 503,
    error: expect.any(String),
    indeterminate: false,
  });
  expect(Date.now() - started).toBeLessThan(3000);
  expect(await peer1.get('u')).toMatchObject({ status: 503, indeterminate: false });
  const health = await fetch(`http://${peers.endpoint('peer1')}/v1/health`);
  expect(await health.json()).toMatchObject({ majority: false });
  await peers.start('peer2', ['--request-timeout', '0.5']);
  const again = new RegisterClient([peers.endpoint('peer1')], { attempts: 10 });
  expect(await again.get('u')).toEqual({ status: 200, register: { key: 'u', value: 'before', version: 1 } });
  expect(await again.put('u', 'after')).toMatchObject({ status: 200, register: { version: 2 } });
});
