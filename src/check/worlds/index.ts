/**
 * The exhaustive checker of worlds of the real machines, held to the spec's refinement
 * mapping (the entry point wires the two; explore.ts knows nothing of the spec).
 */
import {
  exploreMachines as explore,
  type MachineCheckResult,
  type MachineSearch,
  type MappingFactory,
  searchMachines as search,
} from './explore';
import type { MachineCheckOptions } from './options';
import { specRefinement } from './specRefinement';

export type { MachineCheckResult, MachineSearch, MappingFactory } from './explore';

export { FAULTS, type Fault, type MachineCheckOptions, type NetworkModel } from './options';

export const exploreMachines = (
  options: MachineCheckOptions,
  mappingFor: MappingFactory = specRefinement,
): MachineCheckResult => explore(options, mappingFor);

export const searchMachines = (
  options: MachineCheckOptions,
  mappingFor: MappingFactory = specRefinement,
): MachineSearch => search(options, mappingFor);
