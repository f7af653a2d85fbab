/**
 * Fault bands from the nemesis's events, Jepsen's convention: `start-X` opens a fault named X
 * and `stop-X` closes it (plain `start`/`stop` name the fault "fault"). Jepsen writes each
 * nemesis operation twice, an invoke and an info, so a band runs from the first event of its
 * start to the last event of its stop. A band never stopped runs to the end of the history;
 * any other nemesis event is an instant, a band of no width named by its `f`.
 */
import type { NemesisEvent } from '../../linearizability/history';

export interface Fault {
  /** Positions in the history's own order (client events, 0-based; fractions lie between). */
  start: number;
  /** Infinity: never stopped. */
  end: number;
  label: string;
  /** Where it came from, for the tooltip. */
  detail?: string;
}

const PATTERN = /^(start|stop)(?:[-_](.+))?$/;

const nameOf = (rest: string | undefined) => rest ?? 'fault';

interface Pairing {
  open: Map<string, Fault>;
  /** The last band of each name closed by the previous nemesis event: its info may follow. */
  justClosed: Map<string, Fault>;
  faults: Fault[];
}

const describe = (e: NemesisEvent) =>
  `line ${e.line}: nemesis ${e.type} ${e.f}${e.value === null ? '' : ` ${JSON.stringify(e.value)}`}`;

function onStart(p: Pairing, name: string, e: NemesisEvent): void {
  p.justClosed.delete(name);
  if (p.open.has(name)) return; // the info of the same start
  const fault: Fault = { start: e.position, end: Number.POSITIVE_INFINITY, label: name, detail: describe(e) };
  p.open.set(name, fault);
  p.faults.push(fault);
}

function onStop(p: Pairing, name: string, e: NemesisEvent): void {
  const fault = p.open.get(name) ?? p.justClosed.get(name);
  if (!fault) return; // a stop with nothing started draws nothing
  fault.end = e.position;
  fault.detail = `${fault.detail?.split('\n')[0]}\n${describe(e)}`;
  p.open.delete(name);
  p.justClosed.set(name, fault);
}

export function faultBands(events: readonly NemesisEvent[]): Fault[] {
  const p: Pairing = { open: new Map(), justClosed: new Map(), faults: [] };
  for (const e of events) {
    const m = PATTERN.exec(e.f);
    if (!m) {
      p.justClosed.clear();
      p.faults.push({ start: e.position, end: e.position, label: e.f, detail: describe(e) });
    } else if (m[1] === 'start') onStart(p, nameOf(m[2]), e);
    else onStop(p, nameOf(m[2]), e);
  }
  return p.faults;
}
