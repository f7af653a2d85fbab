/**
 * Latency of the lab's testcase 1 over loopback TCP, through the local cluster: each run
 * launches five `paxos peer` processes (the built bundle) and stops when all five printed
 * chose. Two figures per run:
 *   protocol: the first `sent prepare` line to the last `chose` line (two round trips, the
 *             fsyncs of three acceptors, the learner's majority);
 *   whole run: the first process launched to the last chose line (node start-up included).
 * Two set-ups: as the lab starts them (all at once, the proposer at once), where the
 * protocol figure also holds the wait for acceptors still starting; and with the proposer
 * waiting 0.5 s (-t 0.5), so that the acceptors are up and the figure is the protocol's own.
 *
 *   npm run bench:latency            # 10 runs
 *   npm run bench:latency -- 30      # or BENCH_RUNS=30
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLocalCluster } from '../src/cluster/localCluster';
import { loadHostsfile } from '../src/config/hostsfile';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 10);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`runs must be a positive integer, got ${process.argv[2]}`);

// Always measure the current source: rebuild dist/cli.js first.
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });

const hostsfile = path.join(root, 'hostsfile-testcase1.txt');
const cluster = loadHostsfile(hostsfile);
async function measure(delays: Map<string, number>): Promise<{ protocol: number[]; whole: number[] }> {
  const protocol: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = await runLocalCluster({
      hostsfile,
      cluster,
      values: new Map([['peer1', 'X']]),
      delays,
      timeoutMs: 30_000,
      paxos: { command: process.execPath, args: [path.join(root, 'dist/cli.js')] },
      out: () => {},
      err: (line) => process.stderr.write(`${line}\n`),
    });
    if (!result.decided || result.firstPrepareAt === undefined || result.lastChoseAt === undefined)
      throw new Error(`run ${i + 1} did not decide: ${result.failure}`);
    protocol.push(result.lastChoseAt - result.firstPrepareAt);
    whole.push(result.lastChoseAt);
    process.stderr.write(
      `run ${i + 1}/${runs}: protocol ${protocol.at(-1)} ms, whole run ${whole.at(-1)} ms\n`,
    );
  }
  return { protocol, whole };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
};
const row = (name: string, xs: number[]) =>
  `| ${name} | ${quantile(xs, 0.5)} | ${quantile(xs, 0.9)} | ${Math.min(...xs)} | ${Math.max(...xs)} |`;

const atOnce = await measure(new Map());
const proposerLate = await measure(new Map([['peer1', 0.5]]));
const [load1] = os.loadavg();
console.log(
  `testcase 1 on loopback, ${runs} runs per set-up, ${os.cpus().length} cores, load average ${load1?.toFixed(1)} at the end`,
);
console.log('| ms | median | p90 | min | max |');
console.log('|---|---|---|---|---|');
console.log(row('all at once: first prepare -> last chose', atOnce.protocol));
console.log(row('all at once: first launch -> all chose', atOnce.whole));
console.log(row('proposer -t 0.5: first prepare -> last chose', proposerLate.protocol));
