import { acceptsBelowPromise, forgetsAcceptedValue, forgetsPromise, hidesAcceptedValue } from './acceptors';
import { learnsFromMinority, printsTwice } from './learners';
import {
  adoptsLowestAccepted,
  countsDuplicates,
  ignoresAcceptedValues,
  mislabelsGroup,
  reusesNumber,
  takesEmptyValue,
} from './proposers';
import type { Fault } from './variant';
import { acceptorPerGroup } from './wiring';

export type { Fault } from './variant';

/** Every seeded fault; the suite must catch each one. */
export const faults: readonly Fault[] = [
  acceptsBelowPromise,
  hidesAcceptedValue,
  forgetsPromise,
  forgetsAcceptedValue,
  ignoresAcceptedValues,
  countsDuplicates,
  reusesNumber,
  takesEmptyValue,
  adoptsLowestAccepted,
  learnsFromMinority,
  printsTwice,
  acceptorPerGroup,
  mislabelsGroup,
];
