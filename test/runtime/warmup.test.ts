import { expect, test } from 'vitest';
import { createPeerLogic } from '../../src/peer/node';
import { rehearseHosts } from '../../src/runtime/warmup';
import { testcase1 } from '../support/clusters';

const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;

test('the rehearsal decides through real sockets on loopback and leaves none open', async () => {
  const before = tcpHandles();
  const report = await rehearseHosts(createPeerLogic(testcase1), 2);
  expect(report.network).toBe('loopback');
  // Each round is one decision, and all five peers of testcase 1 print chose.
  expect(report.chose).toBe(10);
  await new Promise((r) => setTimeout(r, 20));
  expect(tcpHandles()).toBe(before);
});

test('the rehearsal stops between rounds when asked to', async () => {
  let asked = 0;
  const report = await rehearseHosts(createPeerLogic(testcase1), 10, () => ++asked > 3);
  expect(report).toMatchObject({ rounds: 3, chose: 15 });
});
