/**
 * The package as `npm publish` would upload it (`npm pack` of the built repository: `npm test` builds
 * dist/ before the Node tests): what the tarball holds, and what publint and Are The Types Wrong say of it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));

let folder: string;
let tarball: string;
let files: string[];
let packageJson: {
  name: string;
  private?: boolean;
  exports: Record<string, string | Record<string, string>>;
  types: string;
  customElements: string;
  sideEffects: string[];
};

before(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'filmless-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', folder], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(folder, packed!.filename);
  files = packed!.files.map((f) => f.path).sort();
  packageJson = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8'));
});

after(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('the npm package', () => {
  test('is publishable and holds the entry points, their types, the manifest and the standalone page', () => {
    assert.equal(packageJson.private, undefined);
    for (const file of ['package.json', 'README.md', 'dist/index.js', 'dist/filmless-viewer.js', 'dist/viewer.html', 'dist/viewer.js', 'dist/custom-elements.json', 'dist/types/index.d.ts', 'dist/types/cdn.d.ts']) {
      assert.ok(files.includes(file), `${file} is in the package`);
    }
    assert.ok(files.some((f) => /^dist\/assets\/.+\.wasm$/.test(f)), 'the codecs are in the package');
  });

  test('holds nothing of the tests, the demo, the sources, the benchmark or the caches', () => {
    const unwanted = files.filter((f) => /^(test|demo|src|bench|scripts|docs|gateway|\.cache|\.ci|node_modules)\//.test(f) || /\.test\.|\.tgz$|(^|\/)\.env/.test(f));
    assert.deepEqual(unwanted, []);
    assert.deepEqual(files.filter((f) => !f.startsWith('dist/')), ['README.md', 'package.json'].filter((f) => files.includes(f)).sort());
  });

  test('points every exports target, types, customElements and sideEffects entry at files it ships', () => {
    const targets = Object.values(packageJson.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
    for (const target of [...targets, packageJson.types, packageJson.customElements]) {
      assert.ok(files.includes(path.posix.normalize(target)), `${target} is in the package`);
    }
    for (const pattern of packageJson.sideEffects) {
      const matcher = new RegExp(`^${path.posix.normalize(pattern).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
      assert.ok(files.some((f) => matcher.test(f)), `sideEffects entry ${pattern} matches a packed file`);
    }
  });

  test('has a manifest whose modules are the files a user imports', async () => {
    const manifest = JSON.parse(await readFile(path.join(REPO, packageJson.customElements), 'utf8')) as { modules: { path: string }[] };
    for (const module of manifest.modules) assert.ok(files.includes(module.path), `${module.path} is in the package`);
  });

  test('passes publint with no error, warning or suggestion', async () => {
    const buffer = await readFile(tarball);
    const { messages, pkg } = await publint({ pack: { tarball: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) }, level: 'suggestion', strict: true });
    assert.deepEqual(
      messages.map((m) => `${m.type}: ${formatMessage(m, pkg)}`),
      [],
    );
  });

  test('passes Are The Types Wrong as an ES-module-only package', async () => {
    // esm-only: the package has no CommonJS build (a browser component), so only ESM resolutions count.
    const attw = path.join(REPO, 'node_modules/.bin/attw');
    const result = await run(attw, [tarball, '--profile', 'esm-only', '--format', 'table-flipped', '--no-color', '--no-emoji'], { cwd: REPO }).catch(
      (error: { stdout: string; stderr: string; code: number }) => error,
    );
    assert.equal('code' in result ? result.code : 0, 0, `attw failed:\n${result.stdout}${result.stderr}`);
    // Every entry point resolves, with types, for ESM in Node and for bundlers (the table's first two columns).
    const rows = result.stdout.split('\n').filter((line) => /^│ "filmless/.test(line));
    assert.equal(rows.length, Object.keys(packageJson.exports).length, result.stdout);
    for (const row of rows) {
      const [, entry, node16, bundler] = row.split('│').map((c) => c.trim());
      assert.match(`${node16} / ${bundler}`, /^OK\b.* \/ OK\b/, `${entry}: node16 (from ESM) ${node16}, bundler ${bundler}`);
    }
  });
});
