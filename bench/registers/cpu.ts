/**
 * CPU time of a service's processes, read from /proc: user plus system time of each process
 * and of every process it started (the cluster's peers), so that a workload's CPU per
 * operation can be told apart from its latency on a machine both services share.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second: 100 on Linux unless the kernel was built otherwise. */
const TICKS = 100;

interface Stat {
  ppid: number;
  user: number;
  system: number;
}

/** Seconds of CPU: in the processes' own code, and in the kernel on their behalf (fsyncs, sockets). */
export interface Cpu {
  user: number;
  system: number;
}

/** Fields after the command's closing parenthesis (the command itself may hold spaces). */
function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): ppid is field 4, utime 14 and stime 15.
    return { ppid: Number(f[1]), user: Number(f[11]), system: Number(f[12]) };
  } catch {
    return undefined; // gone
  }
}

/** CPU used so far by `roots` and all their descendants alive now. */
export function cpuSeconds(roots: readonly number[]): Cpu {
  const all = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    const s = Number.isInteger(pid) ? stat(pid) : undefined;
    if (s) all.set(pid, s);
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = all.get(p)?.ppid ?? 0, hops++)
      if (roots.includes(p)) return true;
    return false;
  };
  const cpu = { user: 0, system: 0 };
  for (const [pid, s] of all)
    if (inTree(pid)) {
      cpu.user += s.user / TICKS;
      cpu.system += s.system / TICKS;
    }
  return cpu;
}
