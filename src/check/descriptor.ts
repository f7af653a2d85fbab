/**
 * A model described as data, so that worker threads (which share no objects with the main
 * thread) can each build the same model: the spec's constants, or a machine check's
 * options without functions (the real machines only; faulty variants made with
 * `.provide()` cannot cross threads).
 */
import { standardParams } from '../../spec/explore';
import type { SpecVariant } from '../../spec/variants';
import type { Model } from './model';
import { packSpec } from './packedSpec';
import { specModel } from './specModel';
import type { CoverageRow } from './worlds/coverage';
import { MachinesModel } from './worlds/machinesModel';
import { type MachineCheckOptions, resolveOptions } from './worlds/options';
import { specRefinement } from './worlds/specRefinement';

export type ModelDescriptor =
  | { kind: 'spec'; acceptors: number; values: number; maxBallot: number; variant?: SpecVariant }
  | { kind: 'machines'; options: Omit<MachineCheckOptions, 'machines' | 'onProgress' | 'goals'> };

export function buildModel(d: ModelDescriptor): Model {
  if (d.kind === 'spec')
    return specModel(packSpec(standardParams(d.acceptors, d.values, d.maxBallot), d.variant));
  return new MachinesModel(resolveOptions(d.options), undefined, specRefinement).searched();
}

/** The coverage rows of a machines descriptor for counts summed over worker threads. */
export function coverageRows(d: ModelDescriptor, counts: Float64Array): CoverageRow[] {
  if (d.kind !== 'machines') throw new Error('internal error: coverage is of machines');
  const model = new MachinesModel(resolveOptions(d.options), undefined, specRefinement);
  if (!model.coverage) throw new Error('internal error: coverage was not asked for');
  model.coverage.merge(counts);
  return model.coverage.rows();
}
