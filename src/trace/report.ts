/** The verdict for people (a few lines) and for machines (one JSON object, the last stdout line). */
import type { TraceResult } from './index';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function counts(r: TraceResult): string {
  const skipped = r.skipped > 0 ? `; ${plural(r.skipped, 'non-protocol line')} skipped` : '';
  return (
    `${plural(r.peers, 'peer')}, ${plural(r.events, 'event')} (${plural(r.specActions, 'spec action')}, ` +
    `${plural(r.stutters, 'stutter')}${r.unplaced > 0 ? `, ${r.unplaced} not placed` : ''}), ${plural(r.interleavings, 'interleaving')} explored${skipped}`
  );
}

const chosenText = (r: TraceResult): string => {
  const values = [...new Set(r.chosen.map((c) => c.value))];
  return values
    .map(
      (v) =>
        `${v} (proposal ${r.chosen
          .filter((c) => c.value === v)
          .map((c) => c.n)
          .join(', ')})`,
    )
    .join(' and ');
};

export function formatText(r: TraceResult): string {
  if (r.verdict === 'PASS') {
    const chosen = r.chosen.length > 0 ? `; chosen: ${chosenText(r)}` : '; nothing chosen';
    return `PASS: ${counts(r)}${chosen}`;
  }
  if (r.verdict === 'UNDECIDED') return `UNDECIDED: ${r.undecided}\n  checked: ${counts(r)}`;
  const f = r.failure;
  if (!f) return `FAIL: ${counts(r)}`;
  const lines = [
    `FAIL at ${f.at}${f.text ? `: ${f.text}` : ''}`,
    `  rule ${f.rule}: ${f.ruleText}`,
    `  ${f.message}`,
  ];
  if (f.events.length > 0) {
    lines.push('  events that led there:');
    for (const e of f.events) lines.push(`    ${e.at}: ${e.text}${e.note ? `  (${e.note})` : ''}`);
  }
  lines.push(`  checked: ${counts(r)}`);
  return lines.join('\n');
}

export const formatJson = (r: TraceResult): string => JSON.stringify(r);
