/**
 * What a history's picture must show, measured in a real browser: a lane per process, a bar
 * per operation inside its process's lane, bars' edges in the history's order (an operation
 * that completed before another was invoked ends left of it; an unknown one runs to the
 * end), no two texts on top of each other, the prefix and the operation that cannot be
 * placed marked as the verdict says, a tooltip naming the line, the legend and the verdict,
 * no console error and nothing fetched. Returns what is wrong, so that a broken page can be
 * shown to be caught.
 */
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { History } from '../../../src/linearizability/history';
import type { CheckResult } from '../../../src/linearizability/index';

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

interface Measured {
  lanes: { process: number; box: Box }[];
  ops: { line: number; cls: string; order: string | null; title: string; bar: Box; marks: string[] }[];
  texts: { text: string; box: Box }[];
  legend: string;
  verdict: string;
  header: string;
}

// A string, not a function: it runs in the page, and the tests are compiled without DOM types.
const MEASURE = `(() => {
  const box = (e) => { const b = e.getBoundingClientRect(); return { left: b.left, right: b.right, top: b.top, bottom: b.bottom }; };
  const svg = document.querySelector('svg.history');
  return {
    lanes: [...svg.querySelectorAll('g.lane')].map((g) => ({ process: Number(g.getAttribute('data-process')), box: box(g.querySelector('.lane-band')) })),
    ops: [...svg.querySelectorAll('g.op')].map((g) => ({
      line: Number(g.getAttribute('data-line')),
      cls: g.getAttribute('class'),
      order: g.getAttribute('data-order'),
      title: (g.querySelector(':scope > title') || {}).textContent || '',
      bar: box(g.querySelector('.bar-fill')),
      marks: [...g.querySelectorAll('.prefix-mark, .culprit-mark')].map((m) => m.getAttribute('class')),
    })),
    texts: [...svg.querySelectorAll('text')].filter((t) => t.textContent).map((t) => ({ text: t.textContent, box: box(t) })),
    legend: (document.getElementById('legend') || {}).textContent || '',
    verdict: (document.getElementById('verdict') || {}).textContent || '',
    header: (document.querySelector('header') || {}).textContent || '',
  };
})()`;

const apart = (a: Box, b: Box) =>
  a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;

function overlaps(texts: Measured['texts']): string[] {
  const out: string[] = [];
  texts.forEach((a, i) => {
    for (const b of texts.slice(i + 1))
      if (!apart(a.box, b.box)) out.push(`"${a.text}" overlaps "${b.text}"`);
  });
  return out;
}

type Op = History['operations'][number];
type Drawn = Measured['ops'][number];

/** Every pair's edges against the history's order of invokes and completions. */
function order(pairs: [Op, Drawn][]): string[] {
  const out: string[] = [];
  const rightmost = Math.max(...pairs.filter(([o]) => Number.isFinite(o.ret)).map(([, d]) => d.bar.right));
  for (const [a, da] of pairs) {
    if (!Number.isFinite(a.ret) && da.bar.right < rightmost)
      out.push(`line ${a.line}: unknown, ends before the end`);
    for (const [b, db] of pairs) {
      if (a.call < b.call && !(da.bar.left < db.bar.left))
        out.push(`line ${a.line} invoked before ${b.line}, drawn after`);
      if (a.ret < b.call && !(da.bar.right <= db.bar.left + 0.5))
        out.push(`line ${a.line} completed before ${b.line} was invoked, drawn overlapping`);
      if (b.call < a.ret && !(da.bar.right > db.bar.left))
        out.push(`line ${a.line} ends before ${b.line}'s invoke`);
    }
  }
  return out;
}

function lanes(history: History, m: Measured, pairs: [Op, Drawn][]): string[] {
  const out: string[] = [];
  const processes = [...new Set(history.operations.map((o) => o.process))].sort((a, b) => a - b);
  const drawn = m.lanes.map((l) => l.process).sort((a, b) => a - b);
  if (JSON.stringify(drawn) !== JSON.stringify(processes))
    out.push(`lanes ${drawn} for processes ${processes}`);
  for (const [o, d] of pairs) {
    const lane = m.lanes.find((l) => l.process === o.process)?.box;
    if (!lane || d.bar.top < lane.top || d.bar.bottom > lane.bottom)
      out.push(`line ${o.line} outside its lane`);
    if (!d.title.includes(`line ${o.line}`)) out.push(`line ${o.line}: tooltip does not name its line`);
  }
  return out;
}

function verdictMarks(result: CheckResult, m: Measured): string[] {
  const out: string[] = [];
  const f = result.failure;
  const prefix = m.ops.filter((d) => d.cls.split(' ').includes('prefix') && d.marks.includes('prefix-mark'));
  const expected = (f?.prefix ?? []).map((p, i) => `${p.line}#${i + 1}`);
  const got = prefix
    .map((d) => `${d.line}#${d.order}`)
    .sort((a, b) => Number(a.split('#')[1]) - Number(b.split('#')[1]));
  if (JSON.stringify(got) !== JSON.stringify(expected))
    out.push(`prefix marked ${got}, expected ${expected}`);
  const culprits = m.ops.filter(
    (d) => d.cls.split(' ').includes('culprit') && d.marks.includes('culprit-mark'),
  );
  const want = f ? [f.operation.line] : [];
  if (JSON.stringify(culprits.map((d) => d.line)) !== JSON.stringify(want))
    out.push(`culprit marked ${culprits.map((d) => d.line)}`);
  if (f?.key !== undefined && !m.header.includes(`key ${JSON.stringify(f.key)}`))
    out.push('the header does not name the key');
  const words = { LINEARIZABLE: 'linearizable', NOT_LINEARIZABLE: 'NOT linearizable', UNKNOWN: 'unknown' };
  if (m.verdict !== words[result.verdict]) out.push(`verdict "${m.verdict}"`);
  return out;
}

function judge(history: History, result: CheckResult, m: Measured): string[] {
  const pairs: [Op, Drawn][] = [];
  const out: string[] = [];
  for (const o of history.operations) {
    const d = m.ops.filter((x) => x.line === o.line);
    if (d.length !== 1) out.push(`line ${o.line}: ${d.length} bars`);
    else pairs.push([o, d[0] as Drawn]);
  }
  for (const word of ['ok', 'fail', 'unknown'])
    if (!m.legend.includes(word)) out.push(`legend without ${word}`);
  return [
    ...out,
    ...lanes(history, m, pairs),
    ...order(pairs),
    ...overlaps(m.texts),
    ...verdictMarks(result, m),
  ];
}

async function open(page: Page, file: string, errors: string[]): Promise<Measured> {
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) errors.push(`the page fetched ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  return page.evaluate<Measured>(MEASURE);
}

/** Everything wrong with the picture of `history` in `file`; empty when it is right. */
export async function historyPageProblems(
  browser: Browser,
  file: string,
  history: History,
  result: CheckResult,
): Promise<string[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const errors: string[] = [];
    const measured = await open(await context.newPage(), file, errors);
    return [...errors, ...judge(history, result, measured)];
  } finally {
    await context.close();
  }
}
