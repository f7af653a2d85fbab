/**
 * `paxos kv get|put|del KEY [VALUE] [--if-version N] --endpoints HOST:PORT,...`: one
 * operation on the register service through src/client, its answer printed as JSON.
 */
import type { Command } from 'commander';
import { type RegisterAnswer, RegisterClient } from '../client/index';
import { parseInteger, usageAfterError, usageError } from './arguments';

interface KvFlags {
  endpoints?: string;
  ifVersion?: number;
  timeout?: number;
}

/** The exit status of each answer; --help lists them. */
const EXIT: Record<RegisterAnswer['status'], number> = { 200: 0, 404: 3, 409: 4, 503: 5, 400: 6, 413: 6 };

const EXIT_HELP = `
Prints the service's answer as one JSON line: {"status":S,...} with the register
({"key","value","version"}) or the error (and, for 503, whether it may have taken effect).

Exit status: 0 done (200), 3 not found (404), 4 version mismatch (409),
5 unavailable (503: no majority in time, or no endpoint reached), 6 refused (400, 413),
2 usage error.`;

function endpointsOf(command: Command, text: string | undefined): string[] {
  const list = (text ?? process.env.PAXOS_ENDPOINTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0)
    usageError(command, 'no endpoints: pass --endpoints HOST:PORT,... (or PAXOS_ENDPOINTS)');
  return list;
}

async function perform(
  client: RegisterClient,
  op: string,
  key: string,
  value: string | undefined,
  flags: KvFlags,
) {
  const ifVersion = flags.ifVersion === undefined ? {} : { ifVersion: flags.ifVersion };
  if (op === 'get') return client.get(key);
  if (op === 'put') return client.put(key, value ?? '', ifVersion);
  return client.delete(key, ifVersion);
}

export function register(program: Command): void {
  const command = program
    .command('kv')
    .summary('get, put or delete one register of the register service')
    .description('One operation on the register service (paxos serve), its answer printed as JSON.')
    .usage('get|put|del KEY [VALUE] [--if-version N] --endpoints HOST:PORT,...')
    .argument('<op>', 'get, put or del')
    .argument('<key>', 'the register')
    .argument('[value]', 'for put: the new value')
    .option('--endpoints <list>', 'the service peers to ask, comma-separated HOST:PORT; also PAXOS_ENDPOINTS')
    .option('--if-version <n>', 'put or del only if the version is N (0: never written)', parseInteger(0))
    .option('--timeout <ms>', 'per try, in milliseconds', parseInteger(1), 10_000)
    .addHelpText('after', EXIT_HELP)
    .action(async (op: string, key: string, value: string | undefined, flags: KvFlags) => {
      if (!['get', 'put', 'del'].includes(op))
        usageError(command, `unknown operation '${op}': get, put or del`);
      if ((op === 'put') !== (value !== undefined))
        usageError(command, op === 'put' ? 'put needs a VALUE' : `${op} takes no VALUE`);
      if (op === 'get' && flags.ifVersion !== undefined)
        usageError(command, '--if-version is for put and del');
      const client = new RegisterClient(endpointsOf(command, flags.endpoints), {
        timeoutMs: flags.timeout ?? 10_000,
      });
      const answer = await perform(client, op, key, value, flags);
      const { status, ...rest } = answer;
      const shown = 'register' in answer ? { status, ...answer.register } : { status, ...rest };
      process.stdout.write(`${JSON.stringify(shown)}\n`);
      process.exit(EXIT[status]);
    });
  command.showHelpAfterError(usageAfterError(command));
}
