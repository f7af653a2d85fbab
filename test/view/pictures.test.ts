/** The README's pictures are what the tool draws today: `npm run pictures` writes them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { readmePictures } from '../../src/view/pictures';
import { ROOT } from '../e2e/support/paths';

test('docs/pictures/*.svg equal a fresh render (run `npm run pictures` after changing a picture)', () => {
  const pictures = readmePictures();
  expect(pictures.map((p) => p.path).sort()).toEqual([
    'docs/pictures/disjoint-quorums.svg',
    'docs/pictures/testcase2.svg',
  ]);
  for (const p of pictures) expect(readFileSync(path.join(ROOT, p.path), 'utf8'), p.path).toBe(p.svg);
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const p of pictures) expect(readme).toContain(`](${p.path})`);
});
