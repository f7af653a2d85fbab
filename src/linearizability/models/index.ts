/** The models `paxos linearizable --model` knows, by name. */
import type { Model } from '../model';
import { casRegister } from './casRegister';
import { kv } from './kv';
import { registers } from './registers';

// Each model keeps its own state, input and output types; the checker only passes them back.
export const MODELS: Record<string, Model> = {
  'cas-register': casRegister as unknown as Model,
  kv: kv as unknown as Model,
  registers: registers as unknown as Model,
};

export const modelNames = (): string[] => Object.keys(MODELS);
