/**
 * The run in ShiViz's input form: one line per event, `host {vector clock} description`,
 * after the regular expression that parses those lines (ShiViz asks for one, with the
 * named groups host, clock and event) and an empty line. ShiViz knows no messages, only
 * clocks: a receive's clock takes in its send's, which is how ShiViz draws the arrow, so a
 * lost message or a lab sent line nobody received shows as a plain event.
 *
 * Each host's own entry counts its events from 1 and grows by exactly one per event, as
 * ShiViz checks.
 */
import { acceptorText, type RunView, type ViewEvent } from './runView';

const SHIVIZ_REGEX = '(?<host>\\S+) (?<clock>\\{.*?\\}) (?<event>.*)';

export function renderShiviz(view: RunView): string {
  const host = (id: number | null) =>
    id === null ? 'unknown' : (view.peers.find((p) => p.id === id)?.host ?? `peer${id}`);
  const clocks = new Map<number, Record<string, number>>();
  const own = new Map<number, Record<string, number>>();
  const receivedBy = new Map<number, number>();
  for (const m of view.messages) if (m.receive !== undefined) receivedBy.set(m.receive, m.send);
  const sentBy = new Map<number, string[]>();
  for (const m of view.messages) {
    const list = sentBy.get(m.send) ?? [];
    list.push(`${m.label} to ${host(m.to)}${m.fate === 'lost' ? ' (lost)' : ''}`);
    sentBy.set(m.send, list);
  }
  const lines: string[] = [SHIVIZ_REGEX, ''];
  const ordered: ViewEvent[] = [...view.events].sort((a, b) => a.row - b.row || a.id - b.id);
  for (const e of ordered) {
    const clock = { ...(own.get(e.peer) ?? {}) };
    const from = receivedBy.get(e.id);
    if (from !== undefined)
      for (const [h, c] of Object.entries(clocks.get(from) ?? {})) clock[h] = Math.max(clock[h] ?? 0, c);
    const me = host(e.peer);
    clock[me] = (clock[me] ?? 0) + 1;
    own.set(e.peer, clock);
    clocks.set(e.id, clock);
    const received = view.messages.find((m) => m.receive === e.id);
    const what = [
      e.kind === 'receive' && received ? `receive ${received.label} from ${host(received.from)}` : '',
      e.label === '' && e.kind !== 'receive' ? e.kind : e.label,
      ...(sentBy.has(e.id) ? [`sends ${(sentBy.get(e.id) as string[]).join(', ')}`] : []),
      ...(e.acceptor ? [`acceptor ${acceptorText(e.acceptor)}`] : []),
      ...(view.violation?.event === e.id
        ? [`VIOLATION of ${view.violation.rule}: ${view.violation.ruleText}`]
        : []),
    ]
      .filter((x) => x !== '')
      .join('; ');
    lines.push(`${me} ${JSON.stringify(clock)} ${what.replace(/\s+/g, ' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
