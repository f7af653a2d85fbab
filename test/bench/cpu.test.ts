/**
 * bench:registers charges a service the CPU time of its processes and of those they started
 * (our cluster's peers are its children): a busy grandchild must be counted, and a process
 * outside the tree must not.
 */
import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { cpuSeconds as cpu } from '../../bench/registers/cpu';

const cpuSeconds = (pids: number[]) => cpu(pids).user + cpu(pids).system;

/** Spins until it has used half a second of CPU, then idles: the same CPU however busy the machine. */
const BUSY = 'while (process.cpuUsage().user < 500000) {} setTimeout(() => {}, 20000);';

async function until(what: string, ok: () => boolean): Promise<void> {
  for (const t = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 50)))
    if (Date.now() - t > 15_000) throw new Error(`waited 15 s for ${what}`);
}

test("a process tree's CPU counts its busy grandchild, and nothing outside it", async () => {
  // sh, then node spinning: the spinning process is the root's child, not the root.
  const root = spawn('sh', ['-c', `"${process.execPath}" -e '${BUSY}'; true`], {
    stdio: 'ignore',
    detached: true,
  });
  const outsider = spawn(process.execPath, ['-e', BUSY], { stdio: 'ignore' });
  const tree = [root.pid as number];
  try {
    await until('the grandchild to spin', () => cpuSeconds(tree) >= 0.45);
    await until('the outsider to spin', () => cpuSeconds([outsider.pid as number]) >= 0.45);
    const alone = cpuSeconds(tree);
    expect(alone, 'the outsider is not counted with the tree').toBeLessThan(0.9);
    expect(cpuSeconds([...tree, outsider.pid as number])).toBeGreaterThan(alone + 0.4);
  } finally {
    process.kill(-(root.pid as number), 'SIGKILL');
    outsider.kill('SIGKILL');
  }
});
