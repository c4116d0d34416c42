// Identities: Ed25519 keys named by did:key (multicodec 0xed01, base58btc).
export { fromBase58, toBase58 } from './base58.js';
export {
  DID_KEY_LENGTH,
  DidKeyError,
  didKeyFromPublicKey,
  generateKeyPair,
  isDidKey,
  type KeyPair,
  keyPairFromSecretKey,
  publicKeyFromDidKey,
} from './did-key.js';
