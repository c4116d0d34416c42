import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './support/build.js';

// Issue 9: the storefront's initial JS is at most 250 KB gzip; the rest is code-split. A size
// check on the production build (shared with the end-to-end tests through buildWeb's digest
// cache), not a timed test.
const BUDGET_BYTES = 250 * 1024;

// Static imports of a built chunk: `import{a as b}from"./x.js"`, `import"./x.js"`, `export{…}from"./x.js"`,
// wherever they are in the file (the entry starts with Vite's `__vite__mapDeps` before its imports).
// Dynamic `import("./x.js")` / `import(\`./x.js\`)` is left out: an opening parenthesis is not allowed
// between the keyword and the specifier. A lookalike inside a string literal would only be counted
// too, never missed, so the check errs on the strict side.
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?(["'`])((?:\.{1,2})?\/[^"'`\s]+?\.js)\1/g;

// A string constant of ECharts' core (`DOM_ATTRIBUTE_KEY`, the attribute it marks each chart's DOM
// node with, in echarts/lib/core/echarts.js). Minifiers rename identifiers but keep string
// literals, and every use of ECharts (`echarts.init`) pulls this module in, so it survives any
// bundling — unlike a chunk name, which only says "echarts" when the library lands in a chunk of
// its own. Both are checked.
const ECHARTS_MARKER = '_echarts_instance_';

let outDir: string;
const sources = new Map<string, string>();
const read = (file: string) => {
  let text = sources.get(file);
  if (text === undefined) {
    text = readFileSync(file, 'utf8');
    sources.set(file, text);
  }
  return text;
};
const gzipped = (file: string) => gzipSync(readFileSync(file)).length; // node:zlib's default level (6)
const name = (file: string) => relative(outDir, file);

/** A URL of index.html (`/assets/x.js`, root-relative as Vite's base '/' writes it) as a file. */
const fromHtml = (url: string) => join(outDir, url.replace(/^\//, ''));

/** Adds `file` and, recursively, the chunks it imports statically, to `into` (skipping those in `seen`). */
function withStaticImports(file: string, into: Set<string>, seen: Set<string>): void {
  if (seen.has(file) || into.has(file)) return;
  into.add(file);
  for (const match of read(file).matchAll(STATIC_IMPORT)) {
    const specifier = match[2] as string;
    const imported = specifier.startsWith('/') ? fromHtml(specifier) : join(dirname(file), specifier);
    withStaticImports(imported, into, seen);
  }
}

/** What index.html loads before any lazy chunk: the entry scripts, the modulepreloads, their static imports. */
function initialFiles(): Set<string> {
  const html = read(join(outDir, 'index.html'));
  const urls = [
    ...[...html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1] as string),
    ...[...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)].map((m) => m[1] as string),
  ];
  const files = new Set<string>();
  for (const url of urls) withStaticImports(fromHtml(url), files, new Set());
  return files;
}

const total = (files: Iterable<string>) => [...files].reduce((sum, file) => sum + gzipped(file), 0);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

beforeAll(async () => {
  outDir = await buildWeb();
}, 180_000);

describe('the storefront JS budget (production build, gzip)', () => {
  it('measures a production build, not React in development mode', () => {
    // Under Vitest NODE_ENV is 'test', and a Vite build then keeps it: React's development builds
    // and the JSX dev runtime go in, and every figure here would be inflated. Their traces: the
    // JSX dev runtime's `jsxDEV` and React's development-only "Invalid hook call" message
    // (production React has error codes instead).
    const initial = initialFiles();
    const dev = [...initial].filter((file) => /jsxDEV|Invalid hook call/.test(read(file))).map(name);
    expect(
      dev,
      'initial files of a development build (support/build.ts must build with NODE_ENV=production; a stale build in the temp dir?)',
    ).toEqual([]);
  });

  /** The shell and one route's chunk with what it imports: what opening that page loads first. */
  function pageBudget(route: string): void {
    const initial = initialFiles();
    expect(initial.size).toBeGreaterThan(0);
    const chunk = readdirSync(join(outDir, 'assets')).filter((file) => new RegExp(`^${route}-.*\\.js$`).test(file));
    // Each page is its own lazy chunk (packages/web/src/app/routes.tsx): if it is not, it has been
    // pulled into the shell, whose size is then what counts, but say so plainly.
    expect(chunk, `a ${route}-*.js route chunk`).toHaveLength(1);
    const pageChunks = new Set<string>();
    withStaticImports(join(outDir, 'assets', chunk[0] as string), pageChunks, initial);

    const initialBytes = total(initial);
    const pageBytes = total(pageChunks);
    const lines = [...initial, ...pageChunks].map((file) => `  ${name(file).padEnd(44)} ${kb(gzipped(file))}`);
    console.log(
      `${route}: initial JS (gzip, zlib default level): ${kb(initialBytes + pageBytes)} of ${kb(BUDGET_BYTES)} ` +
        `(shell ${kb(initialBytes)} in ${initial.size} files, page ${kb(pageBytes)} in ${pageChunks.size})\n${lines.join('\n')}`,
    );
    expect(initialBytes + pageBytes).toBeLessThanOrEqual(BUDGET_BYTES);
  }

  it('the home page needs at most 250 KB of JS gzip before anything else is loaded', () => pageBudget('HomePage'));

  // A friend's shared link opens a product page first: it has the same budget.
  it('so does a product page, its chart and its proof check loaded only when used', () => pageBudget('ProductPage'));

  it('keeps ECharts out of the initial JS', () => {
    // The marker must really be ECharts' own and survive the build, or this would pass vacuously:
    // it is in ECharts' source, and in the minified chunk of the chart that uses it, once built.
    const echartsRoot = dirname(createRequire(import.meta.url).resolve('echarts/core'));
    expect(readFileSync(join(echartsRoot, 'lib', 'core', 'echarts.js'), 'utf8')).toContain(ECHARTS_MARKER);
    const chartChunks = readdirSync(join(outDir, 'assets')).filter((file) => /^ClaimsChart-.*\.js$/.test(file));
    for (const chunk of chartChunks) {
      const withImports = new Set<string>();
      withStaticImports(join(outDir, 'assets', chunk), withImports, new Set());
      expect(
        [...withImports].some((file) => read(file).includes(ECHARTS_MARKER)),
        `${chunk} has ECharts`,
      ).toBe(true);
    }

    for (const file of initialFiles()) {
      expect(name(file), 'an initial chunk named after ECharts').not.toMatch(/echarts/i);
      expect(read(file).includes(ECHARTS_MARKER), `${name(file)} contains ECharts`).toBe(false);
    }
  });
});
