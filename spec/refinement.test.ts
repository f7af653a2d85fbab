import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { AcceptorDurable } from '../machines/acceptor';
import { acceptorMachine } from '../machines/acceptor';
import type { Message, PeerId, Send } from '../machines/messages';
import { type ClusterConfig, clusterFromRoles } from '../src/config/cluster';
import {
  createPeerLogic,
  type PeerInput,
  type PeerLogic,
  type PeerState,
  roleMachines,
} from '../src/peer/node';
import { testcase1, testcase2, validClusterArb } from '../test/support/clusters';
import { Agreement, checkParams, Init, type SpecParams, type SpecState, stateKey } from './paxos';
import {
  mapMessage,
  mapToSpec,
  SpecMessageLog,
  specActionBetween,
  specParamsFor,
  specStepBetween,
} from './refinement';

/**
 * A world of peers over a network that holds every message in flight: each step is one
 * peer step, and after each the world is mapped to the spec and the step to a spec action.
 */
class World {
  readonly states = new Map<PeerId, PeerState>();
  readonly inFlight: Send[] = [];
  readonly log = new SpecMessageLog();
  readonly sent: Message[] = [];
  readonly actions: string[] = [];
  spec: SpecState;

  constructor(
    readonly logic: PeerLogic,
    readonly params: SpecParams,
  ) {
    for (const p of logic.cluster.peers) this.states.set(p.id, logic.init(p.id));
    this.spec = this.mapped();
  }

  acceptors(): Map<PeerId, AcceptorDurable> {
    const out = new Map<PeerId, AcceptorDurable>();
    for (const [id, s] of this.states) {
      const d = this.logic.durable(s).acceptor;
      if (d) out.set(id, d);
    }
    return out;
  }

  mapped(): SpecState {
    return this.log.state(this.params, this.acceptors());
  }

  step(id: PeerId, input: PeerInput): string | null {
    const r = this.logic.step(id, this.states.get(id) as PeerState, input);
    this.states.set(id, r.state);
    for (const s of r.sends) {
      this.inFlight.push(s);
      this.sent.push(s.message);
      this.log.add(s.message);
    }
    const after = this.mapped();
    const action = specActionBetween(this.params, this.spec, after);
    this.actions.push(action ?? 'null');
    this.spec = after;
    return action;
  }

  deliver(i: number, keep = false): string | null {
    const [s] = keep ? this.inFlight.slice(i, i + 1) : this.inFlight.splice(i, 1);
    if (!s) throw new Error('nothing in flight there');
    return this.step(s.to, { type: 'deliver', message: s.message });
  }

  drain(): void {
    while (this.inFlight.length > 0) this.deliver(0);
  }
}

const values = ['X', 'Y'];
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

describe('specParamsFor', () => {
  test('acceptors are the peers with an acceptor role; quorums the least majorities of each group', () => {
    expect(specParamsFor(testcase1, values, 3)).toEqual({
      acceptors: [2, 3, 4],
      values,
      quorums: [
        [2, 3],
        [2, 4],
        [3, 4],
      ],
      maxBallot: 3,
    });
    expect(specParamsFor(testcase2, values, 3).quorums).toHaveLength(3);
    const twoGroups: ClusterConfig = clusterFromRoles('two', [
      { host: 'p1', proposer: [1], acceptor: [1] },
      { host: 'p2', acceptor: [1, 2] },
      { host: 'p3', acceptor: [1, 2] },
      { host: 'p4', proposer: [2], acceptor: [2] },
    ]);
    const p = specParamsFor(twoGroups, values, 3);
    expect(p.acceptors).toEqual([1, 2, 3, 4]);
    expect(p.quorums).toEqual([
      [1, 2],
      [1, 3],
      [2, 3],
      [2, 4],
      [3, 4],
    ]);
    expect(() => checkParams(p)).toThrow(/do not intersect/);
    expect(() => checkParams(specParamsFor(testcase2, values, 3))).not.toThrow();
  });
});

