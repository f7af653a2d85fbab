import { describe, expect, test } from 'vitest';
import type { Send } from '../machines/messages';
import { createPeerLogic, type PeerState } from '../src/peer/node';
import { randomRun } from '../src/sim/random';
import { createSimulator } from '../src/world/world';
import { testcase1, testcase2 } from './support/clusters';

/** Delivers messages first-in first-out until none is left; records chose lines and sends. */
function runFifo(logic: ReturnType<typeof createPeerLogic>, starts: [number, string][]) {
  const states = new Map<number, PeerState>(logic.cluster.peers.map((p) => [p.id, logic.init(p.id)]));
  const queue: Send[] = [];
  const learned = new Map<number, { n: number; value: string }[]>();
  const sent: { from: number; send: Send }[] = [];
  const apply = (id: number, r: ReturnType<typeof logic.step>) => {
    states.set(id, r.state);
    for (const s of r.sends) sent.push({ from: id, send: s });
    queue.push(...r.sends);
    if (r.learned) learned.set(id, [...(learned.get(id) ?? []), r.learned]);
  };
  for (const [id, value] of starts) {
    apply(id, logic.step(id, states.get(id) as PeerState, { type: 'start', value }));
    for (let s = queue.shift(); s; s = queue.shift()) {
      apply(s.to, logic.step(s.to, states.get(s.to) as PeerState, { type: 'deliver', message: s.message }));
    }
  }
  return { states, learned, sent };
}

describe('peer wiring over a first-in first-out network', () => {
  test('testcase 1: all five peers, the learner included, print chose X exactly once', () => {
    const { learned } = runFifo(createPeerLogic(testcase1), [[1, 'X']]);
    expect([...learned.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    for (const lines of learned.values()) expect(lines).toEqual([{ type: 'learned', n: 1, value: 'X' }]);
  });

  test('testcase 2: peer5 starts late with Y, adopts X under its own higher number', () => {
    const { learned, sent } = runFifo(createPeerLogic(testcase2), [
      [1, 'X'],
      [5, 'Y'],
    ]);
    expect([...learned.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    for (const lines of learned.values()) expect(lines).toHaveLength(1);
    for (const lines of learned.values()) expect(lines[0]?.value).toBe('X');
    const peer5Accepts = sent.filter((s) => s.from === 5 && s.send.message.type === 'accept');
    expect(peer5Accepts.map((s) => s.send.message)).toEqual(
      [2, 3, 4].map(() => expect.objectContaining({ type: 'accept', n: 2, value: 'X' })),
    );
  });

  test('a restarted acceptor keeps its promise', () => {
    const logic = createPeerLogic(testcase1);
    let s = logic.init(2);
    s = logic.step(2, s, { type: 'deliver', message: { type: 'prepare', from: 1, group: 1, n: 4 } }).state;
    const revived = logic.init(2, logic.durable(s));
    const r = logic.step(2, revived, {
      type: 'deliver',
      message: { type: 'prepare', from: 1, group: 1, n: 1 },
    });
    expect(r.sends[0]?.message).toMatchObject({ type: 'prepare_ack', promised: false, minProposal: 4 });
  });

  test('a message for a group the peer does not serve is not handled', () => {
    const logic = createPeerLogic(testcase1);
    const r = logic.step(5, logic.init(5), {
      type: 'deliver',
      message: { type: 'prepare', from: 1, group: 1, n: 1 },
    });
    expect(r.handled).toBe(false);
    expect(r.sends).toEqual([]);
  });

  test('a duplicated prepare is harmless: the second answer does not make the proposer back off', () => {
    const logic = createPeerLogic(testcase1);
    const prepare = { type: 'prepare', from: 1, group: 1, n: 1 } as const;
    let acceptor = logic.init(2);
    const first = logic.step(2, acceptor, { type: 'deliver', message: prepare });
    acceptor = first.state;
    const second = logic.step(2, acceptor, { type: 'deliver', message: prepare });
    expect(second.sends[0]?.message).toMatchObject({ type: 'prepare_ack', promised: false, minProposal: 1 });

    let proposer = logic.step(1, logic.init(1), { type: 'start', value: 'X' }).state;
    proposer = logic.step(1, proposer, { type: 'deliver', message: (second.sends[0] as Send).message }).state;
    expect(proposer.proposers[1]?.value).toEqual({ undecided: 'preparing' });
    proposer = logic.step(1, proposer, { type: 'deliver', message: (first.sends[0] as Send).message }).state;
    expect(proposer.proposers[1]?.context.promises.map((p) => p.from)).toEqual([2]);
  });
});

describe('the step says when the durable state changed (the host saves only then)', () => {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
  console.log(`save flag: seed ${seed} (FC_SEED=${seed} replays it)`);
  test.each([
    ['testcase 1', testcase1],
    ['testcase 2', testcase2],
  ])('%s: on random runs with faults, save is true exactly when durable() differs', (_name, cluster) => {
    const sim = createSimulator(createPeerLogic(cluster));
    let steps = 0;
    let saves = 0;
    for (let run = 0; run < 30; run++) {
      const { applied } = randomRun(sim, seed + run, { steps: 150 });
      // Replayed one step at a time, with the durable state of the acting peer before and after.
      const w = sim.initial();
      for (const a of applied) {
        const before = a.peer === undefined ? '' : JSON.stringify(sim.durableOf(w, a.peer));
        const again = sim.apply(w, a.step);
        if (a.step.kind === 'restart' || a.peer === undefined) continue;
        const after = JSON.stringify(sim.durableOf(w, a.peer));
        expect(again.save, `seed ${seed + run}, step ${steps}`).toBe(before !== after);
        steps++;
        if (again.save) saves++;
      }
    }
    expect(saves).toBeGreaterThan(10);
    expect(steps - saves).toBeGreaterThan(10);
  });
});
