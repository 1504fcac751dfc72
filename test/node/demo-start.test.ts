/**
 * `npm start` as a newcomer meets it: it builds what is missing or stale (and nothing else), serves the
 * production viewer, and each sample study opens by accession number into a real picture.
 *
 * The build rule is checked on its own (decideBuild), and on real files in a temporary folder (ensureBuilt
 * runs a build once, then reuses it). The start itself spawns `npm start -- --samples` on a free port,
 * so it needs no ../shared; dist/ is normally built already (npm test builds it first), so the start
 * costs a few seconds, not a build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';
import type { DemoSession } from '../../demo/server/demo-session.js';
import {
  decideBuild,
  demoPagesBuild,
  ensureBuilt,
  inspectBuild,
  viewerBuild,
  type BuildStamp,
  type BuildTarget,
  type OutputFingerprint,
} from '../../demo/server/production-build.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 240_000; // a cold start builds dist/ (about half a minute on two cores)
const STUDY_TIMEOUT_MS = 60_000;
/**
 * Share of the picture on an edge that a real picture reaches. Measured: a real T1 brain MR 21 %; the old
 * synthetic head phantoms (flat discs with staircase outlines) 9–10 %, as does a plastic CT head phantom.
 */
const MIN_EDGE_SHARE = 0.12;

describe('npm start: when to build', () => {
  const output = (mtimeMs: number, size = 100): OutputFingerprint => ({ path: 'dist/filmless-viewer.js', mtimeMs, size });
  const stamp = (inputsHash: string, outputs: OutputFingerprint[]): BuildStamp => ({ inputsHash, outputs, builtAt: '' });

  test('a missing output means a build', () => {
    assert.equal(decideBuild({ outputs: [undefined], inputsHash: 'a', newestInputMtimeMs: 0, stamp: undefined }).fresh, false);
    assert.equal(decideBuild({ outputs: [output(5), undefined], inputsHash: 'a', newestInputMtimeMs: 0, stamp: stamp('a', [output(5)]) }).fresh, false);
  });

  test('with its stamp, the build is fresh exactly when the inputs hash the same', () => {
    // mtimes do not matter then: a touched file with the same content is no reason to rebuild.
    assert.equal(decideBuild({ outputs: [output(5)], inputsHash: 'a', newestInputMtimeMs: 99, stamp: stamp('a', [output(5)]) }).fresh, true);
    assert.equal(decideBuild({ outputs: [output(5)], inputsHash: 'b', newestInputMtimeMs: 1, stamp: stamp('a', [output(5)]) }).fresh, false);
  });

  test('outputs rewritten by another command (npm run build) are judged by mtimes', () => {
    const stale = stamp('a', [output(5)]);
    assert.equal(decideBuild({ outputs: [output(7)], inputsHash: 'b', newestInputMtimeMs: 6, stamp: stale }).fresh, true);
    assert.equal(decideBuild({ outputs: [output(7)], inputsHash: 'b', newestInputMtimeMs: 8, stamp: stale }).fresh, false);
    assert.equal(decideBuild({ outputs: [output(5, 101)], inputsHash: 'a', newestInputMtimeMs: 9, stamp: stale }).fresh, false);
    assert.equal(decideBuild({ outputs: [output(7)], inputsHash: 'a', newestInputMtimeMs: 6, stamp: undefined }).fresh, true);
  });

  test('a build runs once, is reused while fresh, and runs again after an edit', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'filmless-build-'));
    try {
      await mkdir(join(folder, 'src'));
      await writeFile(join(folder, 'src/a.ts'), 'export const a = 1;\n');
      let runs = 0;
      const target: BuildTarget = {
        name: 'test',
        label: 'test build',
        inputs: [join(folder, 'src')],
        outputs: [join(folder, 'out/a.js')],
        stampFile: join(folder, 'stamp.json'),
        run: async () => {
          runs += 1;
          await mkdir(join(folder, 'out'), { recursive: true });
          await writeFile(join(folder, 'out/a.js'), `// build ${runs}\n${await readFile(join(folder, 'src/a.ts'), 'utf8')}`);
        },
      };
      const lines: string[] = [];
      const log = (line: string) => lines.push(line);
      assert.equal((await ensureBuilt(target, log)).built, true);
      assert.equal((await ensureBuilt(target, log)).built, false);
      // Same content, newer mtime: still fresh (the stamp compares content).
      const later = new Date(Date.now() + 60_000);
      await utimes(join(folder, 'src/a.ts'), later, later);
      assert.equal((await ensureBuilt(target, log)).built, false);
      await writeFile(join(folder, 'src/a.ts'), 'export const a = 2;\n');
      assert.equal((await ensureBuilt(target, log)).built, true);
      assert.equal(runs, 2);
      assert.match(lines.join('\n'), /build skipped/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

interface StartedDemo {
  url: string;
  output: () => string;
  child: ChildProcess;
}

/** `npm start -- --samples` on a free port; resolves with the address it prints. */
function startDemo(): Promise<StartedDemo> {
  const child = spawn('npm', ['start', '--', '--samples'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, tsx and node stop together
  });
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no address in time:\n${text}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /Filmless demo:\s+(http:\/\/\S+?)\/demo\//.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, output: () => text, child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${text}`));
    });
  });
}

