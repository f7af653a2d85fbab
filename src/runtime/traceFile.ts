/**
 * `paxos peer --trace FILE`: the structured trace, appended as NDJSON, one line per step.
 * Written with plain writes (no fsync): it survives the process being killed, which is
 * what it is for, and costs the peer's critical path no disk flush. A kill mid-write leaves
 * a torn last line, which the reader tolerates.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Appends records of any trace form (the lab peer's, the register peer's). */
export class TraceFile<R = unknown> {
  private readonly fd: number;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.fd = fs.openSync(file, 'a');
    // A torn line left by a killed predecessor must not swallow this incarnation's first record.
    const size = fs.fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rfd = fs.openSync(file, 'r');
      fs.readSync(rfd, last, 0, 1, size - 1);
      fs.closeSync(rfd);
      if (last[0] !== 0x0a) fs.writeSync(this.fd, '\n');
    }
  }

  write(records: readonly R[]): void {
    fs.writeSync(this.fd, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  }
}
