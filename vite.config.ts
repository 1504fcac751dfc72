import { defineConfig } from 'vite';

/**
 * One config for the demo (dev server), the tests (Vite in middleware mode inside web-test-runner) and
 * the distribution build (`dist/filmless-viewer.js` plus its worker, codecs and chunks beside it).
 */
export default defineConfig({
  // Every asset URL is relative to the script itself, so dist/ works from any origin and sub-path.
  base: './',
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    emptyOutDir: true,
    rollupOptions: {
      // The script-tag entry, the npm entry, and the standalone page (IHE IID links, share links, QR codes).
      input: { 'filmless-viewer': 'src/cdn.ts', index: 'src/index.ts', viewer: 'viewer.html' },
      // Keep the entry's exports: npm users import the same file.
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  worker: { format: 'es' },
  optimizeDeps: {
    // The DICOM image loader starts its decode worker with new URL(…, import.meta.url); pre-bundling
    // breaks that URL and the worker then fails silently. Its CommonJS codecs still need pre-bundling.
    exclude: ['@cornerstonejs/dicom-image-loader', '@web/test-runner-commands'],
    include: [
      'dicom-parser',
      '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
      '@cornerstonejs/codec-charls/decodewasmjs',
      '@cornerstonejs/codec-openjpeg/decodewasmjs',
      '@cornerstonejs/codec-openjph/wasmjs',
      '@cornerstonejs/codec-libjxl/decodewasmjs',
      '@cornerstonejs/jpeg-lossless-decoder-js',
      'comlink',
      'pako',
    ],
  },
});