function stopDemo(demo: StartedDemo | undefined): Promise<void> {
  if (!demo || demo.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    demo.child.once('exit', () => resolve());
    process.kill(-demo.child.pid!, 'SIGTERM');
    setTimeout(() => {
      if (demo.child.exitCode === null) process.kill(-demo.child.pid!, 'SIGKILL');
    }, 5_000).unref();
  });
}

/** What the page sees of an opened study. */
interface Opened {
  imageIndex: number;
  imageCount: number;
  firstImageToReadyMs: number;
  timeToFirstImageMs: number;
  renderer: string;
}

/** Picture statistics of the viewport's screenshot (image area only: overlay hidden, black border cropped). */
interface PictureStats {
  width: number;
  height: number;
  /** Share of the picture (scaled to 256 px across) on an edge: grey-level gradient above 12 per pixel. */
  edgeShare: number;
  /** Well-separated populated grey-level ranges (tissue classes). */
  classes: number;
  histogram: number[];
}

describe('npm start: the production demo', { timeout: START_TIMEOUT_MS + 120_000 }, () => {
  let demo: StartedDemo | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const requests: string[] = [];

  before(async () => {
    demo = await startDemo();
    browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('request', (request) => requests.push(request.url()));
    // Events the test reads back: one listener from the start, so none is missed.
    await page.evaluateOnNewDocument(() => {
      const seen: { type: string; at: number; detail: unknown }[] = [];
      (window as unknown as { filmlessEvents: typeof seen }).filmlessEvents = seen;
      for (const type of ['filmless-first-image', 'filmless-ready', 'filmless-error']) {
        addEventListener(type, (event) => seen.push({ type, at: performance.now(), detail: (event as CustomEvent).detail }), true);
      }
    });
  });

  after(async () => {
    await browser?.close();
    await stopDemo(demo);
  });

  test('the build is fresh after the start (a second start would skip it)', async () => {
    console.log(demo!.output().split('\n').filter((line) => /build|Ready in/i.test(line)).map((line) => `  npm start: ${line}`).join('\n'));
    for (const target of [viewerBuild(), demoPagesBuild()]) {
      const decision = decideBuild(await inspectBuild(target));
      assert.equal(decision.fresh, true, `${target.label}: ${decision.reason}`);
    }
  });

  test('the page loads the production viewer bundle from dist/, not Vite dev modules', async () => {
    const viewerScript = page.waitForResponse((response) => new URL(response.url()).pathname === '/filmless-viewer.js');
    await page.goto(`${demo!.url}/demo/`, { waitUntil: 'load' });
    const served = await (await viewerScript).text();
    assert.equal(served, await readFile(join(REPO_ROOT, 'dist/filmless-viewer.js'), 'utf8'));
    await page.waitForFunction(() => customElements.get('filmless-viewer') !== undefined && document.querySelectorAll('#study-list button').length > 0, { timeout: 30_000 });
    const paths = requests.map((url) => new URL(url)).filter((url) => url.origin === demo!.url).map((url) => url.pathname);
    assert.deepEqual(paths.filter((path) => path.startsWith('/@') || path.startsWith('/src/') || /\.tsx?$/.test(path) || path.includes('node_modules')), []);
    assert.ok(paths.some((path) => path.startsWith('/chunks/')), 'the viewer loads its chunks from dist/chunks');
  });

  test('each sample study opens by accession number into a real picture', { timeout: 240_000 }, async () => {
    const session = await page.evaluate(async () => (await (await fetch('/demo/session')).json()) as DemoSession);
    assert.ok(session.studies.length > 0, 'the demo lists its sample studies');
    // Only the image counts: the overlay's text would add edges of its own.
    await page.addStyleTag({ content: 'filmless-viewer::part(overlay) { visibility: hidden; }' });
    const failures: string[] = [];
    for (const study of session.studies) {
      const opened = await openByAccession(page, study.accessionNumber);
      const stats = await viewportPicture(page);
      const name = `${study.accessionNumber} (${study.modalities.join('/')} ${study.description})`;
      console.log(
        `  ${name}: image ${opened.imageIndex + 1}/${opened.imageCount}, first image after ${Math.round(opened.timeToFirstImageMs)} ms, ` +
          `first image → ready ${Math.round(opened.firstImageToReadyMs)} ms (${opened.renderer}); picture ${stats.width}×${stats.height}, ` +
          `edges ${(stats.edgeShare * 100).toFixed(1)} %, grey-level classes ${stats.classes} (histogram ‰ ${stats.histogram.join(' ')})`,
      );
      if (opened.imageIndex !== Math.floor(opened.imageCount / 2) && opened.imageIndex !== Math.ceil(opened.imageCount / 2) - 1) {
        failures.push(`${name}: shows image ${opened.imageIndex + 1} of ${opened.imageCount}, not the middle one`);
      }
      if (stats.edgeShare < MIN_EDGE_SHARE) failures.push(`${name}: few edges (${(stats.edgeShare * 100).toFixed(1)} % of the picture)`);
      if (stats.classes < 3) failures.push(`${name}: ${stats.classes} grey-level populations, expected at least 3 (histogram ${stats.histogram.join(' ')})`);
    }
    assert.deepEqual(failures, []);
  });
});

