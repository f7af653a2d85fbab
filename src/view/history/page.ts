/**
 * A history as one self-contained HTML page (nothing fetched, no script: it opens from
 * file:// and the SVG's tooltips carry the details): the verdict at the top, the longest
 * linearizable prefix and the operation that cannot be placed when there is one, a legend,
 * and the timeline.
 */
import type { History } from '../../linearizability/history';
import type { CheckResult } from '../../linearizability/index';
import { esc } from '../svg';
import { type Fault, faultBands } from './faults';
import { layout } from './layout';
import { keyColour, timelineSvg } from './svg';

export interface HistoryPageOptions {
  /** The model the verdict is against, for the header. */
  model?: string;
  /** Fault bands; by default those the history's nemesis events describe. */
  faults?: Fault[];
}

const STYLE = `
body{margin:0;font-family:'DejaVu Sans',Verdana,sans-serif;font-size:13px;color:#222;background:#f6f6f6}
header{padding:8px 14px;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:17px;margin:0 0 4px}
h1.LINEARIZABLE{color:#2e7d32} h1.NOT_LINEARIZABLE{color:#c62828} h1.UNKNOWN{color:#8a6d00}
header p{margin:2px 0;overflow-wrap:anywhere}
#prefix{font-family:'DejaVu Sans Mono',monospace;font-size:12px;margin:4px 0;padding-left:2.5em;max-height:12em;overflow:auto}
#prefix li.culprit{color:#c62828;font-weight:bold;list-style:'!! '}
#legend{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:center;padding:6px 14px;background:#fff;border-bottom:1px solid #ddd;font-size:12px}
#legend svg{vertical-align:middle}
#timeline{overflow:auto;background:#fff;margin:10px;border:1px solid #ddd}
#timeline svg{display:block}
.history text{font-family:'DejaVu Sans Mono',monospace;font-size:11px;fill:#222}
.history .lane-band{fill:#fff}.history .lane-band.odd{fill:#f4f6f8}
.history .lane-name{font-weight:bold}
.history .grid{stroke:#e3e3e3}.history .tick{fill:#777}
.history .lane-edge{stroke:#bbb}
.history .fault-band{fill:#f2b134;fill-opacity:.18;stroke:#e09a00;stroke-opacity:.6}
.history .fault-label{fill:#8a5a00}
.history .prefix-mark{fill:none;stroke:#1f5fbf;stroke-width:2}
.history .culprit-mark{fill:#fde8e8;stroke:#c62828;stroke-width:3}
.history .culprit .label{fill:#c62828;font-weight:bold}
.history .prefix .label{fill:#1f5fbf}
`;

const VERDICT_TEXT = {
  LINEARIZABLE: 'linearizable',
  NOT_LINEARIZABLE: 'NOT linearizable',
  UNKNOWN: 'unknown',
};

function verdictLines(result: CheckResult | undefined): string[] {
  if (!result) return ['<h1>not checked</h1>'];
  const head = `<h1 id="verdict" class="${result.verdict}">${VERDICT_TEXT[result.verdict]}</h1>`;
  const keys = `${result.operations} operations over ${result.keys} ${result.keys === 1 ? 'key' : 'keys'}`;
  if (result.verdict === 'LINEARIZABLE')
    return [head, `<p>${keys}: every key's sub-history is linearizable.</p>`];
  if (result.verdict === 'UNKNOWN') return [head, `<p>${keys}: ${esc(result.unknown ?? '')}.</p>`];
  return [head, ...failureLines(result, keys)];
}

function failureLines(result: CheckResult, counts: string): string[] {
  const f = result.failure;
  if (!f) return [];
  const key = f.key === undefined ? '' : ` of key ${esc(JSON.stringify(f.key))}`;
  const items = f.prefix.map((p) => `<li>line ${p.line}: ${esc(p.text)} &#8658; ${esc(p.stateAfter)}</li>`);
  items.push(`<li class="culprit">line ${f.operation.line}: ${esc(f.operation.text)}: cannot be placed</li>`);
  return [
    `<p>${counts}. The operation${key} that cannot be placed, line ${f.operation.line}: <b id="culprit">${esc(f.operation.text)}</b> (outlined in red, "!! cannot place").</p>`,
    `<p>The longest linearizable prefix found${key}: ${f.prefix.length} operations from state ${esc(f.initialState)}, outlined in blue, each with its place (#n) and the model's state after it (=&gt;):</p>`,
    `<ol id="prefix">${items.join('')}</ol>`,
  ];
}

const swatch = (fill: string, stroke: string, dash = '', extra = '') =>
  `<svg width="34" height="14"><rect x="1" y="1" width="32" height="12" fill="${fill}" stroke="${stroke}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>${extra}</svg>`;

function legend(keys: readonly string[], faults: boolean): string {
  const items = [
    `<span class="ok">${swatch('#eee', '#2e7d32')} ok (-&gt; result)</span>`,
    `<span class="fail">${swatch('#eee', '#c62828', '', '<rect x="1" y="1" width="32" height="12" fill="#c62828" fill-opacity=".3"/>')} fail, hatched (x fail)</span>`,
    `<span class="unknown">${swatch('#eee', '#757575', '4 3')} unknown: info or no completion, open to the end (? info, ? no reply)</span>`,
    `<span>${swatch('none', '#1f5fbf')} in the longest linearizable prefix (#n, =&gt; state after)</span>`,
    `<span>${swatch('#fde8e8', '#c62828')} cannot be placed (!!)</span>`,
  ];
  if (faults) items.push(`<span>${swatch('#f2b13430', '#e09a00')} fault (nemesis)</span>`);
  if (keys.length > 1 || keys[0] !== '')
    keys.forEach((k, i) => {
      items.push(
        `<span class="key">${swatch(keyColour(i), '#999')} key ${esc(k === '' ? '(none)' : k)}</span>`,
      );
    });
  return `<div id="legend"><b>Legend</b>${items.join('')}</div>`;
}

export function historyPage(
  history: History,
  result: CheckResult | undefined,
  options: HistoryPageOptions = {},
): string {
  const faults = options.faults ?? faultBands(history.nemesis ?? []);
  const l = layout(history, result, faults);
  const model = options.model === undefined ? '' : ` against the ${esc(options.model)} model`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(history.file)}: ${result ? VERDICT_TEXT[result.verdict] : 'history'}</title>
<style>${STYLE}</style></head>
<body><header>
${verdictLines(result).join('\n')}
<p id="about">${esc(history.file)}${model}: a lane per process, an operation a bar from its invoke to its completion. The x axis is the order of events in the file (the history's only clock: one step per invoke or completion, nemesis events between); no timestamps are used. Hover over a bar for its details and lines.</p>
</header>
${legend(l.keys, l.bands.length > 0)}
<div id="timeline">${timelineSvg(l)}</div>
</body></html>
`;
}
