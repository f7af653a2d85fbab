/**
 * The explorer's model without a browser: links encode every action and read back the
 * same one; the page's scenarios are the lab's files and slide 46; the tree goes back and
 * forks; a restart keeps a promise; the properties' badges break on the step that breaks
 * them, and a muted badge (the faulty page's) does not.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { exploreMachines } from '../../src/check/worlds';
import { parseHostsfile } from '../../src/config/hostsfile';
import { decodeAction, decodePath, encodeAction, encodePath } from '../../src/explorer/encoding';
import { RegisterSession } from '../../src/explorer/registerSession';
import {
  type RegisterScenario,
  registerScenarios,
  scenarios,
  TESTCASE1_HOSTSFILE,
} from '../../src/explorer/scenarios';
import { type SearchGoal, searchFrom } from '../../src/explorer/search';
import { Session, sameStep } from '../../src/explorer/session';
import { createPeerLogic } from '../../src/peer/node';
import { randomRun } from '../../src/sim/random';
import { disjointCluster, TESTCASE2_HOSTSFILE } from '../../src/view/pictures';
import type { Action } from '../../src/world/action';
import { createSimulator } from '../../src/world/world';
import { PUT_THEN_GET } from './support/checks';

const tc2 = () => parseHostsfile(TESTCASE2_HOSTSFILE, 'hostsfile-testcase2.txt');
const all = () => scenarios(tc2());
const scenario = (id: string) => {
  const s = all().find((x) => x.id === id);
  if (!s) throw new Error(id);
  return s;
};

describe('links', () => {
  test('every action of random runs reads back as itself', () => {
    for (const seed of [1, 2, 3, 4]) {
      const session = new Session(tc2(), { 1: 'X', 2: 'Y' });
      session.runUntilChosen(seed);
      const actions = session.actionsOf();
      for (const a of actions) expect(sameStep(decodeAction(encodeAction(a)), a)).toBe(true);
      const again = new Session(tc2(), { 1: 'X', 2: 'Y' });
      again.load(decodePath(encodePath(actions)));
      expect(again.path()).toBe(session.path());
    }
  });

  test("a simulation's steps load, leaving out only steps without effect: the peers end as the simulator's", () => {
    const sim = createSimulator(createPeerLogic(tc2()));
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const run = randomRun(sim, seed, { steps: 200 });
      const session = new Session(tc2(), { 1: 'X', 2: 'Y' });
      session.load(run.steps);
      // Each restart of the simulator's is a crash, then a restart, here.
      const crashes = session.actionsOf().filter((x) => x.kind === 'crash').length;
      expect(session.current.depth - crashes + session.skipped).toBe(run.steps.length);
      expect(JSON.stringify(session.current.world.peers)).toBe(JSON.stringify(run.world.peers));
      expect(session.current.world.printed).toEqual(run.world.printed);
      expect(session.current.world.inFlight.length).toBe(run.world.inFlight.length);
    }
  });

  test('tokens are stable and name messages by content', () => {
    const a: Action = {
      kind: 'deliver',
      send: {
        type: 'send',
        to: 1,
        message: {
          type: 'prepare_ack',
          from: 3,
          group: 1,
          n: 3,
          promised: true,
          minProposal: 3,
          acceptedProposal: 2,
          acceptedValue: 'a.b,c',
        },
      },
    };
    expect(encodeAction(a)).toBe('d.1.P.3.1.3.1.3.2.a%2Eb%2Cc');
    expect(encodeAction({ kind: 'start', group: 2, value: 'Y' })).toBe('s.2.Y');
    expect(() => decodeAction('q.1')).toThrow(/not an action/);
  });
});

describe('scenarios', () => {
  test('the built-in hostsfiles are the lab files', () => {
    expect(TESTCASE1_HOSTSFILE).toBe(readFileSync('hostsfile-testcase1.txt', 'utf8'));
    expect(TESTCASE2_HOSTSFILE).toBe(readFileSync('hostsfile-testcase2.txt', 'utf8'));
  });

  test("slide 46's steps ahead end with every peer printing chose X", () => {
    const s = scenario('slide46');
    const session = new Session(s.cluster, s.values);
    session.load(s.ahead ?? []);
    expect(session.current.chosen.map((c) => c.value)).toContain('X');
    for (const id of [1, 2, 3, 4, 5]) expect(session.current.world.printed[id]?.[0]?.value).toBe('X');
    expect(Object.keys(session.current.broken)).toEqual([]);
  });
});

describe('the tree', () => {
  test('going back and choosing differently forks; the old branch stays until discarded', () => {
    const session = new Session(tc2(), { 1: 'X', 2: 'Y' });
    session.take({ kind: 'start', group: 1, value: 'X' });
    const [first] = session.enabled().filter((a) => a.kind === 'deliver');
    const old = session.take(first as Action);
    session.back();
    expect(session.ahead()).toEqual([old]);
    const drop = session.enabled().find((a) => a.kind === 'drop') as Action;
    const fork = session.take(drop);
    expect(session.current.parent?.children).toEqual([old, fork]);
    session.back();
    expect(session.ahead()).toEqual([fork]);
    session.discard(old);
    expect(session.current.children).toEqual([fork]);
  });

  test('a crash then a restart, two steps: nothing reaches the peer while down, and it keeps its promise', () => {
    const session = new Session(tc2(), { 1: 'X', 2: 'Y' });
    session.take({ kind: 'start', group: 1, value: 'X' });
    const prepare: Action = {
      kind: 'duplicate',
      send: { type: 'send', to: 2, message: { type: 'prepare', from: 1, group: 1, n: 1 } },
    };
    session.take(prepare);
    session.take({ ...prepare, kind: 'deliver' });
    expect(() => session.take({ kind: 'restart', peer: 2 })).toThrow(/not enabled: restart peer2/);
    session.take({ kind: 'crash', peer: 2 });
    expect(session.current.down).toEqual([2]);
    const toPeer2 = session.enabled().filter((a) => a.kind !== 'crash' && session.actorOf(a) === 2);
    expect(toPeer2.map((a) => a.kind).sort()).toEqual(['drop', 'duplicate', 'restart']);
    session.take({ kind: 'restart', peer: 2 });
    expect(session.current.down).toEqual([]);
    expect(session.current.world.peers[2]?.acceptor?.context.minProposal).toBe(1);
    expect(session.enabled().some((a) => a.kind === 'deliver' && a.send.to === 2)).toBe(true);
    expect(session.current.broken).toEqual({});
    // A proposer down fires no timer and takes no start.
    session.take({ kind: 'crash', peer: 5 });
    expect(session.enabled().some((a) => a.kind === 'start' && a.group === 2)).toBe(false);
    // The faulty page delivers to a peer that is down.
    const faulty = new Session(tc2(), { 1: 'X', 2: 'Y' }, 'deliver-while-down');
    faulty.load(decodePath('s.1.X,c.2'));
    expect(faulty.enabled().some((a) => a.kind === 'deliver' && a.send.to === 2)).toBe(true);
  });

  test("a link of the world's crash and restart in one step (r.PEER on a peer up) opens as the crash then the restart", () => {
    const old = new Session(tc2(), { 1: 'X', 2: 'Y' });
    old.load(decodePath('s.1.X,d.2.p.1.1.1,r.2,d.3.p.1.1.1'));
    expect(old.path()).toBe('s.1.X,d.2.p.1.1.1,c.2,r.2,d.3.p.1.1.1');
    expect(old.current.world.peers[2]?.acceptor?.context.minProposal).toBe(1);
    expect(decodeAction('c.4')).toEqual({ kind: 'crash', peer: 4 });
  });

  test('the disjoint-quorum counterexample breaks Agreement on its last step, and only there', () => {
    const cluster = disjointCluster();
    const [violation] = exploreMachines({ cluster, values: { 1: 'X', 2: 'Y' }, maxRound: 1 }).violations;
    const steps = violation?.trace.slice(1).map((t) => t.step as Action) ?? [];
    const session = new Session(cluster, { 1: 'X', 2: 'Y' });
    session.load(steps);
    expect(session.current.broken.Agreement?.step).toBe(steps.length);
    session.back();
    expect(session.current.broken.Agreement).toBeUndefined();
    const muted = new Session(cluster, { 1: 'X', 2: 'Y' }, 'mute-agreement');
    muted.load(steps);
    expect(muted.current.broken.Agreement).toBeUndefined();
  });

  test("search from here is the checker's: its shortest counterexample, from the start or from midway", () => {
    const cluster = disjointCluster();
    const values = { 1: 'X', 2: 'Y' };
    const [violation] = exploreMachines({ cluster, values, maxRound: 1 }).violations;
    const steps = violation?.trace.slice(1).map((t) => t.step as Action) ?? [];
    const request = { goal: 'violation', maxDepth: 30, maxStates: 200_000, faults: false, down: [] } as const;
    const whole = searchFrom(cluster, values, [], request);
    expect(whole).toMatchObject({ found: 'Agreement broken', complete: false });
    expect(whole.path).toHaveLength(steps.length);
    const session = new Session(cluster, values);
    session.load(steps.slice(0, -3));
    const found = searchFrom(cluster, values, session.actionsOf(), { ...request, maxDepth: 6 });
    expect(found.path).toHaveLength(3);
    for (const a of found.path ?? []) session.takeWorldAction(a);
    expect(session.current.broken.Agreement?.step).toBe(steps.length);
    const none = searchFrom(cluster, values, [], { ...request, maxDepth: 2 });
    expect(none).toMatchObject({ path: null, complete: false });
  });

  test('search from here: each goal, and peers down stay down', () => {
    const values = { 1: 'X', 2: 'Y' };
    const request = { maxDepth: 16, maxStates: 50_000, faults: false, down: [] };
    const from = (path: string, goal: SearchGoal, more = {}) =>
      searchFrom(tc2(), values, decodePath(path), { ...request, goal, ...more });
    expect(from('s.1.X,d.2.p.1.1.1,d.3.p.1.1.1', 'chosen')).toMatchObject({
      found: 'a value chosen',
      depth: 4,
    });
    const adopted = from('', 'adopted');
    expect(adopted.found).toBe("a proposer adopting another's value");
    const session = new Session(tc2(), values);
    for (const a of adopted.path ?? []) session.takeWorldAction(a);
    const accepts = session.current.applied?.sends.map((s) => s.message);
    expect(accepts?.some((m) => m.type === 'accept' && m.from === 5 && m.value === 'X')).toBe(true);
    expect(from('', 'two-accepted').path?.length).toBeGreaterThan(0);
    // Two of the three acceptors down: nothing can be chosen, and the search proves it within its bounds.
    const down = from('s.1.X,c.3,c.4', 'chosen', { down: [3, 4] });
    expect(down).toMatchObject({ path: null, complete: true });
    expect(from('s.1.X,c.3,c.4', 'chosen').path).toHaveLength(6);
    // Restarted, a peer takes part again.
    expect(from('s.1.X,c.3,c.4,r.3', 'chosen', { down: [4] }).path).toHaveLength(6);
  });

  test('run at random until chosen is a function of the seed', () => {
    const a = new Session(tc2(), { 1: 'X', 2: 'Y' });
    const b = new Session(tc2(), { 1: 'X', 2: 'Y' });
    a.runUntilChosen(5);
    b.runUntilChosen(5);
    expect(a.current.chosen.length).toBeGreaterThan(0);
    expect(a.path()).toBe(b.path());
  });
});

describe('the register scenario', () => {
  const walk = (fault?: 'register-get-without-quorum') => {
    const session = new RegisterSession((registerScenarios()[0] as RegisterScenario).plan, fault);
    for (const words of PUT_THEN_GET) {
      const i = session.enabled().findIndex((c) => c.words === words);
      if (i < 0) break;
      session.take(i);
    }
    return session;
  };

  test("a put then a get, through the checker's register model: linearizable, every step the spec's", () => {
    const session = walk();
    expect(session.current.depth).toBe(PUT_THEN_GET.length);
    expect(session.view().history.at(-1)).toMatchObject({ type: 'ok', f: 'get', value: { value: 'a' } });
    expect(session.current.broken).toEqual({});
    const again = new RegisterSession((registerScenarios()[0] as RegisterScenario).plan);
    again.load(session.path());
    expect(again.current.state).toEqual(session.current.state);
    expect(() => again.load('no such step')).toThrow(/step 1: not offered here/);
  });

  test('peers that answer a get from one acceptor break the refinement on the step that does', () => {
    const session = walk('register-get-without-quorum');
    expect(session.current.broken.Refinement?.step).toBe(12);
  });
});
