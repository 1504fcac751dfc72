/**
 * The Cornerstone part is imported in steps (src/imaging/lazy-stack.ts, IMPORT_STEPS), so that its
 * megabytes are evaluated in several tasks after the first image rather than one (issue 11, P4). That
 * only works when each step imports the very copy of a package that Cornerstone imports (another copy
 * would be evaluated for nothing, and Cornerstone's own evaluated again in one task), and when no step
 * imports a package that depends on a later step's (that one would then be evaluated early, in the same
 * task). Both are read from the installed packages, not assumed.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAZY_STACK = path.join(ROOT, 'src/imaging/lazy-stack.ts');

/** The specifiers of IMPORT_STEPS, in order. */
function importSteps(): string[] {
  const text = readFileSync(LAZY_STACK, 'utf8');
  const list = /const IMPORT_STEPS\b[^\n]*= \[([\s\S]*?)\n\];/.exec(text)?.[1] ?? '';
  return [...list.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((match) => match[1]!);
}

/** `@scope/name/deep/path` → `@scope/name`; `name/deep` → `name`. */
const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** The folder of the copy of `name` that Node's lookup finds from `folder` (node_modules upwards). */
function packageFolder(name: string, folder: string): string | undefined {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const manifest = (folder: string) => JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as Manifest;
const dependsOn = (m: Manifest, name: string) => name in { ...m.dependencies, ...m.peerDependencies };

/** Every installed Cornerstone package (the copies src/ resolves, and any nested ones). */
function cornerstonePackages(): string[] {
  const found: string[] = [];
  const visit = (nodeModules: string) => {
    const scope = path.join(nodeModules, '@cornerstonejs');
    if (!existsSync(scope)) return;
    for (const entry of readdirSync(scope)) {
      const folder = path.join(scope, entry);
      found.push(realpathSync(folder));
      if (existsSync(path.join(folder, 'node_modules'))) visit(path.join(folder, 'node_modules'));
    }
  };
  visit(path.join(ROOT, 'node_modules'));
  return found;
}

describe('the import steps of the Cornerstone part', () => {
  const steps = importSteps();
  const fromImaging = path.join(ROOT, 'src/imaging');

  test('end with Cornerstone itself, after the packages it depends on', () => {
    assert.ok(steps.length > 3, `IMPORT_STEPS not found in ${LAZY_STACK}`);
    assert.ok(steps.indexOf('@cornerstonejs/core') > steps.indexOf('dcmjs'));
    assert.ok(steps.includes('@cornerstonejs/tools') && steps.includes('@cornerstonejs/dicom-image-loader'));
  });

  test('import the very copy of each package that the Cornerstone packages using it import', () => {
    const mismatches: string[] = [];
    for (const name of new Set(steps.map(packageName))) {
      const ours = packageFolder(name, fromImaging);
      assert.ok(ours, `${name} is not installed`);
      for (const user of cornerstonePackages()) {
        if (!dependsOn(manifest(user), name)) continue;
        const theirs = packageFolder(name, user);
        if (theirs !== ours) mismatches.push(`${manifest(user).name} imports ${theirs}, the steps ${ours}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  test('never import a package before one it depends on', () => {
    const early: string[] = [];
    steps.forEach((specifier, index) => {
      const own = manifest(packageFolder(packageName(specifier), fromImaging)!);
      for (const later of steps.slice(index + 1).map(packageName)) {
        if (later !== own.name && dependsOn(own, later)) early.push(`${specifier} depends on ${later}, a later step`);
      }
    });
    assert.deepEqual(early, []);
  });
});

/**
 * The build (vite.config.ts, modulePreload.resolveDependencies) makes the first import step preload
 * every file of the Cornerstone part at once, so they arrive in parallel instead of one step's files
 * after another's (on a phone's link, a round trip or more per step). Read from dist/, as a browser gets it.
 */
describe('the built import steps', () => {
  const DIST = path.join(ROOT, 'dist');
  const files = () => readdirSync(path.join(DIST, 'chunks')).filter((name) => name.endsWith('.js')).map((name) => `chunks/${name}`);
  const code = (file: string) => readFileSync(path.join(DIST, file), 'utf8');
  /** A chunk's static imports, as dist-relative file names. */
  const staticImports = (file: string) =>
    [...code(file).matchAll(/(?:\bfrom|\bimport)\s*["'`](\.\.?\/[^"'`]+\.js)["'`]/g)].map((match) => path.posix.join(path.posix.dirname(file), match[1]!));
  const closure = (file: string, seen = new Set<string>()) => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const dependency of staticImports(file)) closure(dependency, seen);
    return seen;
  };
  /** Every preload list in the build (`__vite__mapDeps`), with the dynamic import it is for when that reads plainly. */
  const preloads = () => {
    const found: { host: string; target?: string; preloaded: string[] }[] = [];
    for (const host of [...files(), 'filmless-viewer.js', 'index.js', 'viewer.js']) {
      const text = code(host);
      const table = /m\.f=\[([^\]]*)\]/.exec(text)?.[1];
      const names = table ? [...table.matchAll(/["'`]([^"'`]+)["'`]/g)].map((match) => path.posix.join(path.posix.dirname(host), match[1]!)) : [];
      for (const match of text.matchAll(/(?:import\(\s*["'`](\.\.?\/[^"'`]+\.js)["'`]\s*\)\s*,\s*)?__vite__mapDeps\(\[([\d,]*)\]\)/g)) {
        const preloaded = match[2]!.split(',').filter(Boolean).map((index) => names[Number(index)]!);
        found.push({ host, target: match[1] && path.posix.join(path.posix.dirname(host), match[1]), preloaded });
      }
    }
    return found;
  };

  test('the first step preloads every file of the Cornerstone part, and only the steps preload it', { skip: !existsSync(DIST) && 'dist/ not built (npm run build)' }, () => {
    const imagingModule = files().find((file) => /^chunks\/imaging-module-[\w-]+\.js$/.test(file));
    assert.ok(imagingModule, 'the imaging module has its own chunk');
    const imagingPart = closure(imagingModule);
    const all = preloads();
    const firstStep = all.find((entry) => entry.target && /^chunks\/dcmjs[\w.-]*\.js$/.test(entry.target));
    assert.ok(firstStep, 'the first import step (dcmjs) is a dynamic import with preloads');
    assert.deepEqual([...imagingPart].filter((file) => !firstStep.preloaded.includes(file)), [], 'files of the Cornerstone part the first step does not preload');
    // Cornerstone's core, the largest file: preloaded by the import steps and the imaging module's import
    // only (never by an import made before the first image, such as dicom-parser's).
    const core = [...imagingPart].sort((a, b) => code(b).length - code(a).length)[0]!;
    const preloadingCore = all.filter((entry) => entry.preloaded.includes(core));
    assert.equal(preloadingCore.length, importSteps().length + 1, `imports preloading ${core}: ${preloadingCore.map((entry) => entry.target ?? '(unnamed)').join(', ')}`);
    assert.ok(preloadingCore.every((entry) => entry.host === firstStep.host && entry.target));
  });
});
