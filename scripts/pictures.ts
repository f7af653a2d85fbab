/**
 * `npm run pictures`: writes the README's pictures (docs/pictures/*.svg) from the tool
 * itself; test/view/pictures.test.ts fails when the committed ones differ from a fresh render.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmePictures } from '../src/view/pictures';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const p of readmePictures()) {
  const file = path.join(root, p.path);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, p.svg);
  process.stdout.write(`wrote ${p.path}\n`);
}
