/**
 * `npm start` serves production builds: the viewer from `dist/` (the npm package, built by
 * `npm run build`) and the demo pages from `.cache/demo-build/` (a Vite build of demo/*.html that
 * loads the viewer by script tag, as a hospital's page would). Each is built when it is missing or
 * stale, and skipped when it is fresh.
 *
 * The staleness rule, per build:
 *   1. a required output is missing                        → build;
 *   2. the build's stamp (.cache/build-stamps/<name>.json) records the inputs' content hash and the
 *      outputs' mtimes and sizes; when the outputs are still the ones it describes, the build is fresh
 *      exactly when the hash of the inputs today is the one it records (edits, checkouts and
 *      `npm install` change the hash; touching a file without changing it does not);
 *   3. no stamp, or the outputs were rewritten since (e.g. by `npm run build` or `npm test`): fresh
 *      when no input is newer than the oldest output (mtimes); a stamp is then written for them.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What one output file looked like after the build, to tell when something else rewrote it. */
export interface OutputFingerprint {
  path: string;
  mtimeMs: number;
  size: number;
}

export interface BuildStamp {
  inputsHash: string;
  outputs: OutputFingerprint[];
  builtAt: string;
}

/** What the staleness decision looks at; gathered by `inspectBuild`, or made up by tests. */
export interface BuildState {
  /** The required outputs; undefined entries are missing. */
  outputs: (OutputFingerprint | undefined)[];
  inputsHash: string;
  newestInputMtimeMs: number;
  stamp: BuildStamp | undefined;
}

export interface BuildDecision {
  fresh: boolean;
  /** Why, in words for the console. */
  reason: string;
}

/** The staleness rule of this file's header, as a pure function. */
export function decideBuild(state: BuildState): BuildDecision {
  const missing = state.outputs.filter((output) => output === undefined).length;
  if (missing > 0 || state.outputs.length === 0) return { fresh: false, reason: 'not built yet' };
  const outputs = state.outputs as OutputFingerprint[];
  if (state.stamp && sameOutputs(state.stamp.outputs, outputs)) {
    return state.stamp.inputsHash === state.inputsHash
      ? { fresh: true, reason: 'up to date' }
      : { fresh: false, reason: 'sources changed since the last build' };
  }
  const oldestOutput = Math.min(...outputs.map((output) => output.mtimeMs));
  return state.newestInputMtimeMs <= oldestOutput
    ? { fresh: true, reason: 'up to date (built by another command)' }
    : { fresh: false, reason: 'sources are newer than the build' };
}

function sameOutputs(recorded: readonly OutputFingerprint[], now: readonly OutputFingerprint[]): boolean {
  if (recorded.length !== now.length) return false;
  return now.every((output) => {
    const before = recorded.find((entry) => entry.path === output.path);
    return before !== undefined && before.mtimeMs === output.mtimeMs && before.size === output.size;
  });
}

/** One of the two builds `npm start` needs. */
export interface BuildTarget {
  /** Names the stamp file and the console lines. */
  name: string;
  /** Shown to the user, e.g. `dist/`. */
  label: string;
  /** Files that must exist after a build (absolute). */
  outputs: string[];
  /** Folders (walked) and files whose content the build depends on (absolute). */
  inputs: string[];
  /** Runs the build; rejects when it fails. */
  run: () => Promise<void>;
  /** Where the stamp is kept (default .cache/build-stamps/<name>.json); never inside the outputs' folder. */
  stampFile?: string;
}

const IGNORED_NAMES = new Set(['node_modules', '.git', '.DS_Store']);

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(
    entries.filter((entry) => !IGNORED_NAMES.has(entry.name)).map((entry) => listFiles(join(path, entry.name))),
  );
  return nested.flat();
}

async function fingerprint(path: string): Promise<OutputFingerprint | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? { path: relative(REPO_ROOT, path), mtimeMs: info.mtimeMs, size: info.size } : undefined;
}

function stampPath(target: BuildTarget): string {
  return target.stampFile ?? join(REPO_ROOT, '.cache/build-stamps', `${target.name}.json`);
}

async function readStamp(target: BuildTarget): Promise<BuildStamp | undefined> {
  try {
    return JSON.parse(await readFile(stampPath(target), 'utf8')) as BuildStamp;
  } catch {
    return undefined;
  }
}

/** Reads the inputs (a few hundred small files: some tens of milliseconds) and the outputs' state. */
export async function inspectBuild(target: BuildTarget): Promise<BuildState> {
  const files = (await Promise.all(target.inputs.map(listFiles))).flat().sort();
  const hash = createHash('sha256');
  let newestInputMtimeMs = 0;
  for (const file of files) {
    const [content, info] = await Promise.all([readFile(file), stat(file)]);
    hash.update(`${relative(REPO_ROOT, file)}\0${content.length}\0`).update(content);
    newestInputMtimeMs = Math.max(newestInputMtimeMs, info.mtimeMs);
  }
  return {
    outputs: await Promise.all(target.outputs.map(fingerprint)),
    inputsHash: hash.digest('hex'),
    newestInputMtimeMs,
    stamp: await readStamp(target),
  };
}

