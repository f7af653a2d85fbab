/**
 * A step of the reference world as data: what the checker reports, the simulator replays,
 * the viewer draws and a file or a link carries. Its text is derived from it here and
 * nowhere else, so no reader ever parses words back into a step.
 */
import type { GroupId, Message, PeerId, Send, Value } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';

/** A message of the network taken by content: delivered to `send.to`, lost, or copied. */
export interface MessageAction {
  kind: 'deliver' | 'drop' | 'duplicate';
  send: Send;
}

export type Action =
  | MessageAction
  /** Crash and restart a peer: durable state kept, volatile state lost, its mail still in flight. */
  | { kind: 'restart'; peer: PeerId }
  /** The armed timer of proposer `group` fires. */
  | { kind: 'timeout'; group: GroupId }
  /** The host starts proposer `group` with its value. */
  | { kind: 'start'; group: GroupId; value: Value };

export const isMessageAction = (a: { kind: string }): a is MessageAction =>
  a.kind === 'deliver' || a.kind === 'drop' || a.kind === 'duplicate';

/** The peer that acts (or whose message is acted on: its addressee). */
export function actorOf(cluster: ClusterConfig, a: Action): PeerId {
  switch (a.kind) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return a.send.to;
    case 'restart':
      return a.peer;
    case 'timeout':
    case 'start': {
      const group = cluster.groups.find((g) => g.id === a.group);
      if (!group) throw new Error(`no proposer group ${a.group} in ${cluster.source}`);
      return group.proposer;
    }
  }
}

/** Whether two messages in the network are the same message (same addressee, same fields). */
export function sameSend(a: Send, b: Send): boolean {
  if (a.to !== b.to) return false;
  const x = a.message as unknown as Record<string, unknown>;
  const y = b.message as unknown as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
}

export function sameAction(a: Action, b: Action): boolean {
  if (a.kind !== b.kind) return false;
  if (isMessageAction(a)) return sameSend(a.send, (b as MessageAction).send);
  return JSON.stringify(a) === JSON.stringify(b);
}

const hostName = (cluster: ClusterConfig, id: PeerId) =>
  cluster.peers.find((p) => p.id === id)?.host ?? `peer${id}`;

/** A message with every field that tells it apart from others of its type. */
export function describeSend(cluster: ClusterConfig, send: Send): string {
  const m: Message = send.message;
  const head = `${m.type} ${hostName(cluster, m.from)}->${hostName(cluster, send.to)} n=${m.n}`;
  switch (m.type) {
    case 'prepare':
      return head;
    case 'prepare_ack':
      return `${head} ${m.promised ? 'promised' : `refused minProposal=${m.minProposal}`} accepted=${m.acceptedProposal}:${m.acceptedValue ?? '-'}`;
    case 'accept':
    case 'chose':
      return `${head} value=${m.value}`;
    case 'accept_ack':
      return `${head} minProposal=${m.minProposal} value=${m.value ?? '-'}`;
  }
}

/** The action in words, as counterexamples print it. */
export function describeAction(cluster: ClusterConfig, a: Action): string {
  switch (a.kind) {
    case 'deliver':
      return `deliver ${describeSend(cluster, a.send)}`;
    case 'drop':
      return `drop ${describeSend(cluster, a.send)}`;
    case 'duplicate':
      return `duplicate ${describeSend(cluster, a.send)}`;
    case 'restart':
      return `crash and restart ${hostName(cluster, a.peer)} from stable storage`;
    case 'start':
      return `START ${hostName(cluster, actorOf(cluster, a))} proposer${a.group} with ${a.value}`;
    case 'timeout':
      return `TIMEOUT ${hostName(cluster, actorOf(cluster, a))} proposer${a.group}`;
  }
}
