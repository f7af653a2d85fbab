/** The two properties every checker must have, over generated histories; a checker is a model lookup. */
import fc from 'fast-check';
import { type CheckResult, MODELS, type Model, readHistory } from '../../src/linearizability';
import { type Choose, corrupt, generate, type ModelName, type Shape, seededChooser } from './generate';
import { check, type Event, lines } from './support';

export type Checker = (name: ModelName) => Model;
export const realChecker: Checker = (name) => MODELS[name] as Model;

/**
 * Up to `operations` operations. A failing search explores every placement of the unknown
 * operations (kv's appends make each a new state), so corrupted histories are kept shorter.
 */
const shapeArb = (operations: number): fc.Arbitrary<Shape> =>
  fc.record({
    model: fc.constantFrom<ModelName>('cas-register', 'kv', 'registers'),
    processes: fc.integer({ min: 1, max: 5 }),
    operations: fc.integer({ min: 1, max: operations }),
    keys: fc.integer({ min: 1, max: 3 }),
    timeouts: fc.constantFrom(0, 10, 30),
  });
const seedArb = fc.noShrink(fc.integer());

/** A generated history passes. */
export const linearizablePasses = (checker: Checker) =>
  fc.property(shapeArb(30), seedArb, (shape, seed) => {
    const events = generate(seededChooser(seed), shape);
    return check(checker(shape.model), events).verdict === 'LINEARIZABLE';
  });

/** The same history with one read's answer made impossible fails, and the read is in no prefix. */
export const corruptedFails = (checker: Checker) =>
  fc.property(shapeArb(16), seedArb, fc.nat(), (shape, seed, which) => {
    const choose: Choose = seededChooser(seed);
    const bad = corrupt(generate(choose, shape), shape.model, (n) => which % n);
    fc.pre(bad !== undefined);
    if (!bad) return true;
    const r = check(checker(shape.model), bad.events);
    const line = bad.index + 1;
    return (
      r.verdict === 'NOT_LINEARIZABLE' &&
      !r.failure?.prefix.some((p) => p.line === line) &&
      prefixReplays(realChecker(shape.model), bad.events, r)
    );
  });

/** The reported prefix, replayed in order through the model, gives the states reported after each operation. */
function prefixReplays(model: Model, events: readonly Event[], r: CheckResult): boolean {
  const byLine = new Map(readHistory('h', lines(events)).operations.map((op) => [op.line, op]));
  let state = model.init();
  for (const p of r.failure?.prefix ?? []) {
    const op = byLine.get(p.line);
    const reading = op && model.read(op);
    if (!reading || reading === 'omit') return false;
    const stepped = model.step(state, reading.input, reading.output);
    if (!stepped.ok || model.describeState(stepped.next) !== p.stateAfter) return false;
    state = stepped.next;
  }
  return true;
}
