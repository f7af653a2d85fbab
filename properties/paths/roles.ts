/** The machines as the path tests see them (the roles and the register round): any variant with the same types will do. */
import type { acceptorMachine } from '../../machines/acceptor';
import type { learnerMachine } from '../../machines/learner';
import type { proposerMachine } from '../../machines/proposer';
import type { registerRoundMachine } from '../../machines/registerRound';

export type AcceptorMachine = typeof acceptorMachine;
export type ProposerMachine = typeof proposerMachine;
export type LearnerMachine = typeof learnerMachine;
export type RegisterRoundMachine = typeof registerRoundMachine;
