/**
 * The package as a hospital's developers get it: `npm pack` of the build, installed into two throw-away
 * apps in a temporary folder, each opening a study in Debian's Chromium.
 * - a plain HTML page that loads node_modules/filmless/dist/filmless-viewer.js with a script tag and sets
 *   attributes;
 * - a Vite + TypeScript app that imports `filmless`, is type-checked with `tsc --noEmit` (the shipped types
 *   must work, strict, without skipLibCheck) and built with `vite build`, and sets properties.
 * The DICOMweb source is the demo server's folder source on the generated sample studies, behind its
 * gateway (bearer token, CORS for the apps' origins only). Timings are printed, not asserted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import puppeteer, { type Browser } from 'puppeteer-core';
import { startDemoServer, type DemoServer } from '../../demo/server/demo-server.js';
import { generateSampleStudies } from '../../demo/server/sample-studies.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SAMPLES = path.join(REPO, '.cache/samples');
const ACCESSION = 'SAMPLE-CT-1';
const BIN = (name: string) => path.join(REPO, 'node_modules/.bin', name);

let work: string;
let tarball: string;
let demo: DemoServer;
let browser: Browser;
const servers: http.Server[] = [];
const timings: string[] = [];

async function timed<T>(what: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await step();
  timings.push(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function sh(command: string, args: string[], cwd: string): Promise<void> {
  try {
    await run(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.css': 'text/css',
};

/** A plain static file server for one folder, on a free loopback port. */
async function serve(root: string): Promise<string> {
  const server = http.createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, path.normalize(pathname.endsWith('/') ? `${pathname}index.html` : pathname));
    if (!file.startsWith(root)) return res.writeHead(403).end();
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A folder with a package.json, and the packed tarball installed into it from npm's cache. */
async function app(name: string, packageJson: object): Promise<string> {
  const folder = path.join(work, name);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...packageJson }, null, 2));
  await timed(`${name}: npm install <tarball>`, () => sh('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], folder));
  return folder;
}

interface Shown {
  ready: { imageCount: number; studyInstanceUID: string; seriesInstanceUID: string; renderer: string } | undefined;
  error: { code: string; message: string } | undefined;
  greyLevels: number;
  litPixels: number;
}

/** Opens the app's page, waits for `filmless-ready` (or an error), and reads the viewer's canvas. */
async function show(url: string): Promise<Shown> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 800 });
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  page.on('pageerror', (error) => console.push(String(error)));
  try {
    await timed(`${new URL(url).port}: page to filmless-ready`, async () => {
      await page.goto(url);
      await page.waitForFunction('window.filmlessReady || window.filmlessError', { timeout: 60_000 });
    });
    return await page.evaluate(() => {
      const w = window as unknown as { filmlessReady?: Shown['ready']; filmlessError?: Shown['error'] };
      const viewer = document.querySelector('filmless-viewer')!;
      const canvas = viewer.shadowRoot?.querySelector<HTMLCanvasElement>('[part="viewport"] canvas');
      let greyLevels = 0;
      let litPixels = 0;
      if (canvas) {
        const data = canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, canvas.width, canvas.height).data;
        const levels = new Set<number>();
        for (let i = 0; i < data.length; i += 4) {
          levels.add(data[i]!);
          if (data[i]! > 16) litPixels++;
        }
        greyLevels = levels.size;
      }
      return { ready: w.filmlessReady, error: w.filmlessError, greyLevels, litPixels };
    });
  } catch (error) {
    throw new Error(`${url}: ${String(error)}\nbrowser console:\n${console.join('\n')}`, { cause: error });
  } finally {
    await page.close();
  }
}

/** Waits for `filmless-ready` / `filmless-error` and keeps their details where the test reads them. */
const LISTEN = `
  viewer.addEventListener('filmless-ready', (event) => { window.filmlessReady = event.detail; });
  viewer.addEventListener('filmless-error', (event) => { window.filmlessError = event.detail; });`;

let expectedImages: number;
let htmlUrl: string;
let viteUrl: string;

/** 1. A plain page with a script tag, served as it is; resolves with its origin. */
async function plainHtmlApp(): Promise<string> {
  const plain = await app('plain-html', {});
  await writeFile(
    path.join(plain, 'index.html'),
    `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Filmless by script tag</title>
<script type="module" src="./node_modules/filmless/dist/filmless-viewer.js"></script></head>
<body>
<filmless-viewer style="display:block; width: 800px; height: 600px"></filmless-viewer>
<script type="module">
  const viewer = document.querySelector('filmless-viewer');
  const params = new URLSearchParams(location.search);
  ${LISTEN}
  viewer.setAttribute('dicomweb-url', params.get('dicomweb'));
  viewer.setAttribute('token', params.get('token'));
  viewer.setAttribute('accession-number', params.get('accession'));
</script>
</body>
</html>
`,
  );
  return serve(plain);

}

