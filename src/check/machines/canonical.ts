/**
 * Worlds renamed as wholes: each renaming of symmetry.ts applied to peer slots (which
 * move), peer states, the history and the network. The generic `symmetric` wrapper
 * (../model.ts) takes the least fingerprint or key over these, one per orbit.
 */
import type { PeerId } from '../../../machines/messages';
import type { Renamer } from '../model';
import type { Renaming } from './symmetry';
import type { WorldModel } from './world';

export class Canonicalizer implements Renamer {
  /** For each renaming: the slot each slot's peer moves to. */
  private readonly slotImages: Int32Array[];
  private readonly sendRenamers: ((m: number) => number)[] = [];

  constructor(
    private readonly world: WorldModel,
    readonly renamings: readonly Renaming[],
  ) {
    this.slotImages = renamings.map((r) =>
      Int32Array.from(world.slots, (id) => world.slotOf.get(r.rename(id) as PeerId) as number),
    );
    this.slotSources = this.slotImages.map((images) => {
      const sources = new Int32Array(images.length);
      images.forEach((to, from) => {
        sources[to] = from;
      });
      return sources;
    });
  }

  /** For each renaming: which slot's peer lands in each slot. */
  private readonly slotSources: Int32Array[];
  private readonly fp = new Int32Array(2);

  /** The least fingerprint over the world and its renamings, without writing the renamed worlds. */
  leastFingerprint(key: Int32Array, length: number, out: Int32Array): void {
    this.world.fingerprint(key, length, out);
    const fp = this.fp;
    for (let r = 0; r < this.renamings.length; r++) {
      this.world.fingerprint(
        key,
        length,
        fp,
        this.renamings[r] as Renaming,
        this.slotSources[r] as Int32Array,
      );
      const a = fp[0] as number;
      const b = fp[1] as number;
      if (a >>> 0 < (out[0] as number) >>> 0 || (a === out[0] && b >>> 0 < (out[1] as number) >>> 0)) {
        out[0] = a;
        out[1] = b;
      }
    }
  }

  get count(): number {
    return this.renamings.length;
  }

  /** Writes key[0..length) renamed by renaming `r` into out; returns its length. */
  rename(r: number, key: Int32Array, length: number, out: Int32Array): number {
    const renaming = this.renamings[r] as Renaming;
    const images = this.slotImages[r] as Int32Array;
    const { payload, history } = this.world;
    for (let s = 0; s < images.length; s++) out[images[s] as number] = renaming.peer(key[s] as number);
    for (let i = images.length; i < payload; i++) out[i] = key[i] as number;
    out[history] = renaming.history(key[history] as number);
    return this.world.net.rename(key, payload, length, this.sendRenamer(r), out);
  }

  private sendRenamer(r: number): (m: number) => number {
    let f = this.sendRenamers[r];
    if (!f) {
      const renaming = this.renamings[r] as Renaming;
      f = (m) => renaming.send(m);
      this.sendRenamers[r] = f;
    }
    return f;
  }
}
