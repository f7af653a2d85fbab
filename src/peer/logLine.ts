/**
 * The lab's log line: one compact JSON object per message sent or received, and one per
 * decision, keys in exactly this order (interface.md).
 */
import type { Message, PeerId, Value } from '../../machines/messages';
import { NO_PROPOSAL } from '../../machines/messages';

type LogAction = 'sent' | 'received' | 'chose';

export interface LogLine {
  peer_id: PeerId;
  action: LogAction;
  message_type: Message['type'];
  message_value: Value;
  proposal_num: number;
}

export const LOG_KEYS = ['peer_id', 'action', 'message_type', 'message_value', 'proposal_num'] as const;

/** What a message shows in the lab's two payload columns. */
const payload = (message: Message): { value: Value; num: number } => {
  switch (message.type) {
    case 'prepare':
      return { value: '', num: message.n };
    // Slide 45's Return(acceptedProposal, acceptedValue), or "" and the prepare's number.
    case 'prepare_ack':
      return message.acceptedProposal === NO_PROPOSAL
        ? { value: '', num: message.n }
        : { value: message.acceptedValue ?? '', num: message.acceptedProposal };
    case 'accept':
      return { value: message.value, num: message.n };
    // Slide 45's Return(minProposal): above the proposal's number means rejected.
    case 'accept_ack':
      return { value: message.value ?? '', num: message.minProposal };
    case 'chose':
      return { value: message.value, num: message.n };
  }
};

const line = (peer_id: PeerId, action: LogAction, message: Message): LogLine => {
  const { value, num } = payload(message);
  return { peer_id, action, message_type: message.type, message_value: value, proposal_num: num };
};

/** On a `sent` line the peer is the printing peer; on a `received` line, the sender. */
export const sentLine = (self: PeerId, message: Message): LogLine => line(self, 'sent', message);
export const receivedLine = (message: Message): LogLine => line(message.from, 'received', message);
export const choseLine = (self: PeerId, chosen: { n: number; value: Value }): LogLine => ({
  peer_id: self,
  action: 'chose',
  message_type: 'chose',
  message_value: chosen.value,
  proposal_num: chosen.n,
});

/** Built key by key so the order is the contract's, whatever the object's history. */
export const formatLogLine = (l: LogLine): string =>
  JSON.stringify({
    peer_id: l.peer_id,
    action: l.action,
    message_type: l.message_type,
    message_value: l.message_value,
    proposal_num: l.proposal_num,
  });
