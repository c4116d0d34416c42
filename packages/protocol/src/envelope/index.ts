// Envelopes (DESIGN §4): create, sign, verify, and check the shape of what arrives.
export {
  createEnvelope,
  type Envelope,
  type EnvelopeInput,
  newNonce,
  SIGNING_PREFIX,
  signEnvelope,
  signingBytes,
  signingBytesOfCanonical,
  type UnsignedEnvelope,
  type VerifyFailureCode,
  type VerifyResult,
  verifyEnvelope,
} from './envelope.js';
export {
  checkEnvelopeShape,
  ENVELOPE_FIELDS,
  EnvelopeShapeError,
  EVENT_TYPE_PATTERN,
  NONCE_PATTERN,
} from './shape.js';
