/**
 * The shape every role's path test shares: each generated path, replayed through the real
 * machine, keeps the role's invariants at every step; and the same check finds each seeded
 * fault of that role (a fault is a machine variant plus a phrase its violation must contain).
 */
import { describe, expect, test } from 'vitest';
import type { AnyStateMachine, InputFrom } from 'xstate';
import { generatePaths, type PathModel } from './generate';
import { type Replayed, replay } from './replay';

export type Fault<M> = [name: string, machine: M, expected: string];

export function describePaths<M extends AnyStateMachine>(
  role: string,
  machine: M,
  model: PathModel<M>,
  violations: (path: Replayed<M>, input: InputFrom<M>) => string[],
  faults: Fault<M>[],
): void {
  const violationsOf = (variant: M) =>
    generatePaths(variant, model).paths.flatMap((p) =>
      violations(replay(variant, p.input, p.events), p.input),
    );
  const generated = generatePaths(machine, model);

  describe(`${role}: ${generated.paths.length} paths (${generated.shortestCount} shortest, ${generated.simpleCount} simple)`, () => {
    test.each(generated.paths.map((p) => [p.title, p] as const))('%s', (_title, path) => {
      expect(violations(replay(machine, path.input, path.events), path.input)).toEqual([]);
    });
  });

  describe(`the ${role} invariants catch a faulty ${role}`, () => {
    test.each(faults)('%s', (_name, variant, expected) => {
      const found = violationsOf(variant);
      expect(
        found.some((v) => v.includes(expected)),
        found.slice(0, 5).join('\n'),
      ).toBe(true);
    });
  });
}
