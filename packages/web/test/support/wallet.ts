import { webcrypto } from 'node:crypto';
import { fromHex, keyPairFromSecretKey, toBase64Url, utf8Encode } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import type { Page } from 'playwright-core';
import type { DemoKey } from './demo-server.js';

/**
 * A wallet record exactly as the browser wallet keeps it in IndexedDB (database
 * `concord-wallet`, store `keys`, keyPath `did`) and exports it (with type and version): the
 * Ed25519 secret key encrypted by AES-256-GCM under a PBKDF2-SHA256 key of the passphrase, the DID
 * as additional data. Tests use few iterations; the record says how many.
 */
export interface WalletRecord {
  did: string;
  label: string;
  createdAt: string;
  kdf: 'PBKDF2-SHA256';
  iterations: number;
  salt: string;
  iv: string;
  ciphertext: string;
}

export async function walletRecord(key: DemoKey, passphrase: string, label = 'demo'): Promise<WalletRecord> {
  const secretKey = fromHex(key.secretKeyHex);
  const { did } = keyPairFromSecretKey(nodeCrypto, secretKey);
  const salt = nodeCrypto.randomBytes(16);
  const iv = nodeCrypto.randomBytes(12);
  const iterations = 1_000;
  const material = await webcrypto.subtle.importKey('raw', utf8Encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  const aes = await webcrypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const ciphertext = new Uint8Array(
    await webcrypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8Encode(did) }, aes, secretKey),
  );
  return {
    did,
    label,
    createdAt: new Date().toISOString(),
    kdf: 'PBKDF2-SHA256',
    iterations,
    salt: toBase64Url(salt),
    iv: toBase64Url(iv),
    ciphertext: toBase64Url(ciphertext),
  };
}

/** Puts a demo account's key into the page's wallet (the origin must be open in the page). */
export async function seedWallet(page: Page, key: DemoKey, passphrase: string, label = 'demo'): Promise<string> {
  const record = await walletRecord(key, passphrase, label);
  await page.evaluate(
    (stored) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('concord-wallet', 1);
        open.onupgradeneeded = () => {
          if (!open.result.objectStoreNames.contains('keys')) open.result.createObjectStore('keys', { keyPath: 'did' });
        };
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('keys', 'readwrite');
          tx.objectStore('keys').put(stored);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    record,
  );
  return record.did;
}

/** Signs in as a demo account through the wallet page: its key seeded, unlocked with the passphrase. */
export async function signInAs(
  page: Page,
  origin: string,
  key: DemoKey,
  passphrase = 'demo passphrase 1',
): Promise<void> {
  await page.goto(`${origin}/wallet`);
  const did = await seedWallet(page, key, passphrase);
  await page.goto(`${origin}/wallet`);
  await page.getByTestId(`wallet-key-${did}`).click();
  await page.getByTestId('wallet-passphrase').fill(passphrase);
  await page.getByTestId('wallet-unlock').click();
  await page.getByTestId('account-link').or(page.getByTestId('tab-me')).first().waitFor();
  await page.waitForFunction(() => localStorage.getItem('concord.session') !== null);
}

/**
 * Signing asks once for the passphrase after a full page load (the key lives in memory only):
 * answers the unlock dialog if it comes up within a moment.
 */
export async function unlockIfAsked(page: Page, passphrase = 'demo passphrase 1'): Promise<void> {
  const input = page.getByTestId('unlock-passphrase');
  const asked = await input.waitFor({ timeout: 1_500 }).then(
    () => true,
    () => false,
  );
  if (asked) {
    await input.fill(passphrase);
    await page.getByTestId('unlock-submit').click();
  }
}