/** Types the accession number into the page's field and submits, as a user does; waits for ready. */
async function openByAccession(page: Page, accession: string): Promise<Opened> {
  const start = await page.evaluate(() => (window as unknown as { filmlessEvents: unknown[] }).filmlessEvents.length);
  await page.click('#accession', { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type('#accession', accession);
  await page.keyboard.press('Enter');
  const handle = await page.waitForFunction(
    (from: number) => {
      const events = (window as unknown as { filmlessEvents: { type: string; at: number; detail: Record<string, unknown> }[] }).filmlessEvents.slice(from);
      const error = events.find((event) => event.type === 'filmless-error');
      if (error) return { error: JSON.stringify(error.detail) };
      const first = events.find((event) => event.type === 'filmless-first-image');
      const ready = events.find((event) => event.type === 'filmless-ready');
      if (!first || !ready) return false;
      return {
        imageIndex: first.detail.imageIndex as number,
        imageCount: first.detail.imageCount as number,
        timeToFirstImageMs: first.detail.timeToFirstImageMs as number,
        firstImageToReadyMs: ready.at - first.at,
        renderer: String(ready.detail.renderer),
      };
    },
    { timeout: STUDY_TIMEOUT_MS, polling: 100 },
    start,
  );
  const result = (await handle.jsonValue()) as Opened | { error: string };
  if ('error' in result) throw new Error(`${accession}: filmless-error ${result.error}`);
  // The shown image, once ready (the user may not have scrolled: it is still the middle one).
  const state = await page.evaluate(() => (document.querySelector('filmless-viewer') as unknown as { getViewState(): { imageIndex: number; imageCount: number } }).getViewState());
  return { ...result, imageIndex: state.imageIndex, imageCount: state.imageCount };
}

/**
 * Screenshots the viewport (what the user sees), decodes it in the page, and measures the picture:
 * the mean gradient magnitude (edges) and the populations of its grey-level histogram (tissue classes).
 */
async function viewportPicture(page: Page): Promise<PictureStats> {
  const viewport = await page.evaluateHandle(() => document.querySelector('filmless-viewer')!.shadowRoot!.querySelector('.viewport')!);
  const png = await (viewport as unknown as { screenshot(options: { encoding: 'base64' }): Promise<string> }).screenshot({ encoding: 'base64' });
  return page.evaluate(async (data: string) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const { data: rgba, width, height } = context.getImageData(0, 0, image.width, image.height);
    const grey = new Float32Array(width * height);
    for (let i = 0; i < grey.length; i++) grey[i] = 0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!;
    // The image's box: rows and columns holding anything brighter than the black around it.
    let top = height, bottom = -1, left = width, right = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (grey[y * width + x]! > 24) {
          top = Math.min(top, y); bottom = Math.max(bottom, y); left = Math.min(left, x); right = Math.max(right, x);
        }
      }
    }
    if (bottom < 0) return { width: 0, height: 0, edgeShare: 0, classes: 0, histogram: [] };
    // The image's box at one scale (256 px across), so the measures do not depend on the window size.
    const size = 256;
    const scaled = new OffscreenCanvas(size, Math.max(3, Math.round((size * (bottom - top + 1)) / (right - left + 1))));
    const scaledContext = scaled.getContext('2d')!;
    scaledContext.imageSmoothingQuality = 'high';
    scaledContext.drawImage(canvas, left, top, right - left + 1, bottom - top + 1, 0, 0, scaled.width, scaled.height);
    const small = scaledContext.getImageData(0, 0, scaled.width, scaled.height).data;
    const w = scaled.width, h = scaled.height;
    // (No helper functions in here: the test's compiler would name them with a helper the page lacks.)
    const levels = new Float32Array(w * h);
    for (let i = 0; i < levels.length; i++) levels[i] = 0.299 * small[i * 4]! + 0.587 * small[i * 4 + 1]! + 0.114 * small[i * 4 + 2]!;
    let edges = 0, count = 0;
    const bins = new Array<number>(8).fill(0);
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const at = y * w + x;
        const gradient = Math.hypot(levels[at + 1]! - levels[at - 1]!, levels[at + w]! - levels[at - w]!) / 2;
        if (gradient > 12) edges++;
        bins[Math.min(7, Math.floor(levels[at]! / 32))]!++;
        count++;
      }
    }
    const share = bins.map((n) => n / count);
    // Grey-level ranges of 32 levels holding at least 2 % of the picture; counted from the darkest up,
    // each at least one empty-or-not range away from the last counted, so a blur between two tissues is not a third.
    let classes = 0;
    let last = -2;
    share.forEach((value, range) => {
      if (value >= 0.02 && range - last >= 2) {
        classes++;
        last = range;
      }
    });
    return {
      width: right - left + 1,
      height: bottom - top + 1,
      edgeShare: edges / count,
      classes,
      histogram: share.map((value) => Math.round(value * 1000)),
    };
  }, png);
}
