import { ApiError } from '../api/client';
import type { UnlockedKey } from '../session/signer';

/** Placeholder until the wallet lands: asks for the passphrase of the wallet holding `did`. */
export async function requestUnlock(_did: string): Promise<UnlockedKey> {
  throw new ApiError(0, 'wallet_locked', 'Unlock your wallet to sign.');
}
