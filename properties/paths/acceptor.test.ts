/**
 * Every generated acceptor path, replayed through the real machine, keeps the acceptor's
 * invariants at every step; and the same check finds each seeded fault.
 */

import { describe, expect, test } from 'vitest';
import { assign, emit } from 'xstate';
import { acceptorMachine } from '../../machines/acceptor';
import { acceptorViolations } from './acceptor.invariants';
import { acceptorModel } from './acceptor.model';
import { generatePaths } from './generate';
import { replay } from './replay';
import type { AcceptorMachine } from './roles';

const violationsOf = (machine: AcceptorMachine) =>
  generatePaths(machine, acceptorModel).paths.flatMap((p) =>
    acceptorViolations(replay(machine, p.input, p.events), p.input),
  );

const generated = generatePaths(acceptorMachine, acceptorModel);

describe(`acceptor: ${generated.paths.length} paths (${generated.shortestCount} shortest, ${generated.simpleCount} simple)`, () => {
  test.each(generated.paths.map((p) => [p.title, p] as const))('%s', (_title, path) => {
    expect(acceptorViolations(replay(acceptorMachine, path.input, path.events), path.input)).toEqual([]);
  });
});

describe('the acceptor invariants catch a faulty acceptor', () => {
  const faults: [string, AcceptorMachine, string][] = [
    [
      'accepts below its promise',
      acceptorMachine.provide({ guards: { atLeastPromised: () => true } }),
      'accepted below its promise',
    ],
    [
      'promises a number it already promised',
      acceptorMachine.provide({
        guards: { higherThanPromised: ({ context, event }) => event.n >= context.minProposal },
      }),
      'though minProposal was',
    ],
    [
      'forgets what it accepted when it promises',
      acceptorMachine.provide({
        actions: {
          promise: assign({ minProposal: ({ event }) => event.n, acceptedProposal: 0, acceptedValue: null }),
        },
      }),
      'a promise changed what was accepted',
    ],
    [
      'reports what it holds after promising, not before',
      acceptorMachine.provide({
        actions: {
          replyPromise: emit(({ context, event }) => ({
            type: 'send' as const,
            to: event.from,
            message: {
              type: 'prepare_ack' as const,
              from: context.self,
              group: event.group,
              n: event.n,
              promised: true,
              minProposal: context.minProposal,
              acceptedProposal: context.minProposal,
              acceptedValue: context.acceptedValue,
            },
          })),
        },
      }),
      'the promise does not report what was accepted before',
    ],
  ];
  test.each(faults)('%s', (_name, machine, expected) => {
    const violations = violationsOf(machine);
    expect(
      violations.some((v) => v.includes(expected)),
      violations.slice(0, 5).join('\n'),
    ).toBe(true);
  });
});
