import { fromHex } from '@concord/protocol';
import type { Locator, Page, Request } from 'playwright-core';
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

/** A request that carries a signed envelope (its `sig`): signing went ahead without asking. */
const carriesSignature = (request: Request): boolean =>
  request.method() !== 'GET' && (request.postData() ?? '').includes('"sig":');

/**
 * Clicks what signs an event and answers the wallet's unlock dialog if it asks: signing asks once
 * for the passphrase after a full page load (the key lives in memory only). Waits for whichever
 * comes first, the dialog or the signed request leaving the page, never a fixed window: on a
 * loaded machine the dialog (a lazily loaded chunk, then an IndexedDB read) can take seconds.
 */
export async function clickAndSign(target: Locator, passphrase = 'demo passphrase 1', timeout = 30_000): Promise<void> {
  const page = target.page();
  const input = page.getByTestId('unlock-passphrase');
  // Listening before the click: with the key in memory the request can leave at once.
  const signed = page.waitForRequest(carriesSignature, { timeout }).then(() => 'signed' as const);
  signed.catch(() => undefined);
  await target.click();
  const dialog = input.waitFor({ timeout }).then(() => 'asked' as const);
  dialog.catch(() => undefined);
  const outcome = await Promise.race([signed, dialog]).catch(() => 'neither' as const);
  if (outcome === 'neither') {
    throw new Error(`clickAndSign: neither the unlock dialog nor a signed request within ${timeout} ms of the click`);
  }
  if (outcome === 'asked') {
    await input.fill(passphrase);
    await page.getByTestId('unlock-submit').click();
  }
}
