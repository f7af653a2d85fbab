/**
 * A run as people read it: step by step, the lab's JSON log lines each peer would have
 * printed (received, sent, chose), and the same run as a Mermaid sequence diagram.
 */
import type { Message, PeerId } from '../../machines/messages';
import { NO_PROPOSAL } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';
import { choseLine, formatLogLine, receivedLine, sentLine } from '../peer/logLine';
import type { Applied, SimStep } from '../world/world';

/** A message in a few words: `accept(n=3, X)`. */
export function describeMessage(m: Message): string {
  switch (m.type) {
    case 'prepare':
      return `prepare(n=${m.n})`;
    case 'prepare_ack': {
      const accepted =
        m.acceptedProposal === NO_PROPOSAL
          ? 'none accepted'
          : `accepted ${m.acceptedProposal}:${m.acceptedValue}`;
      return `prepare_ack(n=${m.n}, ${m.promised ? 'promised' : `refused, min=${m.minProposal}`}, ${accepted})`;
    }
    case 'accept':
      return `accept(n=${m.n}, ${m.value})`;
    case 'accept_ack':
      return m.minProposal === m.n
        ? `accept_ack(n=${m.n}, accepted ${m.value})`
        : `accept_ack(n=${m.n}, rejected, min=${m.minProposal})`;
    case 'chose':
      return `chose(n=${m.n}, ${m.value})`;
  }
}

export function describeStep(step: SimStep): string {
  switch (step.kind) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return 'index' in step
        ? `${step.kind} #${step.index}`
        : `${step.kind} ${describeMessage(step.send.message)} to peer${step.send.to}`;
    case 'restart':
      return `restart peer${step.peer}`;
    case 'timeout':
      return `timeout proposer${step.group}`;
    case 'start':
      return `start proposer${step.group} with ${step.value}`;
  }
}

const host = (cluster: ClusterConfig, id: PeerId) =>
  cluster.peers.find((p) => p.id === id)?.host ?? `peer${id}`;

/**
 * One header line per step (numbered from `first`), then the log lines the acting peer
 * printed, each prefixed with its host.
 */
export function formatTrace(cluster: ClusterConfig, applied: readonly Applied[], first = 1): string {
  const out: string[] = [];
  applied.forEach((a, i) => {
    const what = a.message
      ? `${a.step.kind} ${describeMessage(a.message.message)} ${host(cluster, a.message.message.from)} -> ${host(cluster, a.message.to)}`
      : describeStep(a.step);
    out.push(`# ${i + first}. ${what}${a.handled ? '' : ' (no effect)'}`);
    if (a.peer === undefined || a.step.kind === 'restart') return;
    const who = host(cluster, a.peer);
    if (a.step.kind === 'deliver' && a.message)
      out.push(`${who} ${formatLogLine(receivedLine(a.message.message))}`);
    for (const s of a.sends) out.push(`${who} ${formatLogLine(sentLine(a.peer, s.message))}`);
    if (a.learned) out.push(`${who} ${formatLogLine(choseLine(a.peer, a.learned))}`);
    for (const r of a.refused)
      out.push(
        `# ${host(cluster, r.send.to)} refuses ${describeMessage(r.send.message)} from the wire: ${r.problem}`,
      );
  });
  return out.join('\n');
}

/** Mermaid text is line-oriented and treats `;` and `#` specially: keep labels plain. */
const label = (s: string) => s.replace(/[;#:]/g, ' ').replace(/\s+/g, ' ').trim();

/**
 * The run as a sequence diagram: an arrow when a message is delivered (a cross when it is
 * lost), notes for starts, timeouts, restarts, duplications and chose lines.
 */
export function toMermaidSequence(cluster: ClusterConfig, applied: readonly Applied[]): string {
  const out = ['sequenceDiagram'];
  for (const p of cluster.peers) out.push(`  participant p${p.id} as ${label(p.host)}`);
  for (const a of applied) {
    const m = a.message;
    switch (a.step.kind) {
      case 'deliver':
        if (m) out.push(`  p${m.message.from}->>p${m.to}: ${label(describeMessage(m.message))}`);
        break;
      case 'drop':
        if (m) out.push(`  p${m.message.from}-xp${m.to}: ${label(describeMessage(m.message))} lost`);
        break;
      case 'duplicate':
        if (m) {
          const over = m.message.from === m.to ? `p${m.to}` : `p${m.message.from},p${m.to}`;
          out.push(`  Note over ${over}: network duplicates ${label(describeMessage(m.message))}`);
        }
        break;
      case 'restart':
        if (a.peer !== undefined) out.push(`  Note over p${a.peer}: crash and restart`);
        break;
      case 'timeout':
        if (a.peer !== undefined) out.push(`  Note over p${a.peer}: TIMEOUT`);
        break;
      case 'start':
        if (a.peer !== undefined) out.push(`  Note over p${a.peer}: START ${label(a.step.value)}`);
        break;
    }
    if (a.learned && a.peer !== undefined)
      out.push(`  Note over p${a.peer}: chose ${label(a.learned.value)} (n=${a.learned.n})`);
  }
  return `${out.join('\n')}\n`;
}
