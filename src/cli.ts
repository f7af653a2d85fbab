/**
 * `paxos`: one command, one subcommand per job. Each subcommand lives in src/cli/ and
 * registers itself here; `-h` is the lab's hostsfile flag, so help is `--help` only.
 */
import { Command } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { register as registerCheck } from './cli/check';
import { register as registerCluster } from './cli/cluster';
import { register as registerDiagrams } from './cli/diagrams';
import { register as registerExplore } from './cli/explore';
import { register as registerKv } from './cli/kv';
import { register as registerLinearizable } from './cli/linearizable';
import { register as registerNemesis } from './cli/nemesis';
import { register as registerPeer } from './cli/peer';
import { register as registerServe } from './cli/serve';
import { register as registerSimulate } from './cli/simulate';
import { register as registerTrace } from './cli/trace';
import { register as registerView } from './cli/view';

const program = new Command('paxos')
  .description(packageJson.description)
  .version(packageJson.version, '--version')
  .helpOption('--help', 'show help')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride((err) => process.exit(err.exitCode === 1 ? 2 : err.exitCode));

registerCheck(program);
registerCluster(program);
registerDiagrams(program);
registerExplore(program);
registerKv(program);
registerLinearizable(program);
registerNemesis(program);
registerPeer(program);
registerServe(program);
registerSimulate(program);
registerTrace(program);
registerView(program);

await program.parseAsync(process.argv);
