/**
 * Builds the web UI into web/dist, which the server serves (src/server/routes/web.ts).
 * `npm run build:web`; during development `npx vite --config web/vite.config.ts` proxies the API
 * to a server on 127.0.0.1:8080.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/oauth2': 'http://127.0.0.1:8080' } },
});
