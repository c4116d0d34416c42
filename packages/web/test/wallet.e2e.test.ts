import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { collectPageErrors } from './support/browser.js';
import { demoInBrowser } from './support/e2e.js';
import { desktopPage, phonePage, screenshot } from './support/screenshots.js';
import { signInAs } from './support/wallet.js';

const e2e = demoInBrowser('concord-web-wallet-');

const PASSPHRASE = 'lantern river 42 morning';
/** What the first test made, for the tests that bring the same wallet to other browsers. */
const created = { did: '', words: [] as string[] };

interface StoredSession {
  did: string;
  token: string;
  custody: 'self' | 'platform';
}

const storedSession = (page: Page) =>
  page.evaluate(() => {
    const stored = localStorage.getItem('concord.session');
    return stored === null ? null : (JSON.parse(stored) as StoredSession);
  });

/** GET /v1/me with the session the page keeps, as the app would send it. */
const me = (page: Page) =>
  page.evaluate(async () => {
    const session = JSON.parse(localStorage.getItem('concord.session') ?? 'null') as StoredSession | null;
    const response = await fetch('/v1/me', {
      headers: session === null ? {} : { authorization: `Bearer ${session.token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  });

/** The records of this browser's wallet (IndexedDB concord-wallet / keys). */
const storedKeys = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ did: string; iterations: number }[]>((resolve, reject) => {
        const open = indexedDB.open('concord-wallet', 1);
        open.onupgradeneeded = () => {
          if (!open.result.objectStoreNames.contains('keys')) open.result.createObjectStore('keys', { keyPath: 'did' });
        };
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('keys').objectStore('keys').getAll();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result);
          };
          request.onerror = () => reject(request.error);
        };
      }),
  );

const errorText = (page: Page) => page.getByTestId('wallet-error').textContent();

/** Reads the 24 words of the backup screen. */
async function backupWords(page: Page): Promise<string[]> {
  await page.getByTestId('backup-word-24').waitFor();
  const words: string[] = [];
  for (let n = 1; n <= 24; n++) words.push(((await page.getByTestId(`backup-word-${n}`).textContent()) ?? '').trim());
  return words;
}

/** Answers the backup check: first wrongly (when asked), then with the words written down. */
async function passBackupCheck(page: Page, words: string[], tryWrongFirst: boolean): Promise<void> {
  await page.getByTestId('backup-next').click();
  await page.getByTestId('backup-question-2').waitFor();
  const questions = [0, 1, 2].map((index) => page.getByTestId(`backup-question-${index}`));
  const positions = await Promise.all(questions.map(async (q) => Number(await q.getAttribute('data-position'))));
  expect(new Set(positions).size).toBe(3);
  if (tryWrongFirst) {
    const first = questions[0]!;
    const options = await first.locator('label').allTextContents();
    expect(options).toHaveLength(4);
    expect(options).toContain(words[positions[0]! - 1]);
    const wrong = options.find((option) => option !== words[positions[0]! - 1])!;
    await first.getByText(wrong, { exact: true }).click();
    for (const [index, question] of questions.entries()) {
      if (index > 0) await question.getByText(words[positions[index]! - 1]!, { exact: true }).click();
    }
    await page.getByTestId('backup-confirm').click();
    await page.getByTestId('wallet-error').waitFor();
    expect(await errorText(page)).toContain('有词选得不对');
  }
  for (const [index, question] of questions.entries()) {
    await question.getByText(words[positions[index]! - 1]!, { exact: true }).click();
  }
  await page.getByTestId('backup-confirm').click();
  await page.getByTestId('backup-done').waitFor();
}

describe('the browser wallet, in Chromium against the demo server', () => {
  it('creates a wallet on a phone in Chinese, backs up the phrase, stays signed in, locks and unlocks', async () => {
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await page.goto(`${e2e.demo.origin}/wallet`);
    await page.getByTestId('wallet-welcome').waitFor();
    expect(await page.getByRole('heading', { level: 3 }).textContent()).toBe('欢迎来到 Concord');

    await page.getByTestId('wallet-choose-create').click();
    await page.getByTestId('wallet-create-name').fill('小林');
    // Too short, then two different passphrases: said at the field, nothing is made.
    await page.getByTestId('wallet-create-passphrase').fill('short');
    await page.getByTestId('wallet-create-confirm').fill('short');
    await page.getByTestId('wallet-create-submit').click();
    await page.getByText('密码至少需要 8 个字符').waitFor();
    await page.getByTestId('wallet-create-passphrase').fill(PASSPHRASE);
    await page.getByTestId('wallet-create-confirm').fill(`${PASSPHRASE}!`);
    await page.getByTestId('wallet-create-submit').click();
    await page.getByText('两次输入的密码不一致').waitFor();
    expect(await storedKeys(page)).toEqual([]);
    expect(await page.getByTestId('passphrase-strength').getAttribute('data-level')).toBe('4');
    await page.getByTestId('wallet-create-confirm').fill(PASSPHRASE);
    await page.getByText('两次输入的密码不一致').waitFor({ state: 'detached' });
    await screenshot(page, 'wallet-create');

    // Created, registered and signed in: straight on to the backup, in Chinese words.
    await page.getByTestId('wallet-create-submit').click();
    const words = await backupWords(page);
    expect(words).toHaveLength(24);
    for (const word of words) expect(word).toMatch(/^\p{Script=Han}$/u);
    await screenshot(page, 'wallet-backup');
    const session = await storedSession(page);
    expect(session).toMatchObject({ custody: 'self' });
    const did = session!.did;
    expect(did).toMatch(/^did:key:z6Mk/);
    const keys = await storedKeys(page);
    expect(keys.map((key) => key.did)).toEqual([did]);
    expect(keys[0]!.iterations).toBe(600_000);
    // The record holds no secret in the clear: only the encrypted fields.
    expect(Object.keys(keys[0]!).sort()).toEqual(
      ['ciphertext', 'createdAt', 'did', 'iterations', 'iv', 'kdf', 'label', 'salt'].sort(),
    );

    await passBackupCheck(page, words, true);
    await page.getByTestId('backup-continue').click();
    await page.waitForURL(`${e2e.demo.origin}/me`);

    const account = await me(page);
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({ did, custodial: false, profile: { displayName: '小林' } });

    // The signed-in wallet: the account, the key kept here, backed up.
    await page.goto(`${e2e.demo.origin}/wallet`);
    await page.getByTestId('wallet-account').waitFor();
    expect(await page.getByTestId('wallet-did').getAttribute('data-did')).toBe(did);
    expect(await page.getByTestId('wallet-custody').getAttribute('data-custody')).toBe('self');
    expect(await page.getByTestId('wallet-backup-status').getAttribute('data-backed-up')).toBe('true');
    expect(await page.getByTestId('wallet-backup-nudge').count()).toBe(0);
    await screenshot(page, 'wallet-signed-in');

    // A reload keeps the session; the key itself stays in memory only, so it is locked again.
    await page.reload();
    await page.getByTestId('wallet-account').waitFor();
    expect((await storedSession(page))?.did).toBe(did);
    expect(await page.getByTestId('wallet-key-status').getAttribute('data-unlocked')).toBe('false');

    // Unlock through the dialog signing uses: a wrong passphrase is said there, the right one unlocks.
    await page.getByTestId('wallet-unlock-key').click();
    await page.getByTestId('unlock-passphrase').fill('not my passphrase');
    await page.getByTestId('unlock-submit').click();
    await expect.poll(() => page.getByTestId('unlock-error').textContent()).toBe('密码不对，无法解锁这个钱包。');
    await page.getByTestId('unlock-passphrase').fill(PASSPHRASE);
    await page.getByTestId('unlock-submit').click();
    await expect.poll(() => page.getByTestId('wallet-key-status').getAttribute('data-unlocked')).toBe('true');
    await page.getByTestId('unlock-dialog').waitFor({ state: 'detached' });

    await page.getByTestId('wallet-lock').click();
    await expect.poll(() => page.getByTestId('wallet-key-status').getAttribute('data-unlocked')).toBe('false');
    expect((await me(page)).status).toBe(200);

    // Signing out forgets the session; the key stays on the device, ready to unlock.
    await page.getByTestId('wallet-sign-out').click();
    await page.getByTestId(`wallet-key-${did}`).waitFor();
    expect(await storedSession(page)).toBeNull();
    await page.getByTestId('wallet-passphrase').fill('wrong passphrase');
    await page.getByTestId('wallet-unlock').click();
    await expect.poll(() => errorText(page)).toBe('密码不对，无法解锁这个钱包。');
    expect(await storedSession(page)).toBeNull();
    // From the keyboard: the passphrase and Enter.
    await page.getByTestId('wallet-passphrase').fill(PASSPHRASE);
    await page.getByTestId('wallet-passphrase').press('Enter');
    await page.waitForURL(`${e2e.demo.origin}/me`);
    expect((await storedSession(page))?.did).toBe(did);

    created.did = did;
    created.words = words;
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('restores the same account from the phrase in a fresh browser; a wrong phrase changes nothing', async () => {
    expect(created.did).not.toBe('');
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    // A `next` that leaves the site is ignored.
    await page.goto(`${e2e.demo.origin}/wallet?next=${encodeURIComponent('//evil.example/steal')}`);
    await page.getByTestId('wallet-choose-restore').click();
    await page.getByTestId('wallet-restore-passphrase').fill(PASSPHRASE);
    await page.getByTestId('wallet-restore-confirm').fill(PASSPHRASE);

    const phraseError = async (phrase: string) => {
      await page.getByTestId('wallet-restore-phrase').fill(phrase);
      await page.getByTestId('wallet-restore-submit').click();
      await page.getByTestId('wallet-phrase-error').waitFor();
      return page.getByTestId('wallet-phrase-error').textContent();
    };
    expect(await phraseError(created.words.slice(0, 23).join(' '))).toBe('助记词应为 24 个词，现在是 23 个。');
    expect(await phraseError(`${Array(23).fill('abandon').join(' ')} abandn`)).toBe(
      '这些词不在助记词词表里：24: abandn。请检查是否抄错。',
    );
    expect(await phraseError(Array(24).fill('的').join(' '))).toBe(
      '这组助记词校验不通过：可能有词抄错了，或顺序不对。',
    );
    expect(await storedKeys(page)).toEqual([]);
    expect(await storedSession(page)).toBeNull();

    // The Chinese words as someone might type them: no spaces at all.
    await page.getByTestId('wallet-restore-phrase').fill(created.words.join(''));
    await page.getByTestId('wallet-restore-submit').click();
    await page.waitForURL(`${e2e.demo.origin}/me`);
    expect(await storedSession(page)).toMatchObject({ did: created.did, custody: 'self' });
    expect((await storedKeys(page)).map((key) => key.did)).toEqual([created.did]);
    expect((await me(page)).body).toMatchObject({ did: created.did });

    // Whoever restored from the words has them: no backup nudge.
    await page.goto(`${e2e.demo.origin}/wallet`);
    await page.getByTestId('wallet-account').waitFor();
    expect(await page.getByTestId('wallet-backup-status').getAttribute('data-backed-up')).toBe('true');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('signs in a demo account with signInAs, exports its wallet file and imports it in a fresh browser', async () => {
    const consumer = e2e.demo.key('consumer');
    const page = await desktopPage(e2e.browser);
    const errors = collectPageErrors(page);
    await signInAs(page, e2e.demo.origin, consumer);
    await page.waitForURL(`${e2e.demo.origin}/me`);
    await page.goto(`${e2e.demo.origin}/wallet`);
    await page.getByTestId('wallet-account').waitFor();
    expect(await page.getByTestId('account-link').isVisible()).toBe(true);
    expect(await page.getByTestId('sign-in').count()).toBe(0);
    expect(await page.getByTestId('wallet-did').getAttribute('data-did')).toBe(consumer.did);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('wallet-export').click()]);
    expect(download.suggestedFilename()).toBe(`concord-wallet-${consumer.did.slice(-8)}.json`);
    const fileText = readFileSync(await download.path(), 'utf8');
    const file = JSON.parse(fileText) as Record<string, unknown>;
    expect(file).toMatchObject({ type: 'concord-wallet', version: 1, did: consumer.did, kdf: 'PBKDF2-SHA256' });
    expect(fileText).not.toContain(consumer.secretKeyHex);
    expect(errors).toEqual([]);
    await page.context().close();

    // Another browser: bad files and a wrong passphrase are refused, nothing kept; then the file works.
    const other = await desktopPage(e2e.browser);
    const otherErrors = collectPageErrors(other);
    await other.goto(`${e2e.demo.origin}/wallet?next=/cart`);
    await other.getByTestId('wallet-choose-import').click();
    const input = other.getByTestId('wallet-import-input');
    const choose = (name: string, text: string) =>
      input.setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });

    await choose('notes.json', 'this is not json');
    await expect.poll(() => errorText(other)).toBe('无法读取这个文件，它不是 Concord 钱包文件。');
    await choose('other.json', JSON.stringify({ hello: 'world' }));
    await expect.poll(() => errorText(other)).toBe('这不是 Concord 钱包文件。');
    await choose('damaged.json', JSON.stringify({ ...file, iv: 'AAAA' }));
    await expect.poll(() => errorText(other)).toBe('钱包数据已损坏，无法使用。');

    await choose('concord-wallet.json', fileText);
    await other.getByTestId('wallet-import-passphrase').waitFor();
    expect(await other.getByTestId('wallet-import-did').getAttribute('data-did')).toBe(consumer.did);
    await other.getByTestId('wallet-import-passphrase').fill('not the passphrase');
    await other.getByTestId('wallet-import-submit').click();
    await expect.poll(() => errorText(other)).toBe('密码不对，无法解锁这个钱包。');
    expect(await storedKeys(other)).toEqual([]);
    expect(await storedSession(other)).toBeNull();

    await other.getByTestId('wallet-import-passphrase').fill('demo passphrase 1');
    await other.getByTestId('wallet-import-submit').click();
    await other.waitForURL(`${e2e.demo.origin}/cart`);
    expect(await storedSession(other)).toMatchObject({ did: consumer.did, custody: 'self' });
    expect(await storedKeys(other)).toMatchObject([{ did: consumer.did, iterations: 1_000 }]);
    await other.getByTestId('account-link').waitFor();
    expect(otherErrors).toEqual([]);
    await other.context().close();
  }, 60_000);

  it('at desktop width: creates a wallet, leaves the backup for later and is nudged, then removes the key', async () => {
    const page = await desktopPage(e2e.browser);
    const errors = collectPageErrors(page);
    await page.goto(`${e2e.demo.origin}/wallet`);
    await page.getByTestId('sign-in').waitFor();
    await page.getByTestId('wallet-choose-create').click();
    await page.getByTestId('wallet-create-passphrase').fill('desk lamp 1234');
    await page.getByTestId('wallet-create-confirm').fill('desk lamp 1234');
    await screenshot(page, 'wallet-create');
    await page.getByTestId('wallet-create-submit').click();
    await page.getByTestId('backup-words').waitFor();
    // The words in English, if preferred: the same key.
    await page.getByTestId('backup-language-en').click();
    await expect.poll(() => page.getByTestId('backup-word-1').textContent()).toMatch(/^[a-z]+$/);
    await screenshot(page, 'wallet-backup');
    await page.getByTestId('backup-later').click();
    await page.waitForURL(`${e2e.demo.origin}/me`);
    await page.getByTestId('account-link').waitFor();
    const did = (await storedSession(page))!.did;

    await page.goto(`${e2e.demo.origin}/wallet`);
    await page.getByTestId('wallet-backup-nudge').waitFor();
    expect(await page.getByTestId('wallet-backup-status').getAttribute('data-backed-up')).toBe('false');
    await screenshot(page, 'wallet-signed-in');

    // Backing up later asks for the passphrase first.
    await page.getByTestId('wallet-backup').click();
    await page.getByTestId('backup-passphrase').fill('desk lamp 12345');
    await page.getByTestId('backup-reveal').click();
    await expect.poll(() => errorText(page)).toBe('密码不对，无法解锁这个钱包。');
    await page.getByTestId('backup-passphrase').fill('desk lamp 1234');
    await page.getByTestId('backup-reveal').click();
    const words = await backupWords(page);
    await passBackupCheck(page, words, false);
    await page.getByTestId('backup-continue').click();
    await page.getByTestId('wallet-account').waitFor();
    expect(await page.getByTestId('wallet-backup-status').getAttribute('data-backed-up')).toBe('true');

    // Removing the key: warned, confirmed, gone from this device, signed out.
    await page.getByTestId('wallet-remove').click();
    await page.getByText('这个账户就永远找不回来了').waitFor();
    expect(await page.getByTestId('wallet-remove-confirm').isDisabled()).toBe(true);
    await page.getByText('我已备份助记词或钱包文件').click();
    await page.getByTestId('wallet-remove-confirm').click();
    await page.getByTestId('wallet-welcome').waitFor();
    expect(await storedKeys(page)).toEqual([]);
    expect(await storedSession(page)).toBeNull();
    await page.getByTestId('sign-in').waitFor();
    expect(did).toMatch(/^did:key:/);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('signs up for a custodial account after saying what it means, and signs in again with the passphrase', async () => {
    const page = await phonePage(e2e.browser);
    const errors = collectPageErrors(page);
    await page.goto(`${e2e.demo.origin}/wallet`);
    await page.getByTestId('wallet-choose-custodial').click();
    expect(await page.getByTestId('custodial-explained').textContent()).toContain('平台可以以你的名义签名和操作');
    await page.getByTestId('custodial-passphrase').fill('custody pass 2026');
    await page.getByTestId('custodial-confirm').fill('custody pass 2026');
    await page.getByTestId('custodial-submit').click();
    await page.getByText('请先确认你了解托管的含义').waitFor();
    await page.getByText('我已了解：平台保管我的钥匙，可以以我的名义操作').click();
    await page.getByTestId('custodial-submit').click();

    await page.getByTestId('custodial-created').waitFor();
    const did = (await page.getByTestId('custodial-did').getAttribute('data-did'))!;
    expect(did).toMatch(/^did:key:z6Mk/);
    expect(await storedSession(page)).toMatchObject({ did, custody: 'platform' });
    expect(await page.evaluate(() => localStorage.getItem('concord.wallet.custodial'))).toBe(did);
    await page.getByTestId('custodial-continue').click();
    await page.waitForURL(`${e2e.demo.origin}/me`);
    expect((await me(page)).body).toMatchObject({ did, custodial: true });

    await page.goto(`${e2e.demo.origin}/wallet`);
    expect(await page.getByTestId('wallet-custody').getAttribute('data-custody')).toBe('platform');
    await page.getByTestId('wallet-custodial-note').waitFor();
    await page.getByTestId('wallet-sign-out').click();
    await page.getByTestId('wallet-welcome').waitFor();
    expect(await storedSession(page)).toBeNull();

    // Again: this device remembers the account ID, so only the passphrase is asked.
    await page.getByTestId('wallet-choose-custodial').click();
    expect(await page.getByTestId('custodial-remembered-did').getAttribute('data-did')).toBe(did);
    await page.getByTestId('custodial-signin-passphrase').fill('custody pass 2025');
    await page.getByTestId('custodial-signin-submit').click();
    await expect.poll(() => errorText(page)).toBe('账户 ID 或密码不正确。');
    expect(await storedSession(page)).toBeNull();
    await page.getByTestId('custodial-signin-passphrase').fill('custody pass 2026');
    await page.getByTestId('custodial-signin-submit').click();
    await page.waitForURL(`${e2e.demo.origin}/me`);
    expect(await storedSession(page)).toMatchObject({ did, custody: 'platform' });
    expect((await me(page)).status).toBe(200);
    // The browser reports the refused sign-in (401) in the console; nothing else may appear there.
    expect(errors.filter((error) => !/status of 401/.test(error))).toEqual([]);
    await page.context().close();
  }, 60_000);
});
