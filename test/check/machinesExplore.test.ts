import { describe, expect, test } from 'vitest';
import { assign } from 'xstate';
import { acceptorMachine } from '../../machines/acceptor';
import { learnerMachine } from '../../machines/learner';
import { proposerMachine } from '../../machines/proposer';
import { forgetfulLearner } from '../../properties/faults/learners';
import { keepsAcceptancesOnRetry, mislabellingProposer } from '../../properties/faults/proposers';
import { exploreMachines, type Fault, type MachineCheckOptions } from '../../src/check/worlds';
import type { MachineGoal } from '../../src/check/worlds/goals';
import { START, stepKind } from '../../src/check/worlds/packedWorld';
import { parseHostsfile } from '../../src/config/hostsfile';
import { LOG_KEYS } from '../../src/peer/logLine';
import { roleMachines } from '../../src/peer/node';
import { disjointMajorities, fiveAcceptorsThreeProposers, testcase1, testcase2 } from './clusters';

describe('exhaustive checks of the real machines (what CI proves)', () => {
  test('testcase 1, bag network with drop, one duplication and one crash, up to acceptor symmetry: no violation', () => {
    const r = exploreMachines({
      cluster: testcase1,
      maxRound: 1,
      faults: ['drop', 'dup', 'crash'],
      symmetry: true,
    });
    expect(r.violations).toEqual([]);
    expect(r.complete).toBe(true);
    // The figures src/check/README.md quotes.
    expect({ states: r.distinctStates, depth: r.depth }).toEqual({ states: 3_574_848, depth: 46 });
  });

  // Without symmetry, two to four minutes on one core: run by `npm run test:deep`.
  test.runIf(process.env.PAXOS_CHECK_DEEP === '1')(
    'testcase 1, bag network with drop, one duplication and one crash: no violation',
    () => {
      const r = exploreMachines({ cluster: testcase1, maxRound: 1, faults: ['drop', 'dup', 'crash'] });
      expect(r.violations).toEqual([]);
      expect(r.complete).toBe(true);
      expect({ states: r.distinctStates, depth: r.depth }).toEqual({ states: 21_164_323, depth: 46 });
    },
    600_000,
  );

  test('testcase 2, one round each, bag network, up to acceptor symmetry: no violation', () => {
    const r = exploreMachines({ cluster: testcase2, maxRound: 1, symmetry: true });
    expect(r.violations).toEqual([]);
    expect(r.complete).toBe(true);
    expect({ states: r.distinctStates, depth: r.depth }).toEqual({ states: 470_506, depth: 28 });
  });

  test('testcase 1 on the set network (loss, duplication, reordering) with a crash: no violation', () => {
    const r = exploreMachines({ cluster: testcase1, maxRound: 1, network: 'set', faults: ['crash'] });
    expect(r.violations).toEqual([]);
    expect(r.complete).toBe(true);
    expect({ states: r.distinctStates, depth: r.depth }).toEqual({ states: 4_653, depth: 18 });
  });

  test('a cluster whose local graph is too large for settled messages is still checked, and says so', () => {
    const big = exploreMachines({
      cluster: fiveAcceptorsThreeProposers,
      maxRound: 1,
      network: 'set',
      symmetry: true,
      maxStates: 2_000,
    });
    expect(big.violations).toEqual([]);
    expect(big.distinctStates).toBe(2_000);
    expect(big.stats.settledSkipped).toBe("the peers' local graph passed 300,000 steps");
    const small = exploreMachines({ cluster: testcase1, maxRound: 1, network: 'set', maxStates: 100 });
    expect(small.stats.settledSkipped).toBeNull();
  });

  // About two minutes on one core: run by `npm run test:deep` (PAXOS_CHECK_DEEP=1).
  test.runIf(process.env.PAXOS_CHECK_DEEP === '1')(
    "testcase 2 on the set network (Paxos.tla's), one round each, up to acceptor symmetry: no violation",
    { timeout: 900_000 },
    () => {
      const r = exploreMachines({ cluster: testcase2, maxRound: 1, network: 'set', symmetry: true });
      expect(r.violations).toEqual([]);
      expect(r.complete).toBe(true);
      expect({ states: r.distinctStates, depth: r.depth, transitions: r.transitions }).toEqual({
        states: 5_281_654,
        depth: 35,
        transitions: 101_390_424,
      });
    },
  );
});

