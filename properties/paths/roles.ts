/** The role machines as the path tests see them: any variant with the same types will do. */
import type { acceptorMachine } from '../../machines/acceptor';
import type { learnerMachine } from '../../machines/learner';
import type { proposerMachine } from '../../machines/proposer';

export type AcceptorMachine = typeof acceptorMachine;
export type ProposerMachine = typeof proposerMachine;
export type LearnerMachine = typeof learnerMachine;
