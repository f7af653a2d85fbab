/**
 * What a killed writer (crashChild.ts) said, and the check of a reopened store against it:
 * every key holds a state written no earlier than its last acknowledged one, and written at
 * all (not invented), and the incarnation went up.
 */
import type { AcceptorDurable } from '../../machines/acceptor';
import type { RegisterStore, StoreOwner } from '../../src/storage/store';

export const CRASH_KEYS = 200;
export const crashOwner: StoreOwner = { cluster: 'crash-test', peer: 1 };

export class CrashModel {
  /** Per key, every state a writer issued, by sequence number. */
  private issued = new Map<string, Map<number, AcceptorDurable>>();
  /** Per key, the sequence number of the last acknowledged write. */
  private acked = new Map<string, number>();
  private batches = new Map<number, [string, AcceptorDurable][]>();
  incarnation = -1;
  acks = 0;
  /** The next life's first sequence number: above every state issued so far. */
  nextSeq = 1;

  /** One line of a writer's stdout. */
  line(text: string): void {
    const [tag, seqText, json] = [
      text.slice(0, 1),
      text.slice(2).split(' ')[0],
      text.slice(text.indexOf(' ', 2) + 1),
    ];
    const seq = Number(seqText);
    if (tag === 'i') this.incarnation = seq;
    else if (tag === 'w') this.issue(seq, JSON.parse(json) as [string, AcceptorDurable][]);
    else if (tag === 'a') this.ack(seq);
  }

  private issue(seq: number, batch: [string, AcceptorDurable][]): void {
    this.batches.set(seq, batch);
    this.nextSeq = Math.max(this.nextSeq, seq + 1);
    for (const [k, v] of batch) {
      const mine = this.issued.get(k) ?? new Map<number, AcceptorDurable>();
      mine.set(seq, v);
      this.issued.set(k, mine);
    }
  }

  private ack(seq: number): void {
    this.acks++;
    for (const [k] of this.batches.get(seq) ?? []) this.acked.set(k, Math.max(this.acked.get(k) ?? 0, seq));
  }

  /** What the reopened store lost or made up; empty when it kept its word. */
  async problems(store: RegisterStore): Promise<string[]> {
    const found: string[] = [];
    for (let i = 0; i < CRASH_KEYS; i++) {
      const key = `k${i}`;
      const state = await store.read(key);
      const acked = this.acked.get(key);
      if (state === undefined) {
        if (acked !== undefined) found.push(`${key}: acknowledged write ${acked} lost, nothing stored`);
        continue;
      }
      const seq = state.minProposal;
      const issued = this.issued.get(key)?.get(seq);
      if (issued === undefined || JSON.stringify(issued) !== JSON.stringify(state))
        found.push(`${key}: holds a state no writer issued (${seq})`);
      else if (acked !== undefined && seq < acked)
        found.push(`${key}: acknowledged write ${acked} lost, holds ${seq}`);
    }
    return found;
  }
}
