import { utf8Encode } from './encoding/bytes.js';

/**
 * Sign-in proves control of a DID by signing a server challenge. The prefix differs from the
 * envelope prefix ("concord/v1\n") so a sign-in signature can never be replayed as an event.
 */
export const SIGN_IN_PREFIX = 'concord/v1 sign-in\n';

export const signInMessage = (challenge: string): Uint8Array => utf8Encode(`${SIGN_IN_PREFIX}${challenge}`);
