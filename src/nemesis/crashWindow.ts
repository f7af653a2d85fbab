/**
 * A peer saves a batch's state, then prints the batch's lines, then sends its frames
 * (src/runtime/host.ts). A SIGKILL between the save and the print (or a SIGSTOP there,
 * followed by the SIGKILL) leaves a change on disk that no line shows and no frame
 * carried: nothing unsafe happened, but the restarted acceptor then reports an
 * acceptance or a promise its printed lines never made, and `paxos trace`, which sees
 * only lines, fails it. This recognises exactly that shape, so that the report can tell
 * an evidence gap from a violation:
 *   - the failure is an acceptor reporting more than its lines show: a prepare_ack naming
 *     an accepted (n, v), or an accept_ack rejecting with a promise n (beside the value it
 *     last accepted, if any);
 *   - some proposer did send that accept(n, v) (or a prepare or accept numbered n), so the
 *     acceptor can have received it;
 *   - an earlier incarnation of that acceptor was ended by the nemesis's SIGKILL.
 * Anything else stays a violation.
 */
import type { TraceFailure } from '../trace/index';

export interface PeerEvidence {
  host: string;
  text: string;
  incarnations: { afterLine: number; ended?: string }[];
}

interface Line {
  action?: string;
  message_type?: string;
  message_value?: string;
  proposal_num?: number;
}

const parse = (text: string): Line | undefined => {
  try {
    return JSON.parse(text) as Line;
  } catch {
    return undefined;
  }
};

export function crashWindowExplains(
  failure: TraceFailure,
  peers: readonly PeerEvidence[],
): string | undefined {
  if (failure.rule !== 'prepare-ack-reports-accepted' && failure.rule !== 'accept-ack-explained') return;
  const line = failure.text ? parse(failure.text) : undefined;
  const lineNo = Number(/:(\d+)$/.exec(failure.at)?.[1]);
  const peer = peers.find((p) => p.host === failure.peer);
  if (!line || !peer || !Number.isInteger(lineNo) || line.action !== 'sent') return;
  const n = line.proposal_num;
  const sent = peers.flatMap((p) =>
    p.text
      .split('\n')
      .map(parse)
      .filter((l): l is Line => l?.action === 'sent'),
  );
  let reported: string;
  if (line.message_type === 'prepare_ack' && line.message_value) {
    if (
      !sent.some(
        (l) => l.message_type === 'accept' && l.proposal_num === n && l.message_value === line.message_value,
      )
    )
      return;
    reported = `an acceptance of (${n}, ${line.message_value})`;
  } else if (line.message_type === 'accept_ack') {
    // A rejection prints the promise and whatever the acceptor last accepted (its value, if any).
    if (
      !sent.some((l) => (l.message_type === 'prepare' || l.message_type === 'accept') && l.proposal_num === n)
    )
      return;
    reported = `a promise of ${n}`;
  } else return;
  const killed = peer.incarnations.find(
    (inc, i) =>
      i < peer.incarnations.length - 1 && inc.afterLine < lineNo && inc.ended?.startsWith('SIGKILL'),
  );
  const next = peer.incarnations.find((inc) => killed && inc.afterLine > killed.afterLine);
  if (!killed || !next || next.afterLine >= lineNo) return;
  return (
    `${peer.host} reports ${reported} that none of its lines shows; an earlier incarnation was SIGKILLed, ` +
    'which can land between saving a batch and printing it'
  );
}