describe('mapMessage', () => {
  test('numbers become ballots one lower; promises, votes and requests map, the rest does not', () => {
    const base = { from: 2, group: 1, n: 3 };
    expect(mapMessage({ type: 'prepare', ...base })).toEqual({ type: '1a', bal: 2 });
    expect(
      mapMessage({
        type: 'prepare_ack',
        ...base,
        promised: true,
        minProposal: 3,
        acceptedProposal: 0,
        acceptedValue: null,
      }),
    ).toEqual({ type: '1b', acc: 2, bal: 2, mbal: -1, mval: null });
    expect(
      mapMessage({
        type: 'prepare_ack',
        ...base,
        promised: true,
        minProposal: 3,
        acceptedProposal: 1,
        acceptedValue: 'X',
      }),
    ).toEqual({ type: '1b', acc: 2, bal: 2, mbal: 0, mval: 'X' });
    expect(
      mapMessage({
        type: 'prepare_ack',
        ...base,
        promised: false,
        minProposal: 4,
        acceptedProposal: 0,
        acceptedValue: null,
      }),
    ).toBeNull();
    expect(mapMessage({ type: 'accept', ...base, value: 'X' })).toEqual({ type: '2a', bal: 2, val: 'X' });
    expect(mapMessage({ type: 'accept_ack', ...base, minProposal: 3, value: 'X' })).toEqual({
      type: '2b',
      acc: 2,
      bal: 2,
      val: 'X',
    });
    expect(mapMessage({ type: 'accept_ack', ...base, minProposal: 5, value: 'X' })).toBeNull();
    expect(mapMessage({ type: 'chose', ...base, value: 'X' })).toBeNull();
  });

  test('mapToSpec of a fresh world is Init; duplicates collapse into one message', () => {
    const p = specParamsFor(testcase1, values, 3);
    const fresh = { minProposal: 0, acceptedProposal: 0, acceptedValue: null };
    const acceptors = new Map([2, 3, 4].map((a) => [a, fresh]));
    expect(stateKey(mapToSpec(p, { acceptors, sent: [] }))).toBe(stateKey(Init(p)));
    const prepare: Message = { type: 'prepare', from: 1, group: 1, n: 1 };
    expect(mapToSpec(p, { acceptors, sent: [prepare, prepare, prepare] }).msgs).toEqual([
      { type: '1a', bal: 0 },
    ]);
    expect(() => mapToSpec(p, { acceptors: new Map([[2, fresh]]), sent: [] })).toThrow(/acceptor 3/);
  });
});

describe('the two testcases over a first-in first-out network refine the spec step by step', () => {
  test('testcase 1', () => {
    const world = new World(createPeerLogic(testcase1), specParamsFor(testcase1, values, UNBOUNDED));
    world.step(1, { type: 'start', value: 'X' });
    world.drain();
    expect(world.actions).not.toContain('null');
    expect(world.actions.filter((a) => a !== 'stutter')).toEqual([
      'Prepare(0)',
      'PrepareAck(2) on 1a(bal=0)',
      'PrepareAck(3) on 1a(bal=0)',
      'PrepareAck(4) on 1a(bal=0)',
      'Accept(0, X)',
      'AcceptAck(2) on 2a(bal=0, val=X)',
      'AcceptAck(3) on 2a(bal=0, val=X)',
      'AcceptAck(4) on 2a(bal=0, val=X)',
    ]);
    // The learner's learning, the acks the proposer counts and the chose messages are stutters.
    expect(world.actions.filter((a) => a === 'stutter').length).toBeGreaterThan(5);
    expect(stateKey(world.spec)).toBe(
      stateKey(mapToSpec(world.params, { acceptors: world.acceptors(), sent: world.sent })),
    );
  });

  test('testcase 2: peer5 adopts X under ballot 1', () => {
    const world = new World(createPeerLogic(testcase2), specParamsFor(testcase2, values, UNBOUNDED));
    world.step(1, { type: 'start', value: 'X' });
    world.drain();
    world.step(5, { type: 'start', value: 'Y' });
    world.drain();
    expect(world.actions).not.toContain('null');
    const moves = world.actions.filter((a) => a !== 'stutter');
    expect(moves).toContain('Accept(0, X)');
    expect(moves).toContain('Prepare(1)');
    expect(moves).toContain('PrepareAck(2) on 1a(bal=1)');
    expect(moves).toContain('Accept(1, X)');
    expect(moves.filter((a) => a.startsWith('Accept(1'))).toEqual(['Accept(1, X)']);
    expect(moves).toContain('AcceptAck(4) on 2a(bal=1, val=X)');
    expect(Agreement(world.params, world.spec)).toBe(true);
  });
});

