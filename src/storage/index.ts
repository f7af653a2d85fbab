/**
 * The register peer's stable storage: the candidate chosen by bench/storage.ts (README.md says
 * why). The contract, RegisterStore and its owner, is in store.ts.
 */
export { openLogStore as openStore } from './log';
