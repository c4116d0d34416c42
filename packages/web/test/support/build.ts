import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const WEB_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the web app from source into a fresh folder, so a test never serves a stale dist/. */
export async function buildWeb(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'concord-web-'));
  await build({ root: WEB_ROOT, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}
