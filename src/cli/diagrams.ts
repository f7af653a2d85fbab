/**
 * `paxos diagrams --out DIR`: writes proposer/acceptor/learner/registerRound as .mmd and .svg.
 * `npm run diagrams` refreshes docs/diagrams, which a test holds equal to the machines.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { diagramFiles } from '../diagrams/files';

export function register(program: Command): void {
  program
    .command('diagrams')
    .description('write the statecharts (three roles, the register round) as Mermaid (.mmd) and SVG files')
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .action(async ({ out }: { out: string }) => {
      const files = await diagramFiles();
      await mkdir(out, { recursive: true });
      for (const [name, text] of files) await writeFile(join(out, name), text);
      process.stderr.write(`wrote ${[...files.keys()].join(', ')} to ${out}\n`);
    });
}
