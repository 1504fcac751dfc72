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
