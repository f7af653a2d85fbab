export {
  exploreMachines,
  type MachineCheckResult,
  type MachineCheckStats,
  type MachineSearch,
  searchMachines,
} from './explore';
export { defaultValues, FAULTS, type Fault, type MachineCheckOptions, type NetworkModel } from './options';
