/**
 * The register round driven against the lab's real acceptors, one per peer for one key:
 * messages are delivered by hand, in the order each test names, so each test says which
 * situation it builds (a quorum, a refusal, a mismatch, promises that disagree).
 */
import { describe, expect, test } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import { type AcceptorDurable, acceptorMachine } from '../machines/acceptor';
import type { Message, PeerId, Send } from '../machines/messages';
import { INCARNATION_LIMIT, nextProposalNumber } from '../machines/proposalNumbers';
import { decodeRegister, encodeRegister, type Operation, type RegisterState } from '../machines/register';
import {
  type RegisterRoundEmitted,
  type RegisterRoundInput,
  registerRoundMachine,
} from '../machines/registerRound';
import { makeStepper } from '../src/peer/stepper';

const rounds = makeStepper(registerRoundMachine);
const acceptors = makeStepper(acceptorMachine);
const PROPOSER = 1;
const ACCEPTORS = [2, 3, 4];
// Numbers up to this one belong to the acceptors' past: the round's first number is above it.
const PAST = 10;
const input: RegisterRoundInput = {
  self: PROPOSER,
  group: 1,
  groupCount: 3,
  incarnation: 0,
  acceptors: ACCEPTORS,
  key: 'k',
  lastNumber: PAST,
};
/** Proposer 1's first number above PAST in incarnation 0, and proposer 2's next one above that. */
const FIRST = nextProposalNumber(1, 3 * INCARNATION_LIMIT, PAST);
const HIGHER = nextProposalNumber(2, 3 * INCARNATION_LIMIT, FIRST);

/** One round and the key's three acceptors; `sent` holds every message not yet delivered. */
class Key {
  round: SnapshotFrom<typeof registerRoundMachine>;
  readonly acceptors = new Map<PeerId, SnapshotFrom<typeof acceptorMachine>>();
  sent: Send[] = [];
  effects: RegisterRoundEmitted[] = [];

  constructor(durable: Record<PeerId, AcceptorDurable> = {}, roundInput: RegisterRoundInput = input) {
    this.round = rounds.initial(roundInput);
    for (const a of ACCEPTORS) {
      const state = durable[a];
      this.acceptors.set(a, acceptors.initial(state ? { self: a, durable: state } : { self: a }));
    }
  }

  private toRound(event: Parameters<typeof rounds.step>[1]) {
    const [next, emitted] = rounds.step(this.round, event);
    this.round = next;
    this.effects.push(...emitted);
    for (const e of emitted) if (e.type === 'send') this.sent.push(e);
  }

  start(operation: Operation) {
    this.toRound({ type: 'START', operation });
  }

  timeout() {
    this.toRound({ type: 'TIMEOUT' });
  }

  /** Delivers the first undelivered message of `type` to `to` (and, for acceptors, queues the answer). */
  deliver(type: Message['type'], to: PeerId) {
    const at = this.sent.findIndex((s) => s.message.type === type && s.to === to);
    if (at < 0) throw new Error(`no ${type} to ${to} in flight`);
    const [{ message }] = this.sent.splice(at, 1) as [Send];
    if (to === PROPOSER) {
      this.toRound(message as Parameters<typeof rounds.step>[1]);
      return;
    }
    const [next, emitted] = acceptors.step(this.acceptors.get(to) as never, message as never);
    this.acceptors.set(to, next);
    this.sent.push(...emitted);
  }

  /** Prepare and accept to `quorum`, each answer back as soon as it is sent. */
  runPhases(quorum: PeerId[]) {
    for (const a of quorum) {
      this.deliver('prepare', a);
      this.deliver('prepare_ack', PROPOSER);
    }
    for (const a of quorum) {
      this.deliver('accept', a);
      this.deliver('accept_ack', PROPOSER);
    }
  }

  held(a: PeerId): RegisterState {
    return decodeRegister(this.acceptors.get(a)?.context.acceptedValue ?? null);
  }

  get state(): string {
    return this.round.value as string;
  }

  get outcome() {
    return this.effects.filter((e) => e.type === 'completed' || e.type === 'uncertain');
  }
}

const accepted = (n: number, state: RegisterState): AcceptorDurable => ({
  minProposal: n,
  acceptedProposal: n,
  acceptedValue: encodeRegister(state),
});

