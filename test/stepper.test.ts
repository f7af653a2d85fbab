/**
 * The stepper reaches into XState's actor scope to go fast; this holds it to XState's own
 * pure `transition()` on random event sequences, so an XState upgrade that changes the
 * internals fails here rather than silently in the simulator or the checker.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type AnyStateMachine, createActor, initialTransition, transition } from 'xstate';
import { acceptorMachine, learnerMachine, proposerMachine } from '../machines';
import { emittedOf, makeStepper } from '../src/peer/stepper';

const n = fc.integer({ min: 1, max: 6 });
const peer = fc.integer({ min: 1, max: 5 });
const value = fc.constantFrom('X', 'Y');
const group = fc.constantFrom(1, 2);

const prepareAck = fc.record({
  type: fc.constant('prepare_ack' as const),
  from: peer,
  group,
  n,
  promised: fc.boolean(),
  minProposal: n,
  acceptedProposal: fc.integer({ min: 0, max: 6 }),
  acceptedValue: fc.option(value, { nil: null }),
});
const acceptAck = fc.record({
  type: fc.constant('accept_ack' as const),
  from: peer,
  group,
  n,
  minProposal: n,
  value: fc.option(value, { nil: null }),
});

const cases: { name: string; machine: AnyStateMachine; input: unknown; event: fc.Arbitrary<unknown> }[] = [
  {
    name: 'acceptor',
    machine: acceptorMachine,
    input: { self: 2, learners: { 1: [5] } },
    event: fc.oneof(
      fc.record({ type: fc.constant('prepare'), from: peer, group, n }),
      fc.record({ type: fc.constant('accept'), from: peer, group, n, value }),
    ),
  },
  {
    name: 'proposer',
    machine: proposerMachine,
    input: { self: 1, group: 1, groupCount: 2, acceptors: [2, 3, 4], learners: [5] },
    event: fc.oneof(
      fc.record({ type: fc.constant('START'), value }),
      fc.constant({ type: 'TIMEOUT' }),
      fc.record({ type: fc.constant('LEARNED'), n, value }),
      prepareAck,
      acceptAck,
    ),
  },
  {
    name: 'learner',
    machine: learnerMachine,
    input: { self: 5, groups: { 1: [2, 3, 4] } },
    event: fc.oneof(
      acceptAck,
      fc.record({ type: fc.constant('chose'), from: peer, group, n, value }),
      fc.record({ type: fc.constant('decided'), n, value }),
    ),
  },
];

describe('the fast stepper behaves exactly as xstate.transition()', () => {
  for (const c of cases) {
    test(c.name, () => {
      const stepper = makeStepper(c.machine);
      fc.assert(
        fc.property(fc.array(c.event, { maxLength: 40, size: 'large' }), (events) => {
          // biome-ignore lint/suspicious/noExplicitAny: each case's events fit its machine
          let [viaXState] = initialTransition(c.machine, c.input as any);
          let viaStepper = stepper.initial(c.input);
          expect(viaStepper.value).toEqual(viaXState.value);
          expect(viaStepper.context).toEqual(viaXState.context);
          for (const event of events) {
            // biome-ignore lint/suspicious/noExplicitAny: as above
            const [nextX, actions] = transition(c.machine, viaXState, event as any);
            // biome-ignore lint/suspicious/noExplicitAny: as above
            const [nextS, emitted] = stepper.step(viaStepper, event as any);
            expect(nextS.value).toEqual(nextX.value);
            expect(nextS.context).toEqual(nextX.context);
            expect(emitted).toEqual(emittedOf(actions));
            viaXState = nextX;
            viaStepper = nextS;
          }
        }),
      );
    });
  }
});

describe('the stepper starts machines exactly as a fresh actor does', () => {
  const restored: [string, AnyStateMachine, unknown][] = [
    ['acceptor, fresh', acceptorMachine, { self: 2 }],
    [
      'acceptor, promised',
      acceptorMachine,
      { self: 2, durable: { minProposal: 3, acceptedProposal: 0, acceptedValue: null } },
    ],
    [
      'acceptor, accepted',
      acceptorMachine,
      { self: 2, durable: { minProposal: 3, acceptedProposal: 1, acceptedValue: 'X' } },
    ],
    [
      'proposer, after a crash',
      proposerMachine,
      { self: 1, group: 1, groupCount: 2, acceptors: [2, 3], durable: { n: 5 } },
    ],
    [
      'learner, learned',
      learnerMachine,
      { self: 5, groups: { 1: [2, 3, 4] }, durable: { learned: { n: 1, value: 'X' } } },
    ],
  ];
  for (const [name, machine, input] of restored) {
    test(name, () => {
      const viaStepper = makeStepper(machine).initial(input);
      const viaActor = createActor(machine, { input }).getSnapshot();
      expect(viaStepper.value).toEqual(viaActor.value);
      expect(viaStepper.context).toEqual(viaActor.context);
    });
  }
});
