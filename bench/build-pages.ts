/**
 * What the pages need before a run: an up-to-date Filmless build (`npm run build` when dist/ is missing
 * or older than src/), a private copy of dist/ (so a rebuild by someone else mid-run cannot change what
 * is measured), and the bench pages built by Vite with bench/vite.bench.config.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';
import { measureBundle } from './bundle-budget.js';

const run = promisify(execFile);

async function newestMtime(folder: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(full) : (await stat(full)).mtimeMs);
  }
  return newest;
}

/** Builds Filmless unless dist/filmless-viewer.js is newer than everything in src/. Returns whether it built. */
export async function ensureFilmlessBuild(root: string): Promise<boolean> {
  const entry = path.join(root, 'dist/filmless-viewer.js');
  if (existsSync(entry) && (await stat(entry)).mtimeMs >= (await newestMtime(path.join(root, 'src')))) return false;
  await run('npm', ['run', '--silent', 'build'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return true;
}

/**
 * Copies dist/ (without source maps) to `target`, and checks the copy is whole (every static import of
 * the entry is there): another build writing dist/ meanwhile makes the copy be taken again.
 */
export async function snapshotDist(root: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await rm(target, { recursive: true, force: true });
    await cp(path.join(root, 'dist'), target, { recursive: true, filter: (source) => !source.endsWith('.map') });
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
