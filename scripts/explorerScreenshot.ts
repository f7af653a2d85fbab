/**
 * `npm run pictures:explorer`: the README's screenshot of the explorer (docs/pictures/explorer.png),
 * testcase 2's page at the end of slide 46's steps, in Debian's chromium at 1280x800. Needs
 * `npm run build` first (the page's script is dist/explorer.js).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { loadHostsfile } from '../src/config/hostsfile';
import { explorerHtml } from '../src/explorer/page';
import { scenarios } from '../src/explorer/scenarios';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'paxos-explorer-shot-'));
const browser = await chromium.launch({
  executablePath: process.env.PAXOS_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
try {
  // Named as a reader would give it, from the repository's root.
  process.chdir(root);
  const cluster = loadHostsfile('hostsfile-testcase2.txt');
  const file = path.join(dir, 'explorer.html');
  writeFileSync(file, explorerHtml({ scenarios: scenarios(cluster), start: 'hosts' }, 'paxos explorer'));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${pathToFileURL(file).href}#slide46/`);
  await page.keyboard.press('End');
  await page.waitForSelector('#diagram svg .chosen');
  const out = path.join(root, 'docs/pictures/explorer.png');
  await page.screenshot({ path: out });
  process.stdout.write(`wrote ${path.relative(root, out)}\n`);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