describe('two rounds per proposer on testcase 1: bugs that need a retry show', () => {
  // The bag without drop: a TIMEOUT may fire whenever a timer is armed, with the round's
  // messages still in flight, so every retry is explored; a drop adds for safety only what
  // a message left in flight forever already shows (besides repeated announcements), and
  // with drop or a crash this configuration does not finish in a minute.
  test('testcase 1, two rounds, bag, up to acceptor symmetry: no violation', () => {
    const r = exploreMachines({ cluster: testcase1, maxRound: 2, symmetry: true });
    expect(r.violations).toEqual([]);
    expect(r.complete).toBe(true);
    expect({ states: r.distinctStates, depth: r.depth }).toEqual({ states: 957_441, depth: 27 });
  });

  test('a proposer whose retry keeps the acceptances of its first round decides at a number no majority accepted', () => {
    const machines = { ...roleMachines, proposer: keepsAcceptancesOnRetry };
    const r = exploreMachines({ cluster: testcase1, maxRound: 2, symmetry: true, machines });
    const [v] = r.violations;
    expect(v?.invariant).toBe('LearnerIntegrity');
    const trace = v?.trace ?? [];
    const last = trace[trace.length - 1]?.state as { violation: string };
    expect(last.violation).toBe('peer 1 printed chose X at 2 before a majority accepted it');
    expect(trace.map((t) => t.action).filter((a) => a.startsWith('TIMEOUT'))).toEqual([
      'TIMEOUT peer1 proposer1',
    ]);
    // One round each: no retry, and the same proposer is correct.
    expect(exploreMachines({ cluster: testcase1, maxRound: 1, machines }).violations).toEqual([]);
  });

  // Paxos.tla's network (loss, duplication, reordering) with retries and a restart of any
  // peer: small once settled messages are forgotten.
  const onTheSet: MachineCheckOptions = {
    cluster: testcase1,
    maxRound: 2,
    network: 'set',
    faults: ['crash'],
    symmetry: true,
  };
  test('testcase 1, two rounds, set network, a crash, up to acceptor symmetry: no violation', () => {
    const r = exploreMachines(onTheSet);
    expect(r.violations).toEqual([]);
    expect(r.complete).toBe(true);
    expect({ states: r.distinctStates, depth: r.depth }).toEqual({ states: 91_885, depth: 28 });
  });

  test("there the proposer that keeps its first round's acceptances is caught too", () => {
    const r = exploreMachines({
      ...onTheSet,
      machines: { ...roleMachines, proposer: keepsAcceptancesOnRetry },
    });
    expect(r.violations.map((v) => v.invariant)).toEqual(['LearnerIntegrity']);
  });
});

describe('a crash restarts any peer, as the runtime restarts a process', () => {
  // paxos peer -v proposes again on every start; restarted, a proposer keeps only its number.
  const startsAgain: MachineGoal = {
    name: 'a restarted proposer starts again under its next number',
    build: (model) => (before, _bl, step) =>
      stepKind(step) === START &&
      (before[model.world.crashes] as number) < model.options.maxCrashes &&
      [...(model.current?.sends ?? [])].some((m) => {
        const sent = model.peers.send(m).message;
        return sent.type === 'prepare' && sent.n === 2;
      }),
  };

  test('with two rounds, a restarted proposer proposes again with its second number', () => {
    const r = exploreMachines({
      cluster: testcase1,
      maxRound: 2,
      faults: ['crash'],
      goals: [startsAgain],
      maxDepth: 4,
    });
    expect(r.goals[0]?.witness?.map((t) => t.action)).toEqual([
      'Init',
      'START peer1 proposer1 with X',
      'crash and restart peer1 from stable storage',
      'START peer1 proposer1 with X',
    ]);
  });

  test('with one round, a restarted proposer stays idle: its next number is past the bound', () => {
    const r = exploreMachines({ cluster: testcase1, maxRound: 1, faults: ['crash'], goals: [startsAgain] });
    expect(r.complete).toBe(true);
    expect(r.goals[0]?.reached).toBe(false);
  });
});

describe('the sizes src/check/README.md quotes', () => {
  const oneProposer = parseHostsfile(
    'peer1:proposer1\npeer2:acceptor1\npeer3:acceptor1\npeer4:acceptor1\n',
    'one-proposer.txt',
  );
  test.each<[string, Fault[], boolean, number, number]>([
    ['bag', [], false, 525, 15],
    ['bag', [], true, 681, 15],
    ['bag + drop', ['drop'], false, 9_557, 31],
    ['bag + drop', ['drop'], true, 12_584, 31],
    ['bag + drop + 1 dup', ['drop', 'dup'], false, 86_573, 32],
    ['bag + drop + 1 dup', ['drop', 'dup'], true, 114_158, 32],
  ])('1 proposer + 3 acceptors, %s, refinement %s', (_, faults, refinement, states, depth) => {
    const r = exploreMachines({ cluster: oneProposer, maxRound: 1, faults, refinement });
    expect({ states: r.distinctStates, depth: r.depth, complete: r.complete }).toEqual({
      states,
      depth,
      complete: true,
    });
  });

  test('testcase 2, one round each, bag: 2,791,280 states, depth 28', () => {
    const r = exploreMachines({ cluster: testcase2, maxRound: 1 });
    expect({ states: r.distinctStates, depth: r.depth, complete: r.complete }).toEqual({
      states: 2_791_280,
      depth: 28,
      complete: true,
    });
  });
});

