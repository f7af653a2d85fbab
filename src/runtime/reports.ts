/**
 * Reports that an attacker could multiply (frames failing authentication, connections
 * refused, messages dropped from a full queue): the first of each kind is logged at once,
 * the rest are counted and summed up once per interval, so a flood cannot flood stderr.
 */
export class RateLimitedLog {
  private readonly counts = new Map<string, { n: number; sample: string }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly log: (text: string) => void,
    private readonly intervalMs = 5000,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  report(kind: string, text: string): void {
    const c = this.counts.get(kind);
    if (!c) {
      this.log(text);
      this.counts.set(kind, { n: 0, sample: text });
    } else {
      c.n++;
      c.sample = text;
    }
  }

  flush(): void {
    for (const [kind, c] of this.counts) {
      if (c.n > 0)
        this.log(`${c.n} more ${kind} in the last ${this.intervalMs / 1000} s (last: ${c.sample})`);
    }
    this.counts.clear();
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
