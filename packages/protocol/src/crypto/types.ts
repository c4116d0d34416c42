/**
 * The only cryptography the rules need, behind one small interface so the same rule code runs
 * with Node's `node:crypto` on the server and `@noble/*` in the browser. Both implementations
 * must pass the same test vectors (see crypto.test.ts).
 */
export interface Ed25519 {
  /** Public key (32 bytes) of a 32-byte secret key (the RFC 8032 seed). */
  publicKey(secretKey: Uint8Array): Uint8Array;
  /** Deterministic RFC 8032 signature (64 bytes). */
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** True only for a valid signature; never throws for malformed input (answers false). */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

export interface CryptoProvider {
  readonly name: string;
  readonly ed25519: Ed25519;
  sha256(data: Uint8Array): Uint8Array;
  /** Fresh random bytes; key generation and nonces take them from here, at the edges. */
  randomBytes(length: number): Uint8Array;
}