describe('a register round against real acceptors', () => {
  test('a put on a register never written: a quorum of promises, a quorum of acceptances, version 1', () => {
    const key = new Key();
    key.start({ kind: 'put', value: 'a' });
    expect(key.sent.map((s) => [s.message.type, s.to])).toEqual(ACCEPTORS.map((a) => ['prepare', a]));
    key.runPhases([2, 3]);
    expect(key.state).toBe('done');
    expect(key.outcome).toEqual([
      { type: 'completed', key: 'k', n: FIRST, result: { outcome: 'ok', state: { value: 'a', version: 1 } } },
    ]);
    expect([key.held(2), key.held(3), key.held(4)]).toEqual([
      { value: 'a', version: 1 },
      { value: 'a', version: 1 },
      { value: null, version: 0 },
    ]);
  });

  test('one promise and one acceptance are not enough: the round waits for a majority', () => {
    const key = new Key();
    key.start({ kind: 'get' });
    key.deliver('prepare', 2);
    key.deliver('prepare_ack', PROPOSER);
    expect(key.state).toBe('preparing');
    key.deliver('prepare', 3);
    key.deliver('prepare_ack', PROPOSER);
    key.deliver('accept', 2);
    key.deliver('accept_ack', PROPOSER);
    expect([key.state, key.outcome]).toEqual(['accepting', []]);
  });

  test("refused twice in a row, a retry goes above the refuser's next number, so its next round cannot take the key over at once", () => {
    // Proposer 3 (offset 3 > 1) keeps starting rounds on the key: HIGHEST, then its next.
    const stride = 3 * INCARNATION_LIMIT;
    const HIGHEST = nextProposalNumber(3, stride, FIRST);
    const promised = (n: number) => ({ minProposal: n, acceptedProposal: 0, acceptedValue: null });
    const key = new Key({ 2: promised(HIGHEST), 3: promised(HIGHEST) });
    key.start({ kind: 'put', value: 'a' });
    key.deliver('prepare', 2);
    key.deliver('prepare_ack', PROPOSER);
    key.timeout();
    // A first refusal: just above what it saw, which proposer 3's next round outbids.
    const rivalsNext = nextProposalNumber(3, stride, HIGHEST);
    const first = key.round.context.n;
    expect(first).toBe(nextProposalNumber(1, stride, HIGHEST));
    expect(first).toBeLessThan(rivalsNext);
    key.acceptors.set(2, acceptors.initial({ self: 2, durable: promised(rivalsNext) }));
    key.deliver('prepare', 2);
    key.deliver('prepare_ack', PROPOSER);
    expect(key.state).toBe('backingOff');
    key.timeout();
    // Refused again: above the number proposer 3's next round would take.
    const rivalsAfter = nextProposalNumber(3, stride, rivalsNext);
    expect(key.round.context.n).toBe(nextProposalNumber(1, stride, rivalsAfter));
    expect(key.round.context.n).toBeGreaterThan(rivalsAfter);
  });

  test('refused by a higher number, the round backs off and retries above it', () => {
    // Acceptors 2 and 3 promised proposer 2's number above this round's first.
    const promised = { minProposal: HIGHER, acceptedProposal: 0, acceptedValue: null };
    const key = new Key({ 2: promised, 3: promised });
    key.start({ kind: 'put', value: 'a' });
    key.deliver('prepare', 2);
    key.deliver('prepare_ack', PROPOSER);
    expect(key.state).toBe('backingOff');
    expect(key.effects.at(-1)).toEqual({ type: 'arm', timer: { kind: 'backoff', attempt: 0 } });
    key.sent = [];
    key.timeout();
    const n = key.round.context.n;
    expect(n).toBeGreaterThan(HIGHER);
    expect(key.sent.map((s) => s.message)).toContainEqual({ type: 'prepare', from: 1, group: 1, n });
    key.runPhases([2, 3]);
    expect(key.outcome).toEqual([
      { type: 'completed', key: 'k', n, result: { outcome: 'ok', state: { value: 'a', version: 1 } } },
    ]);
  });

  test('put-if-version on the wrong version: a mismatch, with the current state written back at the new number', () => {
    const current = { value: 'a', version: 3 };
    const key = new Key({ 2: accepted(4, current), 3: accepted(4, current), 4: accepted(4, current) });
    key.start({ kind: 'put', value: 'b', ifVersion: 2 });
    key.runPhases([3, 4]);
    const n = key.round.context.n;
    expect(key.outcome).toEqual([
      { type: 'completed', key: 'k', n, result: { outcome: 'mismatch', state: current } },
    ]);
    expect(key.acceptors.get(3)?.context).toMatchObject({
      acceptedProposal: n,
      acceptedValue: encodeRegister(current),
    });
  });

  test('put-if-version on the right version changes the register', () => {
    const current = { value: 'a', version: 3 };
    const key = new Key({ 2: accepted(4, current), 3: accepted(4, current) });
    key.start({ kind: 'put', value: 'b', ifVersion: 3 });
    key.runPhases([2, 3]);
    expect(key.held(2)).toEqual({ value: 'b', version: 4 });
  });

  test('delete keeps counting versions, and a delete on the wrong version is a mismatch', () => {
    const current = { value: 'a', version: 1 };
    const key = new Key({ 2: accepted(1, current), 3: accepted(1, current) });
    key.start({ kind: 'delete' });
    key.runPhases([2, 3]);
    expect(key.outcome.at(-1)).toMatchObject({
      result: { outcome: 'ok', state: { value: null, version: 2 } },
    });

    const again = new Key({ 2: accepted(4, key.held(2)), 3: accepted(4, key.held(3)) });
    again.start({ kind: 'delete', ifVersion: 1 });
    again.runPhases([2, 3]);
    expect(again.outcome.at(-1)).toMatchObject({
      result: { outcome: 'mismatch', state: { value: null, version: 2 } },
    });
  });

  test("the change applies to the highest accepted proposal's state, not the first promise's", () => {
    // Acceptor 2 holds an older state (number 4); acceptor 3 the newer one (number 7), whose
    // round may have completed at 3 and 4 while 2 missed it.
    const key = new Key({
      2: accepted(4, { value: 'old', version: 1 }),
      3: accepted(7, { value: 'new', version: 2 }),
    });
    key.start({ kind: 'put', value: 'c', ifVersion: 2 });
    key.deliver('prepare', 2);
    key.deliver('prepare_ack', PROPOSER);
    key.deliver('prepare', 3);
    key.deliver('prepare_ack', PROPOSER);
    expect(key.round.context.proposal).toBe(encodeRegister({ value: 'c', version: 3 }));
    for (const a of [2, 3]) {
      key.deliver('accept', a);
      key.deliver('accept_ack', PROPOSER);
    }
    expect(key.outcome.at(-1)).toMatchObject({
      result: { outcome: 'ok', state: { value: 'c', version: 3 } },
    });
  });

  test('a put whose accept is rejected ends uncertain; a get in the same place retries', () => {
    const put = new Key();
    put.start({ kind: 'put', value: 'a' });
    put.deliver('prepare', 2);
    put.deliver('prepare_ack', PROPOSER);
    put.deliver('prepare', 3);
    put.deliver('prepare_ack', PROPOSER);
    // Acceptor 2 promises a higher number in between: it rejects the accept.
    const [raised] = acceptors.step(put.acceptors.get(2) as never, {
      type: 'prepare',
      from: 9,
      group: 2,
      n: HIGHER,
    });
    put.acceptors.set(2, raised);
    put.deliver('accept', 2);
    put.deliver('accept_ack', PROPOSER);
    expect([put.state, put.outcome]).toEqual(['uncertain', [{ type: 'uncertain', key: 'k', n: FIRST }]]);

    const get = new Key();
    get.start({ kind: 'get' });
    get.deliver('prepare', 2);
    get.deliver('prepare_ack', PROPOSER);
    get.deliver('prepare', 3);
    get.deliver('prepare_ack', PROPOSER);
    get.timeout();
    expect(get.state).toBe('preparing');
    expect(get.round.context.n).toBeGreaterThan(FIRST);
  });
});

describe('numbers per key', () => {
  const first = (roundInput: RegisterRoundInput) => {
    const key = new Key({}, roundInput);
    key.start({ kind: 'get' });
    return key.round.context.n;
  };

  test('each incarnation of each proposer owns its own numbers, and a round goes above the last one used', () => {
    const seen = new Set<number>();
    for (const group of [1, 2, 3]) {
      for (const incarnation of [0, 1, 2, INCARNATION_LIMIT - 1]) {
        let lastNumber = 0;
        for (let round = 0; round < 3; round++) {
          const n = first({ ...input, group, incarnation, lastNumber });
          expect(n).toBeGreaterThan(lastNumber);
          expect(seen.has(n), `${n} reused`).toBe(false);
          seen.add(n);
          lastNumber = n;
        }
      }
    }
  });

  test('an incarnation outside the limit is refused', () => {
    const refused = rounds.initial({ ...input, incarnation: INCARNATION_LIMIT });
    expect(refused.status).toBe('error');
    expect(String(refused.error)).toMatch(/incarnation 65536 is outside/);
  });
});
