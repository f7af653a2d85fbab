/**
 * Just-in-time linearizability (Lowe, "Testing for linearizability", 2017) of the register
 * worlds' histories: instead of the history, what its future checks can read of it. That is
 * the set of configurations its linearizations so far reach: the register's state, and for
 * each operation still open, whether it has already been placed and, if so, with which
 * answer. A history (with its open operations taken as of unknown outcome, as
 * src/linearizability takes `pending` and `info`) is linearizable exactly when the set is not
 * empty, and the set after one more event is a function of the set before and the event, so
 * two histories with the same set have the same verdict after every continuation.
 *
 * Semantics are those of the `registers` model (src/linearizability/models/registers.ts)
 * and of its `read`: a get or a refused put whose outcome is unknown is left out (it changes
 * nothing anyone sees), a put or delete of unknown outcome may take effect at any time after
 * its invoke or never, an ok answers the new state and a refusal with a state (a 409) reads
 * the state it saw.
 *
 * The set is kept closed under placing one more open operation (every configuration from
 * which it could be placed next is followed by the one where it was), so that it is canonical:
 * a function of the history's linearizations, not of the order events came in.
 */
import {
  type Input,
  type Output,
  type State as Reg,
  registers,
} from '../../linearizability/models/registers';
import { Interner } from '../worlds/interner';

/** One line of a register world's history (src/registers/world.ts). */
export interface LinEvent {
  process: number;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: string;
  value: unknown;
}

/**
 * A configuration: the register, per client the answer its open operation was placed with
 * ('' while not placed, or when the client has none), and the operations of unknown outcome
 * (`info`) not yet placed, as sorted input keys.
 */
interface Config {
  reg: Reg;
  placed: readonly string[];
  unknown: readonly string[];
}

/** The set of configurations with the clients' open operations: an interned id is the state's. */
export interface Linearizations {
  /** Per client its open operation's input, as its key; '' when none. */
  open: readonly string[];
  configs: readonly Config[];
}

const configKey = (c: Config): string => JSON.stringify([c.reg.value, c.reg.version, c.placed, c.unknown]);

/** Every answer `input` may give from `reg`, each with the state after it. */
function placements(reg: Reg, input: Input): { output: Output; next: Reg }[] {
  const out: { output: Output; next: Reg }[] = [];
  for (const output of [
    { conflict: false, state: reg },
    { conflict: false, state: { value: input.f === 'put' ? input.value : null, version: reg.version + 1 } },
    ...(input.f === 'get' ? [] : [{ conflict: true, state: reg }]),
  ]) {
    const r = registers.step(reg, input as never, output as never);
    if (r.ok) out.push({ output, next: r.next as Reg });
  }
  return out;
}

/** Per-client slot and the input of an invoke's value (world.ts's invokeValue, read back). */
function inputOf(e: LinEvent): Input {
  const body = (e.value ?? {}) as { value?: string; ifVersion?: number };
  const v = body.ifVersion === undefined ? {} : { ifVersion: body.ifVersion };
  if (e.f === 'get') return { f: 'get' };
  if (e.f === 'put') return { f: 'put', value: body.value as string, ...v };
  if (e.f === 'delete') return { f: 'delete', ...v };
  throw new Error(`registers has get, put and delete; not "${e.f}"`);
}

export class LinearizationSets {
  readonly sets = new Interner<Linearizations>();
  private readonly memo = new Map<string, number>();

  constructor(private readonly clients: number) {}

  initial(): number {
    const empty = Array.from({ length: this.clients }, () => '');
    return this.sets.intern(key(empty, [{ reg: { value: null, version: 0 }, placed: empty, unknown: [] }]), {
      open: empty,
      configs: [{ reg: { value: null, version: 0 }, placed: empty, unknown: [] }],
    });
  }

  /** Whether the history the set stands for is linearizable. */
  linearizable(id: number): boolean {
    return this.sets.value(id).configs.length > 0;
  }

  /** The set after `events`, in order. */
  after(id: number, events: readonly LinEvent[]): number {
    let at = id;
    for (const e of events) {
      const k = `${at}:${e.process % this.clients}:${e.type}:${JSON.stringify(e.value)}:${e.f}`;
      let next = this.memo.get(k);
      if (next === undefined) {
        const s = this.step(this.sets.value(at), e);
        next = this.sets.intern(key(s.open, s.configs), s);
        this.memo.set(k, next);
      }
      at = next;
    }
    return at;
  }

  private step(s: Linearizations, e: LinEvent): Linearizations {
    const c = e.process % this.clients;
    const open = s.open.slice();
    if (e.type === 'invoke') {
      open[c] = JSON.stringify(inputOf(e));
      return { open, configs: close(open, s.configs) };
    }
    const input = JSON.parse(s.open[c] as string) as Input;
    open[c] = '';
    const configs: Config[] = [];
    const without = (x: Config, unknown = x.unknown): Config => ({
      reg: x.reg,
      placed: x.placed.map((p, i) => (i === c ? '' : p)),
      unknown,
    });
    const answer = reading(e, input);
    for (const x of s.configs) {
      const placed = x.placed[c] as string;
      if (answer === 'omit') {
        // It did not happen (or changed nothing): the configurations without it.
        if (placed === '') configs.push(without(x));
      } else if (answer === 'unknown') {
        // It may take effect later, or never: placed ones keep their effect, the rest may place it.
        configs.push(placed === '' ? without(x, [...x.unknown, s.open[c] as string].sort()) : without(x));
      } else if (placed === JSON.stringify(answer)) configs.push(without(x));
    }
    return { open, configs: close(open, configs) };
  }
}

/** What the register model reads of a completion (`read` of models/registers.ts). */
function reading(e: LinEvent, input: Input): Output | 'omit' | 'unknown' {
  if (e.type === 'info') return input.f === 'get' ? 'omit' : 'unknown';
  if (e.type === 'ok') return { conflict: false, state: e.value as Reg };
  if (e.value === null || e.value === undefined || input.f === 'get') return 'omit';
  if (input.ifVersion === undefined)
    throw new Error(`a ${input.f} without ifVersion cannot be refused with a state (a 409)`);
  return { conflict: true, state: e.value as Reg };
}

/** The configurations closed under placing one more open operation, deduplicated and sorted. */
function close(open: readonly string[], from: readonly Config[]): Config[] {
  const seen = new Map<string, Config>();
  const todo = [...from];
  for (let x = todo.pop(); x; x = todo.pop()) {
    const k = configKey(x);
    if (seen.has(k)) continue;
    seen.set(k, x);
    for (const [c, input] of open.entries())
      if (input !== '' && x.placed[c] === '')
        for (const p of placements(x.reg, JSON.parse(input) as Input))
          todo.push({
            reg: p.next,
            placed: x.placed.map((q, i) => (i === c ? JSON.stringify(p.output) : q)),
            unknown: x.unknown,
          });
    for (const [i, u] of x.unknown.entries())
      if (i === 0 || u !== x.unknown[i - 1])
        for (const p of placements(x.reg, JSON.parse(u) as Input))
          todo.push({ reg: p.next, placed: x.placed, unknown: x.unknown.filter((_, j) => j !== i) });
  }
  return [...seen.keys()].sort().map((k) => seen.get(k) as Config);
}

const key = (open: readonly string[], configs: readonly Config[]): string =>
  JSON.stringify([open, configs.map(configKey)]);