async function writeStamp(target: BuildTarget, inputsHash: string): Promise<void> {
  const outputs = await Promise.all(target.outputs.map(fingerprint));
  if (outputs.some((output) => output === undefined)) {
    throw new Error(`The ${target.label} build finished without writing ${target.outputs.map((p) => relative(REPO_ROOT, p)).join(', ')}.`);
  }
  const stamp: BuildStamp = { inputsHash, outputs: outputs as OutputFingerprint[], builtAt: new Date().toISOString() };
  await mkdir(dirname(stampPath(target)), { recursive: true });
  await writeFile(stampPath(target), `${JSON.stringify(stamp, null, 2)}\n`);
}

export interface EnsureResult {
  built: boolean;
  reason: string;
  /** How long the build took; 0 when skipped. */
  buildMs: number;
}

/** Builds `target` when it is missing or stale (see the rule above); says what it did through `log`. */
export async function ensureBuilt(target: BuildTarget, log: (line: string) => void): Promise<EnsureResult> {
  const before = await inspectBuild(target);
  const decision = decideBuild(before);
  if (decision.fresh) {
    // Adopt a build made by another command, so later starts compare content, not mtimes.
    if (!before.stamp || !sameOutputs(before.stamp.outputs, before.outputs as OutputFingerprint[])) await writeStamp(target, before.inputsHash);
    log(`${target.label}: ${decision.reason}, build skipped.`);
    return { built: false, reason: decision.reason, buildMs: 0 };
  }
  log(`${target.label}: ${decision.reason}; building…`);
  const started = performance.now();
  await target.run();
  const buildMs = performance.now() - started;
  // The hash of the inputs as they were when the build started: an edit during the build makes the next start rebuild.
  await writeStamp(target, before.inputsHash);
  log(`${target.label}: built in ${(buildMs / 1000).toFixed(1)} s.`);
  return { built: true, reason: decision.reason, buildMs };
}

/** Thrown when a build fails; the message names the log with the details. */
export class BuildError extends Error {}

/** Runs `npm run <script>` with its output in a log file (printed only when it fails). */
function runNpmScript(script: string, logFile: string): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const output = createWriteStream(logFile);
    // Under `npm start`, npm_execpath is the npm that started us; otherwise the one on PATH.
    const npmCli = process.env.npm_execpath;
    const [command, args] = npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli, 'run', script]] : ['npm', ['run', script]];
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(output, { end: false });
    child.stderr.pipe(output, { end: false });
    child.on('error', (error) => reject(new BuildError(`Could not run npm run ${script}: ${error.message}`)));
    child.on('close', (code) => {
      output.end(() => {
        if (code === 0) resolveRun();
        else reject(new BuildError(`npm run ${script} failed (exit code ${code}). Its output is in ${relative(process.cwd(), logFile) || logFile}.`));
      });
    });
  });
}

const VIEWER_INPUTS = [
  'src',
  'viewer.html',
  'vite.config.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
  'custom-elements-manifest.config.mjs',
  'custom-elements-manifest.config.js',
];

/** `dist/`, the npm package: the whole `npm run build` (Vite, type declarations, custom-elements.json). */
export function viewerBuild(root = REPO_ROOT): BuildTarget {
  const dist = join(root, 'dist');
  return {
    name: 'dist',
    label: 'Viewer build (dist/)',
    outputs: ['filmless-viewer.js', 'viewer.html', 'viewer.js', 'index.js'].map((file) => join(dist, file)),
    inputs: VIEWER_INPUTS.map((path) => join(root, path)),
    run: async () => {
      await mkdir(join(root, '.cache'), { recursive: true });
      await runNpmScript('build', join(root, '.cache/build-dist.log'));
    },
  };
}

export const DEMO_BUILD_FOLDER = join(REPO_ROOT, '.cache/demo-build');
export const DEMO_PAGES = ['index.html', 'his.html', 'result-sheet.html', 'access.html'];

/** The demo pages, built by Vite with demo/vite.config.ts into .cache/demo-build (never into dist/). */
export function demoPagesBuild(root = REPO_ROOT): BuildTarget {
  return {
    name: 'demo-build',
    label: 'Demo pages (.cache/demo-build/)',
    outputs: DEMO_PAGES.map((page) => join(DEMO_BUILD_FOLDER, page)),
    // The pages' own files (not demo/server/, which the pages only take types from), and src/: the
    // result sheet bundles the viewer's DICOMweb client and name formatting.
    inputs: [
      ...readdirSync(join(root, 'demo'), { withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => join(root, 'demo', entry.name)),
      ...['src', 'package-lock.json', 'tsconfig.json'].map((path) => join(root, path)),
    ],
    run: async () => {
      const { build } = await import('vite');
      await build({ configFile: join(root, 'demo/vite.config.ts'), logLevel: 'error' });
    },
  };
}

/** Both builds `npm start` serves, in order, each only when missing or stale. */
export async function ensureProductionBuilds(log: (line: string) => void): Promise<{ viewer: EnsureResult; pages: EnsureResult }> {
  if (!existsSync(join(REPO_ROOT, 'dist'))) log('First start: building the production viewer and the demo pages (about a minute, once).');
  const viewer = await ensureBuilt(viewerBuild(), log);
  const pages = await ensureBuilt(demoPagesBuild(), log);
  return { viewer, pages };
}