/** 2. A Vite + TypeScript app that imports the package, checked by tsc and built by Vite; resolves with its origin. */
async function viteApp(): Promise<string> {
  const vite = await app('vite-typescript', { type: 'module' });
  await mkdir(path.join(vite, 'src'));
  await writeFile(
    path.join(vite, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], strict: true, noEmit: true, types: [], skipLibCheck: false },
      include: ['src'],
    }),
  );
  await writeFile(
    path.join(vite, 'index.html'),
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Filmless in a Vite app</title></head>\n<body><div id="app"></div><script type="module" src="/src/main.ts"></script></body></html>\n',
  );
  await writeFile(
    path.join(vite, 'src/main.ts'),
    `import { defineFilmlessViewer, FILMLESS_EVENTS, type FilmlessErrorDetail, type FilmlessReadyDetail, type FilmlessViewer } from 'filmless';

declare global {
  interface Window {
    filmlessReady?: FilmlessReadyDetail;
    filmlessError?: FilmlessErrorDetail;
  }
}

defineFilmlessViewer();
const params = new URLSearchParams(location.search);
const viewer: FilmlessViewer = document.createElement('filmless-viewer');
viewer.style.cssText = 'display:block; width: 800px; height: 600px';
viewer.addEventListener('filmless-ready', (event) => {
  const detail: FilmlessReadyDetail = event.detail;
  window.filmlessReady = detail;
});
viewer.addEventListener('filmless-error', (event) => {
  window.filmlessError = event.detail;
});
console.debug('events', FILMLESS_EVENTS.join(' '));
viewer.dicomwebUrl = params.get('dicomweb') ?? '';
viewer.token = params.get('token') ?? undefined;
viewer.accessionNumber = params.get('accession') ?? '';
document.getElementById('app')!.append(viewer);
`,
  );
  await timed('vite-typescript: tsc --noEmit', () => sh('node', [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', '.'], vite));
  await timed('vite-typescript: vite build', () => sh(BIN('vite'), ['build', '--logLevel', 'error'], vite));
  return serve(path.join(vite, 'dist'));
}

before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'filmless-consumers-'));
  // The samples are written (or found current) while the package is packed, installed and built.
  const samples = timed('sample studies', () => generateSampleStudies(SAMPLES));
  const { stdout } = await timed('npm pack', () => run('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 }));
  tarball = path.join(work, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
  [htmlUrl, viteUrl] = await Promise.all([plainHtmlApp(), viteApp(), samples]);

  demo = await timed('demo server', () => startDemoServer({ source: { folder: SAMPLES }, pages: false, log: () => {}, extraOrigins: [htmlUrl, viteUrl] }));
  const study = demo.studies.find((s) => s.accessionNumber === ACCESSION);
  assert.ok(study, `${ACCESSION} is among the samples`);
  // The size of the series the viewer should show, as the DICOMweb server counts it (its largest CT series).
  const response = await fetch(`${demo.url}/dicom-web/studies/${study.studyInstanceUID}/series`, { headers: { Authorization: `Bearer ${demo.sessionToken}` } });
  const series = (await response.json()) as Record<string, { Value?: (string | number)[] }>[];
  expectedImages = Math.max(...series.filter((s) => s['00080060']?.Value?.[0] === 'CT').map((s) => Number(s['00201209']?.Value?.[0] ?? 0)));
  browser = await timed('chromium', () => puppeteer.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true }));
});

after(async () => {
  await browser?.close();
  await demo?.close();
  for (const server of servers) server.closeAllConnections?.();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (work) await rm(work, { recursive: true, force: true });
  console.log(`# consumer apps: ${timings.join('; ')}`);
});

function pageUrl(origin: string): string {
  const query = new URLSearchParams({ dicomweb: `${demo.url}/dicom-web`, token: demo.sessionToken, accession: ACCESSION });
  return `${origin}/?${query}`;
}

function assertShown(shown: Shown): void {
  assert.equal(shown.error, undefined, `filmless-error: ${JSON.stringify(shown.error)}`);
  assert.ok(shown.ready, 'filmless-ready fired');
  assert.equal(shown.ready.imageCount, expectedImages);
  // A CT slice, not a blank or flat canvas: many grey levels, and a good share of the pixels lit.
  assert.ok(shown.greyLevels >= 32, `${shown.greyLevels} grey levels on the canvas`);
  assert.ok(shown.litPixels > 10_000, `${shown.litPixels} pixels brighter than black`);
}

describe('the packed package in throw-away apps', () => {
  test('a plain HTML page with the script tag shows the study', async () => {
    assertShown(await show(pageUrl(htmlUrl)));
  });

  test('a Vite + TypeScript app importing filmless type-checks, builds and shows the study', async () => {
    assertShown(await show(pageUrl(viteUrl)));
  });
});
