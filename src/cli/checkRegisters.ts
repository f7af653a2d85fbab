/**
 * `paxos check --model registers`: the flags of the register worlds (peers, each client's
 * operations, faults, the round bound) and the header line; the search and its report are
 * the other models'.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { Operation } from '../../machines/register';
import { checkRegisterWorlds, type RegisterCheckResult, type RegisterClientPlan } from '../check/registers';
import type { Progress } from '../check/result';
import type { Fault } from '../check/worlds';
import { collect, parseInteger, usageError } from './arguments';

export interface RegisterFlags {
  peers?: number;
  ops?: RegisterClientPlan[];
  maxRound?: number;
  faults?: Fault[];
  maxDups?: number;
  maxCrashes?: number;
  refinement: boolean;
  maxStates?: number;
  maxDepth?: number;
  exact?: boolean;
  workers: number;
  progress: number;
}

/** The flags only `--model registers` takes, by name, for the check that refuses them elsewhere. */
export const REGISTER_FLAGS: [keyof RegisterFlags, string][] = [
  ['peers', '--peers'],
  ['ops', '--ops'],
];

const DEFAULT_OPS: RegisterClientPlan[] = [
  { peer: 1, ops: [{ kind: 'put', value: 'a' }] },
  { peer: 2, ops: [{ kind: 'get' }] },
];

/** One operation: get, put:V, put:V@N (if the version is N), del, del@N. */
function parseOperation(text: string): Operation {
  const m = /^(get|put:([^@,]+)|del)(?:@(\d+))?$/.exec(text);
  if (!m || (m[1] === 'get' && m[3] !== undefined))
    throw new InvalidArgumentError(`'${text}' is not an operation (get, put:V, put:V@N, del, del@N).`);
  const ifVersion = m[3] === undefined ? {} : { ifVersion: Number(m[3]) };
  if (m[1] === 'get') return { kind: 'get' };
  if (m[1] === 'del') return { kind: 'delete', ...ifVersion };
  return { kind: 'put', value: m[2] as string, ...ifVersion };
}

/** PEER=OP,OP...: a client at peer PEER (a number) running these operations one after another. */
function parseClient(text: string): RegisterClientPlan {
  const m = /^(\d+)=(.+)$/.exec(text);
  if (!m) throw new InvalidArgumentError(`expected PEER=OP,OP... (e.g. 1=put:a,get), got '${text}'.`);
  return { peer: Number(m[1]), ops: (m[2] as string).split(',').map(parseOperation) };
}

export function addRegisterOptions(command: Command): void {
  command
    .option('--peers <n>', 'registers: peers, each an acceptor of the key (default 3)', parseInteger(1, 7))
    .option(
      '--ops <peer=ops>',
      'registers: a client at peer PEER running OPS in order, of get, put:V, put:V@N, del, del@N ' +
        '(repeatable; default 1=put:a and 2=get)',
      collect(parseClient),
    );
}

const describeOp = (op: Operation): string =>
  op.kind === 'get'
    ? 'get'
    : `${op.kind === 'put' ? `put:${op.value}` : 'del'}${op.ifVersion === undefined ? '' : `@${op.ifVersion}`}`;

export function checkRegisters(
  command: Command,
  flags: RegisterFlags,
  onProgress: (p: Progress) => void,
): RegisterCheckResult {
  if (flags.workers > 1) usageError(command, '--model registers runs in one thread (--workers 1)');
  const peers = flags.peers ?? 3;
  const clients = flags.ops ?? DEFAULT_OPS;
  const faults = flags.faults ?? [];
  const seen = new Set<number>();
  for (const c of clients) {
    if (c.peer < 1 || c.peer > peers) usageError(command, `--ops ${c.peer}=...: peers are 1..${peers}`);
    if (seen.has(c.peer)) usageError(command, `--ops: one client per peer (peer ${c.peer} twice)`);
    seen.add(c.peer);
  }
  if (flags.maxDups !== undefined && !faults.includes('dup'))
    usageError(command, '--max-dups needs --faults dup');
  if (flags.maxCrashes !== undefined && !faults.includes('crash'))
    usageError(command, '--max-crashes needs --faults crash');
  const options = {
    peers,
    clients,
    maxRounds: flags.maxRound ?? 1,
    drop: faults.includes('drop'),
    maxDuplicates: faults.includes('dup') ? (flags.maxDups ?? 1) : 0,
    maxRestarts: faults.includes('crash') ? (flags.maxCrashes ?? 1) : 0,
    refinement: flags.refinement,
  };
  process.stdout.write(
    `registers: ${peers} peers (each an acceptor of the key); clients ${clients
      .map((c) => `peer${c.peer}=${c.ops.map(describeOp).join(',')}`)
      .join(' ')}; ${options.maxRounds} round(s) per peer; bag network; faults: ${
      faults.length === 0 ? 'none' : faults.join(', ')
    }${faults.includes('drop') ? ' (a drop is explored as a message never delivered)' : ''}; refinement ${flags.refinement ? 'on' : 'off'}\n`,
  );
  return checkRegisterWorlds({
    ...options,
    ...(flags.maxStates !== undefined ? { maxStates: flags.maxStates } : {}),
    ...(flags.maxDepth !== undefined ? { maxDepth: flags.maxDepth } : {}),
    ...(flags.exact ? { exact: true } : {}),
    onProgress,
    progressIntervalMs: flags.progress * 1000,
  });
}
