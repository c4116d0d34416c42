import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const WEB_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROTOCOL_SRC = fileURLToPath(new URL('../../../protocol/src', import.meta.url));

function hashTree(hash: ReturnType<typeof createHash>, path: string): void {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) hashTree(hash, join(path, name));
  } else {
    hash.update(path).update(readFileSync(path));
  }
}

/** What the build depends on: the app's sources, its page, its config and the protocol it imports. */
function sourceDigest(): string {
  const hash = createHash('sha256');
  for (const path of ['src', 'public', 'index.html', 'vite.config.ts', 'package.json']) {
    hashTree(hash, join(WEB_ROOT, path));
  }
  hashTree(hash, PROTOCOL_SRC);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds the web app from source, so a test never serves a stale dist/. The build is kept per
 * digest of its sources: the end-to-end files of one run share it (and build it once).
 */
export async function buildWeb(): Promise<string> {
  const outDir = join(tmpdir(), `concord-web-${sourceDigest()}`);
  if (existsSync(join(outDir, 'index.html'))) return outDir;
  const building = mkdtempSync(join(tmpdir(), 'concord-web-building-'));
  // Vitest sets NODE_ENV=test, which Vite would bake in (React and Ant Design in development mode):
  // build exactly what `npm run build` ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: WEB_ROOT,
      mode: 'production',
      logLevel: 'error',
      build: { outDir: building, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  try {
    renameSync(building, outDir);
  } catch {
    // Another test file built the same sources at the same time: use theirs.
    rmSync(building, { recursive: true, force: true });
  }
  return outDir;
}
