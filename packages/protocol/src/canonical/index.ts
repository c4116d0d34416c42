// RFC 8785 canonical JSON: the one byte form of a value that is signed, hashed and logged.
export { CanonicalError } from './canonical-error.js';
export { type CanonicalizeOptions, canonicalBytes, canonicalize } from './canonicalize.js';
