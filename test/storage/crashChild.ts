/**
 * The writer that test/storage/crash.test.ts kills: opens a store in a real directory and
 * writes random batches, a few in flight at once, printing each batch before its write
 * ("w") and its sequence number once write() resolved ("a"). A line is in the pipe before
 * what it announces happens (a long line can leave in pieces, so each write is waited for):
 * whatever the moment of the kill, the parent reads every line that counts.
 *
 *   node --import tsx test/storage/crashChild.ts CANDIDATE DIR SEED FIRST_SEQ [MODE]
 *
 * Sequence numbers (each batch's minProposal) go on from FIRST_SEQ, above every earlier life's.
 *
 * MODE "die-after-ack" kills itself right after the first acknowledgement (a deterministic
 * crash at the worst moment); "ack-first" also wraps the store in one that acknowledges a
 * write before making it (the fault the test must catch).
 */
import type { AcceptorDurable } from '../../machines/acceptor';
import { mulberry32 } from '../../src/sim/prng';
import { candidates } from '../../src/storage/candidates';
import { openLogStore } from '../../src/storage/log';
import type { RegisterStore } from '../../src/storage/store';
import { CRASH_KEYS, crashOwner } from './crashModel';

const [name, dir, seedText, firstSeq, mode] = process.argv.slice(2);
const rng = mulberry32(Number(seedText));
// The log with small sizes, so that growing and compacting happen under the kills too.
const open =
  name === 'log'
    ? (d: string) => openLogStore(d, crashOwner, { grow: 16 * 1024, compactFrom: 64 * 1024 })
    : (d: string) => (candidates.find((c) => c.name === name)?.open ?? fail())(d, crashOwner);
function fail(): never {
  throw new Error(`no candidate ${name}`);
}

/** Acknowledges at once and writes later: what a store must never do. */
const ackFirst = (store: RegisterStore): RegisterStore => ({
  incarnation: store.incarnation,
  read: (k) => store.read(k),
  write: (changes) => {
    setTimeout(() => void store.write(changes), 50);
    return Promise.resolve();
  },
  close: () => store.close(),
});

const say = (line: string) => new Promise<void>((r) => process.stdout.write(`${line}\n`, () => r()));

const opened = await open(dir as string);
const store = mode === 'ack-first' ? ackFirst(opened) : opened;
await say(`i ${store.incarnation}`);
let seq = Number(firstSeq);

function batch(): Map<string, AcceptorDurable> {
  const changes = new Map<string, AcceptorDurable>();
  const size = 1 + rng.below(rng.next() < 0.2 ? 64 : 8);
  const valueBytes = rng.next() < 0.1 ? 4096 : rng.below(300);
  seq++;
  for (let i = 0; i < size; i++)
    changes.set(`k${rng.below(CRASH_KEYS)}`, {
      minProposal: seq,
      acceptedProposal: seq,
      acceptedValue: 'x'.repeat(valueBytes),
    });
  return changes;
}

async function writer(): Promise<never> {
  for (;;) {
    const changes = batch();
    const mine = seq;
    await say(`w ${mine} ${JSON.stringify([...changes])}`);
    await store.write(changes);
    await say(`a ${mine}`);
    if (mode !== undefined) process.kill(process.pid, 'SIGKILL');
  }
}

await say('ready');
await Promise.all([writer(), writer(), writer()]);
