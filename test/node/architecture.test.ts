/**
 * The layering the style guide sets, checked on the source's import statements (static and dynamic,
 * type imports included): Cornerstone only inside src/imaging/, a DICOMweb layer that knows nothing of
 * rendering or the element, and no import cycles anywhere in src/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every module specifier a file imports or re-exports. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g), ...text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)];
  return found.map((match) => match[1]!);
}

/** The src/ file a relative specifier points to (`./x.js` is `./x.ts`), or undefined for packages. */
function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = path.resolve(path.dirname(from), specifier.replace(/\?.*$/, '')).replace(/\.js$/, '.ts');
  return target.startsWith(SRC) ? target : undefined;
}

const files = sourceFiles(SRC);
const relative = (file: string) => path.relative(SRC, file);

describe('the layering of src/', () => {
  test('only src/imaging/ imports Cornerstone (its codec packages excepted: the lean first image decodes with them)', () => {
    const codec = (s: string) => s.startsWith('@cornerstonejs/codec-') || s === '@cornerstonejs/jpeg-lossless-decoder-js';
    const outside = files
      .filter((file) => !relative(file).startsWith(`imaging${path.sep}`))
      .flatMap((file) => specifiers(file).filter((s) => s.startsWith('@cornerstonejs/') && !codec(s)).map((s) => `${relative(file)} → ${s}`));
    assert.deepEqual(outside, []);
  });

  test('src/dicomweb/ imports nothing from the imaging, viewer or viewport layers', () => {
    const wrong = files
      .filter((file) => relative(file).startsWith(`dicomweb${path.sep}`))
      .flatMap((file) =>
        specifiers(file)
          .map((s) => resolveLocal(file, s))
          .filter((target): target is string => target !== undefined && /^(imaging|viewer|viewport)[\\/]/.test(relative(target)))
          .map((target) => `${relative(file)} → ${relative(target)}`),
      );
    assert.deepEqual(wrong, []);
  });

  test('no module of src/ imports itself back through others (no import cycles)', () => {
    const graph = new Map(files.map((file) => [file, specifiers(file).map((s) => resolveLocal(file, s)).filter((t): t is string => t !== undefined)]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map(relative).join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    assert.deepEqual(cycles, []);
  });
});

describe('the gateway service', () => {
  const GATEWAY = fileURLToPath(new URL('../../gateway', import.meta.url));
  const REPO = path.dirname(GATEWAY);
  const gatewayFiles = sourceFiles(GATEWAY);

  test('gateway/ imports only Node, jose and its own files: it deploys without the viewer, the demo or the tests', () => {
    const outside = gatewayFiles.flatMap((file) =>
      specifiers(file)
        .filter((s) => (s.startsWith('.') ? !path.resolve(path.dirname(file), s).startsWith(`${GATEWAY}${path.sep}`) : !s.startsWith('node:') && s !== 'jose'))
        .map((s) => `${path.relative(REPO, file)} → ${s}`),
    );
    assert.deepEqual(outside, []);
  });

  test('nothing in src/ imports the gateway (the published viewer does not ship it)', () => {
    const wrong = files.flatMap((file) =>
      specifiers(file)
        .filter((s) => s.startsWith('.') && path.resolve(path.dirname(file), s).startsWith(`${GATEWAY}${path.sep}`))
        .map((s) => `${relative(file)} → ${s}`),
    );
    assert.deepEqual(wrong, []);
  });
});
