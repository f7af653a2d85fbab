export * from '../world/world';
export * from './clusters';
export * from './groundTruth';
export * from './prng';
export * from './random';
export * from './runText';
