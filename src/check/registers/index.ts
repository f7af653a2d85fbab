/**
 * `paxos check --model registers`: every world of a few register peers and clients, with
 * their real machines, explored by the one search; every history checked for
 * linearizability and every step for refinement of spec/Registers.tla.
 */
import {
  createRegisterPeerLogic,
  type RegisterPeerConfig,
  type RegisterPeerLogic,
} from '../../registers/peer';
import type { CheckResult, Progress } from '../result';
import { type SearchResult, search } from '../search';
import { type RegisterModelOptions, RegistersModel } from './model';

export type { RegisterClientPlan } from './model';

export interface RegisterCheckOptions extends RegisterModelOptions {
  /** The peers' logic: the real one, or a faulty variant. */
  logic?: (config: RegisterPeerConfig) => RegisterPeerLogic;
  maxStates?: number;
  maxDepth?: number;
  exact?: boolean;
  onProgress?: (p: Progress) => void;
  progressIntervalMs?: number;
}

export interface RegisterCheckResult extends CheckResult {
  search: SearchResult['search'];
  stats: {
    /** Distinct peer states, messages, histories and spec states interned. */
    peerStates: number;
    messages: number;
    histories: number;
    specStates: number;
    /** The most operations answered in one world (all of them, unless the bounds cut every run short). */
    mostAnswered: number;
  };
}

export function checkRegisterWorlds(options: RegisterCheckOptions): RegisterCheckResult {
  const peers = Array.from({ length: options.peers }, (_, i) => i + 1);
  const logic = (options.logic ?? createRegisterPeerLogic)({ peers });
  // A drop is subsumed by leaving the message in flight (RegistersModel.enabled).
  const model = new RegistersModel({ ...options, dropsSubsumed: true }, logic);
  const {
    visited: _,
    goals: __,
    ...r
  } = search(model, {
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    ...(options.exact ? { exact: true } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
  });
  return {
    ...r,
    stats: {
      peerStates: model.peerStates.size,
      messages: model.messages.size,
      histories: model.histories.size,
      specStates: model.specStates.size,
      mostAnswered: model.mostAnswered(),
    },
  };
}
