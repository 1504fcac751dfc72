/**
 * What the pages need before a run: an up-to-date Filmless build (dist/ when it is newer than src/,
 * else the repo's Vite build of src/ into .cache/bench/filmless-build: the bench never writes dist/,
 * which other work on the same tree may be using), a private copy of it (so a rebuild by someone else
 * mid-run cannot change what is measured), and the bench pages built by Vite with
 * bench/vite.bench.config.ts.
 */
import { existsSync } from 'node:fs';
import { cp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'vite';
import { measureBundle } from './bundle-budget.js';

async function newestMtime(folder: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(full) : (await stat(full)).mtimeMs);
  }
  return newest;
}

/**
 * The Filmless build to measure: dist/ when dist/filmless-viewer.js is newer than everything in src/,
 * else a Vite build of src/ (the repo's vite.config.ts, without source maps) into
 * .cache/bench/filmless-build. Returns the folder and whether it built.
 */
export async function ensureFilmlessBuild(root: string): Promise<{ folder: string; built: boolean }> {
  const entry = path.join(root, 'dist/filmless-viewer.js');
  if (existsSync(entry) && (await stat(entry)).mtimeMs >= (await newestMtime(path.join(root, 'src')))) return { folder: path.join(root, 'dist'), built: false };
  const folder = path.join(root, '.cache/bench/filmless-build');
  await build({ configFile: path.join(root, 'vite.config.ts'), root, logLevel: 'error', build: { outDir: folder, emptyOutDir: true, sourcemap: false } });
  return { folder, built: true };
}

/**
 * Copies dist/ (without source maps) to `target`, and checks the copy is whole (every static import of
 * the entry is there): another build writing dist/ meanwhile makes the copy be taken again.
 */
export async function snapshotDist(source: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await rm(target, { recursive: true, force: true });
    await cp(source, target, { recursive: true, filter: (source) => !source.endsWith('.map') });
    try {
      measureBundle(target);
      return;
    } catch (error) {
      if (attempt === 5) throw new Error('dist/ keeps changing while it is copied', { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

/** Builds the bench pages into the folder the config names (.cache/bench/pages). */
export async function buildPages(root: string): Promise<string> {
  await build({ configFile: path.join(root, 'bench/vite.bench.config.ts'), logLevel: 'error' });
  return path.join(root, '.cache/bench/pages');
}
