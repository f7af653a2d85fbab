/**
 * `paxos`: one command, one subcommand per job. Each subcommand lives in src/cli/ and
 * registers itself here; `-h` is the lab's hostsfile flag, so help is `--help` only.
 */
import { Command } from 'commander';
import packageJson from '../package.json' with { type: 'json' };

const program = new Command('paxos')
  .description(packageJson.description)
  .version(packageJson.version, '--version')
  .helpOption('--help', 'show help')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride((err) => process.exit(err.exitCode === 1 ? 2 : err.exitCode));

/**
 * Each subcommand's module is loaded only when it runs (the bundle is split by them): a lab
 * peer starts without the checker, the HTTP server or the pictures. `paxos --help`, or a
 * word that is no subcommand, loads them all, so that commander lists or refuses as usual.
 */
const COMMANDS: Record<string, () => Promise<{ register(program: Command): void }>> = {
  check: () => import('./cli/check'),
  cluster: () => import('./cli/cluster'),
  diagrams: () => import('./cli/diagrams'),
  explore: () => import('./cli/explore'),
  kv: () => import('./cli/kv'),
  linearizable: () => import('./cli/linearizable'),
  nemesis: () => import('./cli/nemesis'),
  peer: () => import('./cli/peer'),
  serve: () => import('./cli/serve'),
  simulate: () => import('./cli/simulate'),
  trace: () => import('./cli/trace'),
  view: () => import('./cli/view'),
};

const word = process.argv[2] ?? '';
const load = Object.hasOwn(COMMANDS, word) ? [COMMANDS[word]] : Object.values(COMMANDS);
for (const module of await Promise.all(load.map((l) => l?.()))) module?.register(program);

await program.parseAsync(process.argv);
