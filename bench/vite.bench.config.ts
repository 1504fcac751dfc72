import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const pages = fileURLToPath(new URL('./pages/', import.meta.url));
const page = (name: string) => `${pages}${name}.html`;

/**
 * Builds the bench pages (limit, peer, filmless, and the warm-up page) with the repo's Vite and the same
 * essentials as vite.config.ts: relative base, ES-module workers, es2022. Output goes to
 * .cache/bench/pages; `npm run bench` builds it itself. The filmless page's script tag is left alone
 * (`vite-ignore`): it loads the built dist/filmless-viewer.js like a hospital page does.
 */
export default defineConfig({
  root: pages,
  base: './',
  logLevel: 'warn',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../.cache/bench/pages/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 10_000,
    rollupOptions: {
      input: { limit: page('limit'), peer: page('peer'), filmless: page('filmless'), warm: page('warm') },
    },
  },
  worker: { format: 'es' },
});
