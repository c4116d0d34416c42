/** Money arrives as fen in decimal strings (bigint on the server); shown as yuan with two decimals. */
export function formatFen(fen: string | number | bigint, options: { sign?: boolean } = {}): string {
  const value = BigInt(fen);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, '0');
  const grouped = yuan.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = negative ? '-' : options.sign && value > 0n ? '+' : '';
  return `${sign}¥${grouped}.${cents}`;
}

/** did:key:z6Mk…abcd — enough to recognise, short enough for a phone. */
export const shortDid = (did: string): string =>
  did.startsWith('did:key:') ? `${did.slice(8, 14)}…${did.slice(-4)}` : did;

/** A zh/en text pair in the reader's language. */
export const localized = (text: { zh: string; en?: string | null } | undefined, language: string): string =>
  text === undefined ? '' : language.startsWith('zh') ? text.zh : (text.en ?? text.zh);

/** A cart or order line's product title in the reader's language (null: the SKU is gone). */
export function lineTitle<T extends string | null>(
  line: { titleZh: T; titleEn?: string | null },
  language: string,
): T | string {
  return line.titleZh === null ? line.titleZh : localized({ zh: line.titleZh, en: line.titleEn }, language);
}

export const formatDate = (iso: string, language: string): string =>
  new Date(iso).toLocaleDateString(language, { year: 'numeric', month: 'short', day: 'numeric' });

export const formatDateTime = (iso: string, language: string): string =>
  new Date(iso).toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short' });

/** yuan typed by a person ("12.5") → fen as a decimal string ("1250"); null when it is not an amount. */
export function yuanToFen(yuan: string | number | null | undefined): string | null {
  const match = /^(\d{1,14})(?:\.(\d{1,2}))?$/.exec(String(yuan ?? '').trim());
  if (match === null) return null;
  return (BigInt(match[1] as string) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'))).toString();
}

/** fen "1250" → "12.50", for a form field in yuan. */
export function fenToYuan(fen: string): string {
  const value = BigInt(fen);
  return `${value / 100n}.${(value % 100n).toString().padStart(2, '0')}`;
}
