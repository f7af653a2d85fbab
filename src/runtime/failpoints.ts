/**
 * Crash points for testing crash safety, as etcd's failpoints: `PAXOS_FAILPOINT=NAME:K`
 * makes the process SIGKILL itself the K-th time it reaches the point NAME, exactly where
 * a power cut or an OOM kill could stop it. Unset (the default), every point is a no-op.
 *
 *   before-write   the batch is stepped, nothing of it written
 *   torn-write     half the batch's record written, the rest never
 *   before-sync    the record written, not yet fdatasync'ed
 *   before-send    durable, nothing printed or sent
 *   mid-send       durable, the first frame of the batch handed to the socket, the rest not
 *   after-send     everything of the batch printed and handed to the sockets
 * (`paxos serve` has before-write only: its accepts leave before the write, the rest after.)
 *
 * `PAXOS_FAULT=NAME` turns the runtime into one of the faulty ones the tests must catch
 * (the crash test and `paxos trace`), kept here so that what is caught is the real program
 * with one thing wrong:
 *   send-first        prints and sends a batch before saving it
 *   chose-on-accept   prints chose as soon as its acceptor accepts (the seed's defect)
 *   forget-number     saves a proposer's state without its proposal number, so a
 *                     restarted proposer reuses its numbers
 * and of the register peer (`paxos serve`): two that mix up its keys, which `paxos trace`
 * must catch,
 *   deliver-to-last-key  hands a prepare or accept to the acceptor of the key the previous
 *                        one was for
 *   save-wrong-key       a batch's write saves each key's acceptor under another key of the
 *                        batch
 * and two that `paxos nemesis --workload registers` must catch:
 *   forget-on-restart keeps its acceptors' promises and acceptances in memory only, never
 *                     on disk, so a restarted peer has forgotten them (its incarnation
 *                     stays durable: ballots stay unique, only the acceptor state is lost)
 *   get-from-one      answers a get from its own acceptor's stored state, with no round
 */
import type { PeerLogic } from '../peer/node';

export type FailpointName =
  | 'before-write'
  | 'torn-write'
  | 'before-sync'
  | 'before-send'
  | 'mid-send'
  | 'after-send';

/** Every crash point, in the order a batch reaches them. */
export const FAILPOINTS: readonly FailpointName[] = [
  'before-write',
  'torn-write',
  'before-sync',
  'before-send',
  'mid-send',
  'after-send',
];

function parse(spec: string | undefined): { name: FailpointName; at: number } | undefined {
  if (!spec) return undefined;
  const m = /^([a-z-]+):(\d+)$/.exec(spec);
  const name = m?.[1] as FailpointName | undefined;
  if (!m || !name || !FAILPOINTS.includes(name) || Number(m[2]) < 1)
    throw new Error(
      `PAXOS_FAILPOINT=${spec}: expected NAME:K with NAME one of ${FAILPOINTS.join(', ')} and K >= 1`,
    );
  return { name, at: Number(m[2]) };
}

const armed = parse(process.env.PAXOS_FAILPOINT);
let reached = 0;

/** Whether the next call of `failpoint(name)` kills the process (so a torn write can be staged first). */
export const failpointDue = (name: FailpointName): boolean =>
  armed !== undefined && armed.name === name && reached + 1 === armed.at;

export function failpoint(name: FailpointName): void {
  if (armed?.name !== name) return;
  reached += 1;
  if (reached === armed.at) process.kill(process.pid, 'SIGKILL');
}

export type FaultName =
  | 'send-first'
  | 'chose-on-accept'
  | 'forget-number'
  | 'deliver-to-last-key'
  | 'save-wrong-key'
  | 'forget-on-restart'
  | 'get-from-one';
const FAULTS: readonly FaultName[] = [
  'send-first',
  'chose-on-accept',
  'forget-number',
  'deliver-to-last-key',
  'save-wrong-key',
  'forget-on-restart',
  'get-from-one',
];

function parseFault(spec: string | undefined): FaultName | undefined {
  if (!spec) return undefined;
  if (!FAULTS.includes(spec as FaultName))
    throw new Error(`PAXOS_FAULT=${spec}: expected one of ${FAULTS.join(', ')}`);
  return spec as FaultName;
}

export const fault = parseFault(process.env.PAXOS_FAULT);

/**
 * The chose-on-accept fault: a peer that prints chose (once) as soon as its acceptor
 * accepts, as the seed did, whatever its learner knows.
 */
export function choseOnAccept(logic: PeerLogic): PeerLogic {
  let printed = false;
  return {
    ...logic,
    step(id, state, input) {
      const r = logic.step(id, state, input);
      if (r.learned || printed) {
        printed = true;
        return r;
      }
      const accepted = r.sends.find(
        (x) => x.message.type === 'accept_ack' && x.message.minProposal === x.message.n,
      );
      if (accepted?.message.type !== 'accept_ack' || accepted.message.value === null) return r;
      printed = true;
      return { ...r, learned: { type: 'learned', n: accepted.message.n, value: accepted.message.value } };
    },
  };
}
