import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './precompress';

// The API and the web app share one port in production (`concord start`); in development Vite
// proxies the API paths to a running server.
const API = process.env.CONCORD_API ?? 'http://127.0.0.1:3000';
const API_PATHS = ['/v1', '/log', '/healthz', '/readyz', '/openapi.json', '/docs'];

export default defineConfig({
  plugins: [react(), precompress()],
  resolve: { conditions: ['source'] },
  server: { proxy: Object.fromEntries(API_PATHS.map((path) => [path, API])) },
  build: { chunkSizeWarningLimit: 1500 },
});
