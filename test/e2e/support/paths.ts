/** Where the built CLI and the repository's files are; e2e tests run the bundle, as users and the image do. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const repoFile = (name: string) => path.join(ROOT, name);

/** `npm test` builds first; a bare `vitest run` on a fresh clone would test nothing real. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first)`);
}
