/**
 * A real run of the deep campaign (seed 20303, kept as a fixture): peer4 was SIGKILLed
 * twice; one incarnation saved an acceptance of (2, Y) and died before printing it, so the
 * next one's prepare_ack reports an acceptance no line shows. paxos trace fails it; the
 * bench must recognise the crash window, and only when a SIGKILL can explain it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadHostsfile } from '../../src/config/hostsfile';
import { crashWindowExplains, type PeerEvidence } from '../../src/nemesis/crashWindow';
import { readLabRun, validateRun } from '../../src/trace/index';
import { repoFile } from '../e2e/support/paths';

const cluster = loadHostsfile(repoFile('hostsfile-testcase2.txt'));
const hosts = ['peer1', 'peer2', 'peer3', 'peer4', 'peer5'];
const text = (host: string) =>
  readFileSync(repoFile(`test/nemesis/fixtures/crash-window/${host}.log`), 'utf8');

// From the run's plan: peer4 and peer2 were each killed twice; peer4's lines 3 and 4 mark its restarts.
const incarnations = (host: string, ended: string): PeerEvidence['incarnations'] =>
  host === 'peer4'
    ? [
        { afterLine: 0, ended },
        { afterLine: 3, ended },
        { afterLine: 4, ended: 'SIGTERM' },
      ]
    : [{ afterLine: 0, ended: 'SIGTERM' }];
const evidence = (ended: string): PeerEvidence[] =>
  hosts.map((host) => ({ host, text: text(host), incarnations: incarnations(host, ended) }));

describe('the crash window between a save and its print', () => {
  const result = validateRun(
    readLabRun(
      cluster,
      hosts.map((host) => ({ file: `seed-20303/${host}.log`, host, text: text(host) })),
    ),
  );

  test('paxos trace fails the run at the acceptor that reports an unprinted acceptance', () => {
    expect(result.verdict).toBe('FAIL');
    expect(result.failure).toMatchObject({
      rule: 'prepare-ack-reports-accepted',
      at: 'seed-20303/peer4.log:6',
    });
  });

  test('explained when an earlier incarnation of that acceptor was SIGKILLed', () => {
    expect(
      crashWindowExplains(
        result.failure as NonNullable<typeof result.failure>,
        evidence('SIGKILL (nemesis)'),
      ),
    ).toMatch(/^peer4 reports an acceptance of \(2, Y\) that none of its lines shows/);
  });

  test('not explained when the acceptor was never killed', () => {
    expect(
      crashWindowExplains(result.failure as NonNullable<typeof result.failure>, evidence('exit 0')),
    ).toBeUndefined();
  });

  test('not explained when no proposer sent the accept it reports', () => {
    const forged = evidence('SIGKILL (nemesis)').map((p) =>
      p.host === 'peer5'
        ? {
            ...p,
            text: p.text.replaceAll(
              '"action":"sent","message_type":"accept"',
              '"action":"sent","message_type":"prepare"',
            ),
          }
        : p,
    );
    expect(crashWindowExplains(result.failure as NonNullable<typeof result.failure>, forged)).toBeUndefined();
  });
});

describe('a rejection that carries the value the acceptor last accepted', () => {
  // The shape of a campaign's false alarm: peer4 saved a promise of 2 (and an acceptance of
  // X under it), was killed before printing, and then rejected accept(1, X) as (X, 2).
  const line = (fields: Record<string, unknown>) =>
    JSON.stringify({
      peer_id: 4,
      action: 'sent',
      message_type: 'prepare',
      message_value: '',
      proposal_num: 1,
      ...fields,
    });
  const failure = {
    at: 'seed/peer4.log:4',
    peer: 'peer4',
    text: line({ message_type: 'accept_ack', message_value: 'X', proposal_num: 2 }),
    rule: 'accept-ack-explained' as const,
    ruleText: '',
    message: '',
    events: [],
  };
  const peers = (ended: string): PeerEvidence[] => [
    {
      host: 'peer4',
      text: ['a', 'b', 'c', failure.text].join('\n'),
      incarnations: [
        { afterLine: 0, ended },
        { afterLine: 2, ended: 'SIGTERM' },
      ],
    },
    { host: 'peer5', text: line({ peer_id: 5, proposal_num: 2 }), incarnations: [{ afterLine: 0 }] },
  ];

  test('is explained by a SIGKILL of an earlier incarnation', () => {
    expect(crashWindowExplains(failure, peers('SIGKILL (nemesis)'))).toMatch(/^peer4 reports a promise of 2/);
  });

  test('is not explained without one', () => {
    expect(crashWindowExplains(failure, peers('exit 0'))).toBeUndefined();
  });
});
