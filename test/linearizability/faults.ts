/**
 * Seeded faults: checkers that are wrong in a way a plausible bug would make them, each one
 * built by wrapping a real model (so the search itself is the real one). The properties must
 * catch every one (faults.test.ts).
 */
import type { Model } from '../../src/linearizability';
import type { Checker, realChecker } from './properties';

export interface Fault {
  name: string;
  description: string;
  checker: Checker;
  /** The property that must catch it. */
  caughtBy: 'linearizable histories pass' | 'corrupted histories fail';
}

const wrap =
  (real: typeof realChecker, change: (m: Model) => Partial<Model>): Checker =>
  (name) => {
    const m = real(name);
    return { ...m, ...change(m) };
  };

const READS = new Set(['read', 'get']);

export const faults = (real: Checker): Fault[] => [
  {
    name: 'read-unchecked',
    description: "a read's answer is never compared with the state",
    checker: wrap(real, (m) => ({
      read: (op) => {
        const r = m.read(op);
        return r === 'omit' || !READS.has(op.f) ? r : { input: r.input, output: undefined };
      },
    })),
    caughtBy: 'corrupted histories fail',
  },
  {
    name: 'memo-ignores-state',
    description: 'the memo keys on the linearized set alone, so a set reached in another state is skipped',
    checker: wrap(real, () => ({ equal: () => true, hash: () => 0 })),
    caughtBy: 'linearizable histories pass',
  },
  {
    name: 'fail-took-effect',
    description: 'a failed operation is placed as if it had succeeded',
    checker: wrap(real, (m) => ({
      read: (op) => m.read(op.status === 'fail' ? { ...op, status: 'ok' } : op),
    })),
    caughtBy: 'linearizable histories pass',
  },
];
