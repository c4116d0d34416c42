import { createCipheriv, createDecipheriv, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;

// scrypt cost (N=2^15, r=8, p=1: ~32 MiB, ~50 ms): interactive sign-in, expensive to brute-force.
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const HASH_BYTES = 32;

export async function hashPassphrase(passphrase: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(passphrase, salt, HASH_BYTES, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function checkPassphrase(passphrase: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(passphrase, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

export interface SealedSecret {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  tag: Uint8Array;
}

/** AES-256-GCM with the DID as associated data, so a sealed key cannot be moved to another account. */
export function sealSecret(kek: Uint8Array, did: string, secret: Uint8Array): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(did, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag() };
}

export function openSecret(kek: Uint8Array, did: string, sealed: SealedSecret): Uint8Array {
  const decipher = createDecipheriv('aes-256-gcm', kek, sealed.iv);
  decipher.setAAD(Buffer.from(did, 'utf8'));
  decipher.setAuthTag(sealed.tag);
  return new Uint8Array(Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]));
}
