/** The few lines the local cluster prints once it stops: what was chosen, by whom, how fast. */
import type { LocalClusterResult } from './localCluster';

export interface Verdict {
  ok: boolean;
  lines: string[];
}

const ms = (x: number) => `${Math.round(x)} ms`;

export function summarize(result: LocalClusterResult): Verdict {
  const lines: string[] = [];
  const problems: string[] = [];
  const values = new Set<string>();
  for (const [host, records] of result.chose) {
    for (const r of records) values.add(r.value);
    if (records.length > 1) problems.push(`${host} printed chose ${records.length} times`);
  }
  if (values.size > 1)
    problems.push(
      `disagreement: ${[...result.chose].map(([h, r]) => `${h} chose ${r.map((x) => x.value).join('/')}`).join(', ')}`,
    );
  for (const { host, line } of result.strayStdout)
    problems.push(`${host} printed a non-protocol line: ${line}`);
  if (result.failure) problems.push(result.failure);

  const choosers = result.expected.filter((h) => result.chose.has(h));
  const first = [...result.chose.values()][0]?.[0];
  if (first && values.size === 1) {
    const numbers = [...new Set([...result.chose.values()].flat().map((r) => r.n))].join(', ');
    lines.push(`chosen: ${first.value} (proposal ${numbers}) by ${choosers.join(', ')}`);
  }
  if (result.decided && result.firstPrepareAt !== undefined && result.lastChoseAt !== undefined) {
    lines.push(
      `first prepare -> last chose: ${ms(result.lastChoseAt - result.firstPrepareAt)}; ` +
        `launch -> all chose: ${ms(result.lastChoseAt)}`,
    );
  }
  lines.push(...problems);
  return { ok: result.decided && problems.length === 0, lines };
}
