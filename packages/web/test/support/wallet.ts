import { fromHex } from '@concord/protocol';
import type { Page } from 'playwright-core';
import { sealKey, type WalletRecord } from '../../src/wallet/vault.js';
import type { DemoKey } from './demo-server.js';

/**
 * A demo key as the browser wallet keeps it (IndexedDB `concord-wallet`, store `keys`), sealed by
 * the wallet's own code; tests use few PBKDF2 iterations (the record says how many).
 */
export const walletRecord = (key: DemoKey, passphrase: string, label = 'demo'): Promise<WalletRecord> =>
  sealKey(fromHex(key.secretKeyHex), passphrase, { label, iterations: 1_000 });

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
