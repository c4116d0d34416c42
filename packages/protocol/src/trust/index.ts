// What a verifier trusts, and the checks it runs with nothing else: a checkpoint against trusted
// keys, one entry's signature and inclusion proof. Shared by `concord verify` and the browser.
export { checkLogEntry, type LogEntryCheck, type LogEntryProof } from './entry-check.js';
export {
  openTrustedCheckpoint,
  type Trust,
  type TrustedCheckpoint,
  type TrustVerifiers,
  trustVerifiers,
} from './trusted-checkpoint.js';