/**
 * One random schedule: every proposer starts (group K with the K-th value), then each
 * choice delivers a message (kept in flight for a duplicate, or not), loses one, or times
 * out a proposer. Stops at the first step that maps to no spec action.
 */
function runSchedule(logic: PeerLogic, params: SpecParams, choices: [number, number][]) {
  const world = new World(logic, params);
  const groups = logic.cluster.groups;
  groups.forEach((g, i) => {
    world.step(g.proposer, { type: 'start', value: params.values[i] as string, group: g.id });
  });
  for (const [kind, pick] of choices) {
    const n = world.inFlight.length;
    let action: string | null;
    if (kind === 0) {
      const g = groups[pick % groups.length];
      if (!g) continue;
      action = world.step(g.proposer, { type: 'timeout', group: g.id });
    } else if (n === 0) continue;
    else if (kind === 1) action = world.deliver(pick % n, true);
    else if (kind === 2) {
      world.inFlight.splice(pick % n, 1);
      continue;
    } else action = world.deliver(pick % n);
    if (action === null) return { world, refines: false };
  }
  return { world, refines: true };
}

const schedules = fc.array(fc.tuple(fc.nat(9), fc.nat()), { maxLength: 200, size: 'max' });

describe('random schedules of testcase 2 refine the spec', () => {
  const params = specParamsFor(testcase2, values, UNBOUNDED);

  test('any interleaving, with duplicates, losses and timeouts, maps every step to an action or a stutter', () => {
    const logic = createPeerLogic(testcase2);
    const seen = new Set<string>();
    fc.assert(
      fc.property(schedules, (choices) => {
        const { world, refines } = runSchedule(logic, params, choices);
        for (const a of world.actions) seen.add(a.replace(/\(.*$/, ''));
        return refines && Agreement(params, world.spec);
      }),
    );
    expect([...seen].sort()).toEqual(['Accept', 'AcceptAck', 'Prepare', 'PrepareAck', 'stutter']);
  });

  test('the same property fails for an acceptor that accepts below its promise', () => {
    const faulty = {
      ...roleMachines,
      acceptor: acceptorMachine.provide({ guards: { atLeastPromised: () => true } }),
    };
    const logic = createPeerLogic(testcase2, faulty);
    const details = fc.check(
      fc.property(schedules, (choices) => runSchedule(logic, params, choices).refines),
      { numRuns: 3000, endOnFailure: true },
    );
    expect(details.failed, `failed after ${details.numRuns} runs, seed ${details.seed}`).toBe(true);
  });
});

describe('random clusters refine the spec', () => {
  test('the constants satisfy QuorumAssumption, and every step of a random schedule maps to the spec', () => {
    fc.assert(
      fc.property(validClusterArb({ groupIdGaps: true }), schedules, ({ cluster }, choices) => {
        const params = specParamsFor(
          cluster,
          cluster.groups.map((g) => `v${g.id}`),
          UNBOUNDED,
        );
        checkParams(params);
        const { world, refines } = runSchedule(createPeerLogic(cluster), params, choices);
        return refines && Agreement(params, world.spec);
      }),
      { numRuns: Math.max(20, Math.floor(fc.readConfigureGlobal().numRuns ?? 100) / 5) },
    );
  });
});

describe('a step no action of the spec allows maps to null', () => {
  const p = specParamsFor(testcase1, values, UNBOUNDED);
  const prepared = (bal: number, promised: number): SpecState => ({
    maxBal: { 2: promised, 3: -1, 4: -1 },
    maxVBal: { 2: -1, 3: -1, 4: -1 },
    maxVal: { 2: null, 3: null, 4: null },
    msgs: [
      { type: '1a', bal },
      { type: '1a', bal: promised },
      { type: '2a', bal, val: 'X' },
    ],
  });

  test('an acceptor that accepts below its promise', () => {
    const before = prepared(0, 1);
    const after: SpecState = {
      ...before,
      maxBal: { ...before.maxBal, 2: 0 },
      maxVBal: { ...before.maxVBal, 2: 0 },
      maxVal: { ...before.maxVal, 2: 'X' },
      msgs: [...before.msgs, { type: '2b', acc: 2, bal: 0, val: 'X' }],
    };
    expect(specActionBetween(p, before, after)).toBeNull();
    // The same vote at the promised ballot is an AcceptAck.
    const fine = prepared(1, 1);
    const voted: SpecState = {
      ...fine,
      maxVBal: { ...fine.maxVBal, 2: 1 },
      maxVal: { ...fine.maxVal, 2: 'X' },
      msgs: [...fine.msgs, { type: '2b', acc: 2, bal: 1, val: 'X' }],
    };
    expect(specActionBetween(p, fine, voted)).toBe('AcceptAck(2) on 2a(bal=1, val=X)');
  });

  test('a message taken back, two acceptors moving at once, a vote without its state change', () => {
    const s = prepared(0, 1);
    expect(specStepBetween(p, s, s)).toBe('stutter');
    expect(specActionBetween(p, s, { ...s, msgs: s.msgs.slice(1) })).toBeNull();
    expect(specActionBetween(p, s, { ...s, maxBal: { 2: 1, 3: 0, 4: 0 } })).toBeNull();
    expect(
      specActionBetween(p, s, { ...s, msgs: [...s.msgs, { type: '2b', acc: 3, bal: 0, val: 'X' }] }),
    ).toBeNull();
    expect(specActionBetween(p, s, { ...s, msgs: [...s.msgs, { type: '2a', bal: 2, val: 'X' }] })).toBeNull();
  });

  test('a faulty acceptor machine (accepting whatever it promised) breaks refinement in a run', () => {
    const faulty = {
      ...roleMachines,
      acceptor: acceptorMachine.provide({ guards: { atLeastPromised: () => true } }),
    };
    for (const machines of [roleMachines, faulty]) {
      const world = new World(
        createPeerLogic(testcase2, machines),
        specParamsFor(testcase2, values, UNBOUNDED),
      );
      world.step(1, { type: 'start', value: 'X' });
      // peer1's prepares, then the promises back to peer1: it sends accept(1, X).
      for (let i = 0; i < 3; i++) world.deliver(0);
      while (world.inFlight.some((s) => s.message.type === 'prepare_ack')) world.deliver(0);
      expect(world.inFlight.every((s) => s.message.type === 'accept')).toBe(true);
      // peer5's prepare(2) reaches peer2 first, then peer1's accept(1, X).
      world.step(5, { type: 'start', value: 'Y' });
      const toPeer2 = (type: string) =>
        world.inFlight.findIndex((s) => s.to === 2 && s.message.type === type);
      expect(world.deliver(toPeer2('prepare'))).toBe('PrepareAck(2) on 1a(bal=1)');
      const verdict = world.deliver(toPeer2('accept'));
      expect(verdict).toBe(machines === faulty ? null : 'stutter');
    }
  });
});
