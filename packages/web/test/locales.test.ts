import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** Every key path of a locale file, e.g. `checkout.outcome.fail`. */
function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix === '' ? key : `${prefix}.${key}`));
}

/** Every `locales` folder under src, at any depth (the app's, each feature's, each console's). */
function localeFolders(dir = ''): string[] {
  return readdirSync(join(SRC, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => (entry.name === 'locales' ? [join(dir, entry.name)] : localeFolders(join(dir, entry.name))));
}

const folders = localeFolders();

describe('the web app says everything in Chinese and in English', () => {
  it("finds every console's strings", () => {
    expect(folders).toContain(join('console', 'operator', 'locales'));
    expect(folders).toContain(join('console', 'sandbox', 'locales'));
  });

  it.each(folders)('%s: zh-CN.json and en.json have the same keys, none empty', (folder) => {
    const read = (language: string) => JSON.parse(readFileSync(join(SRC, folder, `${language}.json`), 'utf8'));
    const zh = read('zh-CN');
    const en = read('en');
    // English has plural forms (key_one, key_other) where Chinese has one: compare the base keys.
    const base = (locale: unknown) =>
      [...new Set(keys(locale).map((path) => path.replace(/_(zero|one|two|few|many|other)$/, '')))].sort();
    expect(base(en)).toEqual(base(zh));
    const empty = (locale: unknown) =>
      keys(locale).filter(
        (path) =>
          path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], locale) === '',
      );
    expect(empty(zh)).toEqual([]);
    expect(empty(en)).toEqual([]);
  });
});
