/**
 * The explorer's one HTML file: the page's script (dist/explorer.js, bundled by
 * scripts/build.mjs from src/explorer/browser) and its data inlined, so the file opens from
 * disk with nothing fetched.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PageData } from './scenarios';

/**
 * Beside dist/cli.js when run from the bundle; from the repository's dist/ when run from
 * the sources (tsx), which `npm run build` fills.
 */
function bundlePath(): string {
  const here = import.meta.url;
  const candidates = [new URL('./explorer.js', here), new URL('../../dist/explorer.js', here)];
  const found = candidates.map((u) => fileURLToPath(u)).find((p) => existsSync(p));
  if (!found) throw new Error('dist/explorer.js is missing: run `npm run build` first');
  return found;
}

/** Text that cannot end the element it is inlined in. */
const inlineScript = (js: string) => js.replace(/<\/(script)/gi, '<\\/$1');
const inlineJson = (data: unknown) => JSON.stringify(data).replace(/</g, '\\u003c');

export function explorerHtml(data: PageData, title: string): string {
  const js = readFileSync(bundlePath(), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, '');
  const esc = title.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc}</title>
</head>
<body>
<noscript>The explorer runs the Paxos statecharts in this page: it needs JavaScript.</noscript>
<div id="app"></div>
<script type="application/json" id="explorer-data">${inlineJson(data)}</script>
<script type="module">${inlineScript(js)}</script>
</body>
</html>
`;
}
