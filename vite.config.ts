import { defineConfig, type Plugin, type Rollup } from 'vite';

/**
 * The file names (relative to dist/) of the Cornerstone part: the chunk of src/imaging/imaging-module.ts
 * and every chunk it imports, directly or not. lazy-stack.ts imports them in steps, one evaluation per
 * task (issue 11, P4); Vite's preload helper would fetch each step's files only when that step starts,
 * one round trip after another (on a phone's link, eight round trips and the steps' evaluations in a
 * row, 2 s of the 15 s until the tools work). Filled in once the bundle exists (generateBundle, before
 * Vite's import analysis asks resolveDependencies).
 */
let imagingFiles: string[] = [];
/** The chunks of lazy-stack.ts's import steps and of the imaging module (not its texture probe's). */
let stepFiles: string[] = [];

/** Records imagingFiles and stepFiles from the bundle; Vite's import analysis runs after it. */
function imagingFilesPlugin(): Plugin {
  return {
    name: 'filmless-imaging-files',
    apply: 'build',
    generateBundle: {
      order: 'pre',
      handler(_options, bundle: Rollup.OutputBundle) {
        const chunks = Object.values(bundle).filter((item): item is Rollup.OutputChunk => item.type === 'chunk');
        const isModule = (id: string | null | undefined, path: string) => !!id && id.replace(/\\/g, '/').endsWith(path);
        const lazyStack = [...this.getModuleIds()].find((id) => isModule(id, '/src/imaging/lazy-stack.ts'));
        const imported = new Set(lazyStack ? this.getModuleInfo(lazyStack)?.dynamicallyImportedIds : []);
        const root = chunks.find((chunk) => isModule(chunk.facadeModuleId, '/src/imaging/imaging-module.ts'));
        stepFiles = chunks
          .filter((chunk) => chunk === root || (chunk.facadeModuleId && imported.has(chunk.facadeModuleId) && /[\\/]node_modules[\\/]/.test(chunk.facadeModuleId)))
          .map((chunk) => chunk.fileName);
        const files: string[] = [];
        const visit = (fileName: string) => {
          const chunk = bundle[fileName];
          if (!chunk || chunk.type !== 'chunk' || files.includes(fileName)) return;
          files.push(fileName);
          chunk.imports.forEach(visit);
        };
        if (root) visit(root.fileName);
        imagingFiles = files;
      },
    },
  };
}

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
    modulePreload: {
      // An import step (or the imaging module's import) preloads the whole Cornerstone part: its files
      // arrive together, in parallel, and the steps still evaluate them one task each (issue 11, P10).
      // Every other dynamic import keeps Vite's own list.
      resolveDependencies: (file, deps) => (stepFiles.includes(file) ? [...new Set([...deps, ...stepFiles, ...imagingFiles])] : deps),
    },
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
  plugins: [imagingFilesPlugin()],
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
