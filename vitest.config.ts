import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources of the workspace packages, no build needed.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@concord\/protocol\/node$/, replacement: src('./packages/protocol/src/node.ts') },
      { find: /^@concord\/protocol$/, replacement: src('./packages/protocol/src/index.ts') },
      { find: /^@concord\/server\/test-support$/, replacement: src('./packages/server/src/test-support/index.ts') },
      { find: /^@concord\/server$/, replacement: src('./packages/server/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
