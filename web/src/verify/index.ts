// The project's own TypeScript verifier: RFC 6962 proofs, C2SP signed notes and
// checkpoints, tlog-proof, JCS, envelopes.
export * from './errors';
export * from './encoding';
export * from './merkle';
export * from './note';
export * from './checkpoint';
export * from './jcs';
export * from './envelope';
export * from './event';
