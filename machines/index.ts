export * from './acceptor';
export * from './learner';
export * from './messages';
export * from './proposalNumbers';
export * from './proposer';
export * from './timers';
