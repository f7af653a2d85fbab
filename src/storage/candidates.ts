/** Every store the bench measures and the tests hold to the same contract; index.ts exports the chosen one. */
import { openLevelStore } from './level';
import { openLmdbStore } from './lmdb';
import { openLogStore } from './log';
import type { OpenStore } from './store';

export const candidates: { name: string; open: OpenStore }[] = [
  { name: 'log', open: openLogStore },
  { name: 'lmdb', open: openLmdbStore },
  { name: 'level', open: openLevelStore },
];
