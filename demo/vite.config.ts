import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The production build of the demo pages, which `npm start` serves at /demo/ (demo/server/production-build.ts
 * runs it when the pages are missing or stale). The pages load the viewer by script tag from
 * `/filmless-viewer.js` (dist/, the npm package), as a hospital's page would: that tag is marked
 * `vite-ignore`, so only the pages' own scripts are bundled here. Never built into dist/: that is the package.
 */
const demo = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  root: demo('.'),
  base: '/demo/',
  publicDir: false,
  build: {
    outDir: demo('../.cache/demo-build'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Page scripts and styles land beside the pages, clear of dist/'s own assets/ and chunks/.
    assetsDir: 'demo-assets',
    rollupOptions: {
      input: {
        index: demo('index.html'),
        his: demo('his.html'),
        'result-sheet': demo('result-sheet.html'),
        access: demo('access.html'),
        consult: demo('consult.html'),
      },
    },
  },
});