describe('bounded searches prove nothing and say so', () => {
  test('five acceptors, three proposers, two rounds: stopped by maxStates', () => {
    const r = exploreMachines({
      cluster: fiveAcceptorsThreeProposers,
      maxRound: 2,
      faults: ['drop'],
      symmetry: true,
      maxStates: 10_000,
    });
    expect(r.violations).toEqual([]);
    expect(r.complete).toBe(false);
    expect(r.distinctStates).toBe(10_000);
  });

  test('maxDepth stops at that level; a bound past the last level leaves the search complete', () => {
    const full = exploreMachines({ cluster: testcase1, maxRound: 1 });
    const cut = exploreMachines({ cluster: testcase1, maxRound: 1, maxDepth: 5 });
    expect(cut).toMatchObject({ complete: false, depth: 5 });
    expect(cut.distinctStates).toBeLessThan(full.distinctStates);
    const exact = exploreMachines({ cluster: testcase1, maxRound: 1, maxDepth: full.depth });
    expect(exact).toMatchObject({ complete: true, depth: full.depth, distinctStates: full.distinctStates });
  });
});

describe('the checker catches what it must (every step refines the spec; without that check, the invariants)', () => {
  test('a message the wire codec would refuse: WireValid, at the step that sends it', () => {
    const r = exploreMachines({
      cluster: testcase2,
      maxRound: 1,
      machines: { ...roleMachines, proposer: mislabellingProposer },
    });
    const [v] = r.violations;
    expect(v?.invariant).toBe('WireValid');
    const trace = v?.trace ?? [];
    const last = trace[trace.length - 1]?.state as { violation: string };
    expect(last.violation).toMatch(
      /^peer\d sent peer\d a message the wire refuses: accept: peer \d is not proposer\d$/,
    );
    // Shortest: Init, the start, two prepares and their two promises (a majority), the last of
    // which sends the accepts.
    expect(trace.map((t) => t.action.split(' ')[0])).toEqual([
      'Init',
      'START',
      'deliver',
      'deliver',
      'deliver',
      'deliver',
    ]);
  });

  test('proposer groups whose majorities do not meet: two values chosen, shortest trace', () => {
    const r = exploreMachines({ cluster: disjointMajorities, maxRound: 1 });
    expect(r.complete).toBe(false);
    const [v] = r.violations;
    expect(v?.invariant).toBe('Agreement');
    const trace = v?.trace ?? [];
    expect(trace[0]?.action).toBe('Init');
    const last = trace[trace.length - 1]?.state as { violation: string };
    expect(last.violation).toMatch(/X chosen .* and Y chosen/);
    // Each step prints as the lab's log lines, keys in the contract's order.
    for (const step of trace.slice(1)) {
      for (const line of (step.state as { lines: string[] }).lines)
        expect(Object.keys(JSON.parse(line))).toEqual([...LOG_KEYS]);
    }
    // Shortest: one level less and the same search finds nothing.
    const shorter = exploreMachines({ cluster: disjointMajorities, maxRound: 1, maxDepth: trace.length - 1 });
    expect(shorter.violations).toEqual([]);
  });

  test('under symmetry the counterexample is a real run, and its verdict names real peers', () => {
    const r = exploreMachines({ cluster: disjointMajorities, maxRound: 1, symmetry: true });
    const trace = r.violations[0]?.trace ?? [];
    const last = trace[trace.length - 1]?.state as {
      violation: string;
      acceptors: Record<string, { acceptedProposal: number; acceptedValue: string | null }>;
    };
    const majorities = [...last.violation.matchAll(/(\w) chosen at (\d) by acceptors ([\d,]+)/g)];
    expect(majorities).toHaveLength(2);
    for (const [, value, n, ids] of majorities) {
      for (const id of (ids ?? '').split(','))
        expect(last.acceptors[`peer${id}`]).toMatchObject({
          acceptedProposal: Number(n),
          acceptedValue: value,
        });
    }
  });

  test('an acceptor that accepts below its promise breaks agreement', () => {
    const machines = {
      ...roleMachines,
      acceptor: acceptorMachine.provide({ guards: { atLeastPromised: () => true } }),
    };
    const r = exploreMachines({ cluster: testcase2, maxRound: 1, machines });
    expect(r.violations.map((v) => v.invariant)).toEqual(['Refinement']);
    const unmapped = exploreMachines({ cluster: testcase2, maxRound: 1, machines, refinement: false });
    expect(unmapped.violations.map((v) => v.invariant)).toEqual(['Agreement']);
  });

  test('an acceptor that accepts without raising its promise breaks its local invariant', () => {
    const machines = {
      ...roleMachines,
      acceptor: acceptorMachine.provide({
        actions: {
          accept: assign(({ event }) => {
            const { n, value } = event as { n: number; value: string };
            return { acceptedProposal: n, acceptedValue: value };
          }),
        },
      }),
    };
    // Its accept_ack reports a minProposal below the proposal it accepted, which the codec
    // refuses: the step checks catch that first (the same step breaks refinement).
    const r = exploreMachines({ cluster: testcase1, maxRound: 1, machines });
    expect(r.violations.map((v) => v.invariant)).toEqual(['WireValid']);
    const unmapped = exploreMachines({
      cluster: testcase1,
      maxRound: 1,
      machines,
      refinement: false,
      wire: false,
    });
    expect(unmapped.violations.map((v) => v.invariant)).toEqual(['AcceptorInvariant']);
  });

  test('a proposer that ignores accepted values breaks agreement', () => {
    const machines = {
      ...roleMachines,
      proposer: proposerMachine.provide({
        actions: { adoptHighestAccepted: assign({ proposal: ({ context }) => context.value }) },
      }),
    };
    const r = exploreMachines({ cluster: testcase2, maxRound: 1, machines, symmetry: true });
    expect(r.violations.map((v) => v.invariant)).toEqual(['Refinement']);
    const unmapped = exploreMachines({ cluster: testcase2, maxRound: 1, machines, refinement: false });
    expect(unmapped.violations.map((v) => v.invariant)).toEqual(['Agreement']);
  });

  test('a learner that learns from a single acceptance prints chose too early', () => {
    const machines = {
      ...roleMachines,
      learner: learnerMachine.provide({ guards: { completesMajority: () => true } }),
    };
    const r = exploreMachines({ cluster: testcase1, maxRound: 1, machines });
    expect(r.violations.map((v) => v.invariant)).toEqual(['LearnerIntegrity']);
    const steps = r.violations[0]?.trace ?? [];
    const { lines } = (steps[steps.length - 1]?.state ?? { lines: [] }) as { lines: string[] };
    expect(JSON.parse(lines[lines.length - 1] ?? '{}')).toMatchObject({ action: 'chose' });
  });

  test('a learner that forgets its decision on a restart prints chose twice: found by crashing the learner-only peer', () => {
    const machines = { ...roleMachines, learner: forgetfulLearner };
    const r = exploreMachines({ cluster: testcase1, maxRound: 1, faults: ['crash'], machines });
    const [v] = r.violations;
    expect(v?.invariant).toBe('LearnerIntegrity');
    const trace = v?.trace ?? [];
    const last = trace[trace.length - 1]?.state as { violation: string; lines: string[] };
    expect(last.violation).toMatch(/^peer 5 printed chose twice \(it forgot the first across a restart/);
    // peer5 holds no acceptor: the crash that shows the bug is one the checker did not make
    // before every peer could crash.
    const steps = trace.map((t) => t.action);
    // Shortest: Init, then the start, two prepares, two promises, two accepts, four accept_acks
    // (peer5 learns from the second), the crash, and the proposer's chose reaching peer5.
    expect(steps).toHaveLength(14);
    expect(steps[13]).toBe('deliver chose peer1->peer5 n=1 value=X');
    expect(steps.filter((a) => a.startsWith('crash'))).toEqual([
      'crash and restart peer5 from stable storage',
    ]);
    // peer5 printed its first chose line before the crash, on the second accept_ack.
    const printedAt = trace.findIndex((t) =>
      ((t.state as { lines?: string[] }).lines ?? []).some((l) =>
        l.startsWith('{"peer_id":5,"action":"chose"'),
      ),
    );
    expect(printedAt).toBe(11);
    expect(steps[12]).toBe('crash and restart peer5 from stable storage');
    expect(JSON.parse(last.lines[last.lines.length - 1] ?? '{}')).toMatchObject({
      peer_id: 5,
      action: 'chose',
    });
    // Without crashes the same learner is correct.
    expect(exploreMachines({ cluster: testcase1, maxRound: 1, machines }).violations).toEqual([]);
  });
});
