/**
 * Tries the demo the way a newcomer would: start the demo server, open its pages in Chromium, pick a
 * CT study, wait until the viewer says `ready`, and take screenshots for a person to look at.
 *
 *   npx tsx demo/server/demo-smoke.ts [output folder, default /tmp/filmless-demo-smoke] [--only <words>]
 *
 * `--only sharing` runs the scenarios whose name contains those words (here: the result sheet, the
 * access code page and shared links).
 *
 * Each scenario starts its own server on a free port and stops it with SIGTERM (so a clean shutdown
 * is checked too). Exits non-zero when any check fails. Needs Chromium at /usr/bin/chromium (or
 * CHROMIUM_PATH).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import jsQR from 'jsqr';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH as CHROMIUM } from '../../scripts/chromium.js';
import { chooseDataFolder } from './demo-data-folder.js';
import { createFolderSource } from './dicom-folder-source.js';
import { indexDicomFolder } from './dicom-index.js';
import { generateSampleStudies } from './sample-studies.js';
import type { DemoSession } from './demo-session.js';
import type { DemoRedeemed, DemoShareGrant } from './demo-share.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARGS = process.argv.slice(2);
const ONLY = ARGS.includes('--only') ? ARGS[ARGS.indexOf('--only') + 1] ?? '' : undefined;
const OUT_DIR = ARGS.filter((arg, i) => !arg.startsWith('--') && ARGS[i - 1] !== '--only')[0] ?? '/tmp/filmless-demo-smoke';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 640 };
const STARTUP_TIMEOUT_MS = 120_000;
const VIEWER_TIMEOUT_MS = 90_000;
/**
 * A head phantom in a brain window is mostly black inside the skull, yet its shell and inserts cover
 * ~9% of the viewer's middle; the idle message alone covers under 1%.
 */
const MIN_BRIGHT_SHARE = 0.03;

let failures = 0;

function check(name: string, ok: boolean, detail = ''): void {
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}

interface DemoServer {
  origin: string;
  /** Everything the server printed so far. */
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startDemo(args: string[], env: Record<string, string> = {}): Promise<DemoServer> {
  const port = await freePort();
  // The scenario decides where the data comes from, not the shell this script runs in.
  const inherited = { ...process.env };
  delete inherited.FILMLESS_DATA;
  delete inherited.FILMLESS_UPSTREAM;
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'demo/server/main.ts', ...args],
    { cwd: REPO_ROOT, env: { ...inherited, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server: DemoServer = {
    origin: `http://localhost:${port}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the demo server exited with ${child.exitCode}:\n${output}`);
    const status = await fetch(`${server.origin}/demo/session`).then((r) => r.status, () => 0);
    if (status === 200) return server;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await server.stop();
  throw new Error(`the demo server did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`);
}

async function startStandInPacs(folder: string): Promise<{
  url: string;
  requests: { path: string; authorization: string | undefined }[];
  close: () => Promise<void>;
}> {
  await generateSampleStudies(folder); // kept as is when an earlier run wrote them
  const source = createFolderSource(await indexDicomFolder(folder));
  const requests: { path: string; authorization: string | undefined }[] = [];
  const pacs = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://pacs.invalid');
    requests.push({ path: url.pathname, authorization: req.headers.authorization });
    void source(req, res, url.pathname.replace(/^\/dicom-web/, ''), url.searchParams);
  });
  await new Promise<void>((resolve) => pacs.listen(0, '127.0.0.1', resolve));
  const { port } = pacs.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dicom-web`,
    requests,
    close: () => new Promise((resolve) => {
      pacs.closeAllConnections();
      pacs.close(() => resolve());
    }),
  };
}

/** Opens a page in a context of its own: no cookies, storage or session from other pages. */
async function openPage(browser: Browser, url: string, viewport: { width: number; height: number }, deviceScaleFactor = 1): Promise<Page> {
  const page = await browser.newPage({ viewport, deviceScaleFactor });
  page.on('pageerror', (error) => check(`no uncaught error on ${url}`, false, error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) console.log(`     HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
  });
  page.on('console', (message) => {
    // Failed requests are reported above, with their URL.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      console.log(`     console error on ${url}: ${message.text()}`);
    }
  });
  await page.goto(url);
  return page;
}

/** Waits until the viewer leaves its loading states, and returns where it ended up. */
async function settledStatus(page: Page, selector = 'filmless-viewer'): Promise<string> {
  await page.waitForFunction(
    (sel) => ['ready', 'error'].includes(document.querySelector(sel)?.getAttribute('status') ?? ''),
    selector,
    { timeout: VIEWER_TIMEOUT_MS },
  );
  return page.locator(selector).evaluate((viewer) => viewer.getAttribute('status') ?? '');
}

/**
 * The share of bright pixels in the middle of the viewer. A drawn head CT or MR fills much of it;
 * a black viewport, or one showing only a message, does not.
 */
async function brightShare(page: Page, selector = 'filmless-viewer'): Promise<number> {
  const png = (await page.locator(selector).screenshot()).toString('base64');
  return page.evaluate(async (data) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${data}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const x = Math.floor(bitmap.width / 4);
    const y = Math.floor(bitmap.height / 4);
    const { data: pixels } = context.getImageData(x, y, bitmap.width / 2, bitmap.height / 2);
    let bright = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (0.3 * pixels[i]! + 0.59 * pixels[i + 1]! + 0.11 * pixels[i + 2]! > 40) bright++;
    }
    return bright / (pixels.length / 4);
  }, png);
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path });
  console.log(`     screenshot ${path}`);
}

async function session(server: DemoServer): Promise<DemoSession> {
  return (await fetch(`${server.origin}/demo/session`)).json() as Promise<DemoSession>;
}

/** The standalone page on the default data: pick the largest CT study, then the phone layout, then Turkish. */
async function standalonePage(browser: Browser, server: DemoServer, label: string): Promise<void> {
  const page = await openPage(browser, `${server.origin}/demo/`, DESKTOP);
  const ctStudy = page.locator('#study-list button[data-accession]', { hasText: 'CT' }).first();
  await ctStudy.waitFor();
  const accession = (await ctStudy.getAttribute('data-accession')) ?? '';
  await ctStudy.click();
  const status = await settledStatus(page);
  check(`${label}: a CT study (${accession}) becomes ready`, status === 'ready', status);
  await page.waitForTimeout(1500); // let the remaining slices stream, so the screenshot shows the settled page
  const share = await brightShare(page);
  check(`${label}: the CT image is drawn`, share > MIN_BRIGHT_SHARE, `${Math.round(share * 100)}% bright pixels mid-viewer`);
  check(`${label}: the address names the study`, page.url().includes(`accession=${encodeURIComponent(accession)}`), page.url());
  check(`${label}: the token is not in the DOM`, !(await page.content()).includes((await session(server)).token));
  await page.locator('.event-log summary').click();
  check(`${label}: the event log shows filmless-ready`, (await page.locator('#event-list').textContent())?.includes('filmless-ready') ?? false);
  await screenshot(page, `${label}-1280x800`);

  await page.selectOption('#language', 'tr');
  const turkish = await page.locator('filmless-viewer').evaluate(
    async (viewer) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return viewer.shadowRoot?.textContent ?? '';
    },
  );
  check(`${label}: choosing Türkçe translates the viewer`, turkish.includes('Görünümü sıfırla'));
  await screenshot(page, `${label}-tr-1280x800`);
  await page.close();

  const phone = await openPage(browser, `${server.origin}/demo/?accession=${encodeURIComponent(accession)}`, PHONE);
  const phoneStatus = await settledStatus(phone);
  check(`${label}: ?accession= opens the study on a phone`, phoneStatus === 'ready', phoneStatus);
  const viewerWidth = await phone.locator('filmless-viewer').evaluate((viewer) => viewer.getBoundingClientRect().width);
  check(`${label}: the viewer takes the phone's full width`, viewerWidth >= PHONE.width - 1, `${viewerWidth}px`);
  await phone.waitForTimeout(1500);
  await screenshot(phone, `${label}-360x640`);
  await phone.close();
}

/** Clicks the HIS page's "Compare with prior": the prior must open beside the study (1×2). */
async function compareWithPrior(page: Page, compare: ReturnType<Page['locator']>, label: string): Promise<void> {
  const started = Date.now();
  await compare.click();
  const compared = await page
    .waitForFunction(() => {
      const { layout, viewports } = document.querySelector('filmless-viewer')!.getViewState();
      return layout === '1x2' && viewports[1]!.imageCount > 0 && viewports[1]!.studyInstanceUID !== viewports[0]!.studyInstanceUID;
    }, undefined, { timeout: VIEWER_TIMEOUT_MS })
    .then(() => true, () => false);
  check(`${label}: "Compare with prior" opens the prior beside the study`, compared);
  console.log(`     compare with prior: ${Date.now() - started} ms to both viewports shown`);
  await page.waitForTimeout(1500);
  await screenshot(page, `${label}-compare`);
}

/** The HIS example: the first record opens its study; the special accession numbers are tried too. */
async function hisPage(browser: Browser, server: DemoServer, viewport: { width: number; height: number }, label: string): Promise<void> {
  const page = await openPage(browser, `${server.origin}/demo/his.html`, viewport);
  const record = page.locator('#radiology-records tr[data-accession]:not([data-accession="9998"]):not([data-accession="9999"])').first();
  await record.waitFor();
  await record.locator('button').click();
  const status = await settledStatus(page);
  check(`${label}: the first record's study becomes ready`, status === 'ready', status);
  await page.waitForTimeout(1500);
  check(`${label}: its image is drawn`, (await brightShare(page)) > MIN_BRIGHT_SHARE);
  await screenshot(page, label);

  // When the patient has an earlier study, the viewer finds it and the page's button compares with it
  // (the generated samples' patient has one; the data in ../shared/dicom may not).
  const compare = page.locator('#compare-prior');
  const hasPrior = await compare.waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false);
  if (hasPrior) await compareWithPrior(page, compare, label);
  else console.log(`     ${label}: this patient has no earlier study (no "Compare with prior" button)`);

  for (const special of ['9998', '9999']) {
    await page.locator(`#radiology-records tr[data-accession="${special}"] button`).click();
    const outcome = await settledStatus(page).catch(() => 'still loading');
    const message = await page.locator('filmless-viewer').evaluate((viewer) => viewer.shadowRoot?.querySelector('[part="error"]')?.textContent?.trim() ?? '');
    console.log(`     accession ${special}: viewer status ${outcome}${message ? `, message "${message.replace(/\s+/g, ' ')}"` : ''}`);
  }
  await screenshot(page, `${label}-9999`);
  await page.close();
}

/** What a browser page on another origin gets. */
async function refusals(server: DemoServer): Promise<void> {
  const foreign = { Origin: 'http://evil.example' };
  check('a foreign page gets no session', (await fetch(`${server.origin}/demo/session`, { headers: foreign })).status === 403);
  check('DICOMweb without a token is refused', (await fetch(`${server.origin}/dicom-web/studies`)).status === 401);
  const { token } = await session(server);
  const authorized = { Authorization: `Bearer ${token}` };
  check('DICOMweb with the session token answers', (await fetch(`${server.origin}/dicom-web/studies`, { headers: authorized })).status === 200);
  check(
    'DICOMweb refuses a foreign origin even with the token',
    (await fetch(`${server.origin}/dicom-web/studies`, { headers: { ...authorized, ...foreign } })).status === 403,
  );
}

/** Decodes the QR code drawn in an element, from a screenshot of it (what a phone camera would see). */
async function readQrCode(page: Page, selector: string): Promise<string | undefined> {
  const png = (await page.locator(selector).screenshot()).toString('base64');
  const image = await page.evaluate(async (data) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${data}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    return { width: bitmap.width, height: bitmap.height, rgba: Array.from(context.getImageData(0, 0, bitmap.width, bitmap.height).data) };
  }, png);
  return jsQR(Uint8ClampedArray.from(image.rgba), image.width, image.height)?.data;
}

/** Prints the page to PDF as Chromium would on paper; returns the number of pages. */
async function printToPdf(page: Page, name: string): Promise<number> {
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  const path = join(OUT_DIR, `${name}.pdf`);
  await writeFile(path, pdf);
  console.log(`     printed ${path}`);
  return pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
}

/**
 * Sharing as a hospital and a patient would meet it: the printable result sheet (desktop, phone,
 * paper), its QR code decoded from the screen, the shared link opened in a browser with no session,
 * the access code typed on a phone (a wrong one first), and the viewer's own Share button.
 */
async function sharingPages(browser: Browser, server: DemoServer): Promise<void> {
  const { studies, token } = await session(server);
  const ct = studies.find((study) => study.accessionNumber === 'SAMPLE-CT-1');
  if (!ct) throw new Error('the sample CT is not served');

  // The API refuses pages elsewhere and callers without the session token.
  const ask = (headers: Record<string, string>) =>
    fetch(`${server.origin}/demo/share-token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ studyInstanceUID: ct.studyInstanceUID }),
    }).then((r) => r.status);
  check('a share token needs the session token', (await ask({})) === 401);
  check('a page on another origin gets no share token', (await ask({ Authorization: `Bearer ${token}`, Origin: 'http://evil.example' })) === 403);

  // The result sheet, as printed at the front desk.
  const sheet = await openPage(browser, `${server.origin}/demo/result-sheet.html?accession=SAMPLE-CT-1`, DESKTOP, 2);
  await sheet.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: VIEWER_TIMEOUT_MS });
  check('sheet: the result sheet is ready', (await sheet.locator('body').getAttribute('data-state')) === 'ready', (await sheet.locator('#status').textContent()) ?? '');
  const link = (await sheet.locator('#link').textContent()) ?? '';
  const code = (await sheet.locator('#access-code').textContent()) ?? '';
  check('sheet: the link opens the shared gateway with the token in the fragment', link.includes('dicomweb=') && link.includes('%2Fshared%2Fdicom-web') && /#token=[\w.-]+$/.test(link));
  check('sheet: the access code reads XXXX-XXXX', /^[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(code), code);
  check('sheet: the patient and the exam are named', ((await sheet.locator('.facts').textContent()) ?? '').includes('SAMPLE-CT-1'));
  const decoded = await readQrCode(sheet, '#qr');
  check('sheet: the QR code on screen decodes to the printed link', decoded === link, decoded ? `${decoded.length} characters` : 'not decoded');
  await screenshot(sheet, 'sheet-1280x800');
  await sheet.emulateMedia({ media: 'print' });
  check('sheet: buttons are not printed', !(await sheet.locator('.toolbar').isVisible()));
  await sheet.screenshot({ path: join(OUT_DIR, 'sheet-print.png'), fullPage: true });
  console.log(`     screenshot ${join(OUT_DIR, 'sheet-print.png')}`);
  // Printing uses print media; the paper is picked on screen.
  await sheet.emulateMedia({ media: null });
  check('sheet: it prints on one A4 page', (await printToPdf(sheet, 'sheet-a4')) === 1);
  await sheet.selectOption('#paper', 'A5');
  check('sheet: it prints on one A5 page', (await printToPdf(sheet, 'sheet-a5')) === 1);
  await sheet.close();

  const phoneSheet = await openPage(browser, `${server.origin}/demo/result-sheet.html?study=${ct.studyInstanceUID}&lang=vi`, PHONE, 2);
  await phoneSheet.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: VIEWER_TIMEOUT_MS });
  check('sheet on a phone: ?lang=vi shows it in Vietnamese', ((await phoneSheet.locator('.online h2').textContent()) ?? '') === 'Xem hình ảnh trực tuyến');
  const width = await phoneSheet.evaluate(() => document.documentElement.scrollWidth);
  check('sheet on a phone: nothing is wider than the screen', width <= PHONE.width, `${width}px`);
  const phoneLink = (await phoneSheet.locator('#link').textContent()) ?? '';
  check('sheet on a phone: its QR code decodes too', (await readQrCode(phoneSheet, '#qr')) === phoneLink);
  await phoneSheet.screenshot({ path: join(OUT_DIR, 'sheet-vi-360x640.png'), fullPage: true });
  console.log(`     screenshot ${join(OUT_DIR, 'sheet-vi-360x640.png')}`);
  await phoneSheet.close();

  // The link, opened where the patient scans it: a browser with no demo session.
  const shared = await openPage(browser, link, DESKTOP);
  const sharedStatus = await settledStatus(shared);
  check('shared link: the study opens with no session', sharedStatus === 'ready', sharedStatus);
  check('shared link: the token leaves the address bar', !shared.url().includes('token='), shared.url());
  await shared.waitForTimeout(1500);
  check('shared link: the CT image is drawn', (await brightShare(shared)) > MIN_BRIGHT_SHARE);
  await screenshot(shared, 'shared-link-1280x800');
  await shared.close();

  // The access code, typed on a phone: a wrong one first, then the one on the sheet.
  const access = await openPage(browser, `${server.origin}/demo/access?lang=tr`, PHONE);
  await access.fill('#code', 'ZZZZ-ZZZZ');
  await access.click('button[type=submit]');
  await access.locator('#message.problem').waitFor();
  check('access page: a wrong code is refused in Turkish', ((await access.locator('#message').textContent()) ?? '').includes('geçerli değil'));
  await screenshot(access, 'access-wrong-tr-360x640');
  await access.fill('#code', code.toLowerCase().replace('-', ' '));
  // The page navigates away at once: read the answer on its way to the page.
  let redeemed: DemoRedeemed | undefined;
  await access.route('**/demo/redeem', async (route) => {
    const response = await route.fetch();
    redeemed = (await response.json()) as DemoRedeemed;
    await route.fulfill({ response });
  });
  await access.click('button[type=submit]');
  await access.waitForURL(/\/viewer\.html/);
  check('access page: the code (typed lower case, with a space) redeems to the link on the sheet', redeemed?.link === link);
  const accessStatus = await settledStatus(access);
  check('access page: the study opens', accessStatus === 'ready', accessStatus);
  await access.waitForTimeout(1500);
  await screenshot(access, 'access-opened-360x640');
  await access.close();

  // The viewer's own Share button on the demo page.
  const page = await openPage(browser, `${server.origin}/demo/?accession=SAMPLE-CT-1`, DESKTOP);
  check('share button: the study is ready', (await settledStatus(page)) === 'ready');
  const grantResponse = page.waitForResponse((response) => response.url().endsWith('/demo/share-token'));
  await page.locator('filmless-viewer .share-button').click();
  const grant = (await (await grantResponse).json()) as DemoShareGrant;
  await page.locator('filmless-viewer [part="share"] canvas.qr').waitFor();
  const elementLink = await page.locator('filmless-viewer .share-link input').inputValue();
  check('share button: the link points at viewer.html and the shared gateway', elementLink.startsWith(`${server.origin}/viewer.html?`) && elementLink.includes('%2Fshared%2Fdicom-web'));
  check('share button: the element builds the same link as the server', elementLink === grant.link);
  check('share button: the access code is shown', ((await page.locator('filmless-viewer [part="share"]').textContent()) ?? '').includes(grant.accessCode));
  await screenshot(page, 'share-panel-1280x800');
  await page.close();
}

async function scenario(name: string, run: () => Promise<void>): Promise<void> {
  if (ONLY !== undefined && !name.includes(ONLY)) return;
  console.log(`\n== ${name}`);
  try {
    await run();
  } catch (error) {
    check(name, false, error instanceof Error ? error.message : String(error));
  }
}

async function stopped(server: DemoServer, label: string): Promise<void> {
  const code = await server.stop();
  check(`${label}: the server stops cleanly on SIGTERM`, code === 0, `exit code ${code}`);
  if (code !== 0) console.log(server.output().split('\n').slice(-30).join('\n'));
}

async function main(): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const emptyFolder = await mkdtemp(join(tmpdir(), 'filmless-empty-'));
  try {
    await scenario('default data', async () => {
      const server = await startDemo([]);
      try {
        console.log(server.output().split('\n').filter((l) => /Serving|Skipped|Writing|No DICOM/.test(l)).map((l) => `     ${l}`).join('\n'));
        await refusals(server);
        await standalonePage(browser, server, 'standalone');
        await hisPage(browser, server, DESKTOP, 'his-1280x800');
        await hisPage(browser, server, PHONE, 'his-360x640');
      } finally {
        await stopped(server, 'default data');
      }
    });

    await scenario('generated sample studies (no shared data)', async () => {
      const fallback = chooseDataFolder({ sharedFolder: join(emptyFolder, 'absent'), samplesFolder: 'samples' });
      check('without ../shared/dicom the demo falls back to the sample studies', fallback.kind === 'samples');
      const server = await startDemo(['--samples']);
      try {
        const accessions = (await session(server)).studies.map((s) => s.accessionNumber);
        check('the samples are served', accessions.includes('SAMPLE-CT-1') && accessions.includes('SAMPLE-MR-1'), accessions.join(', '));
        const page = await openPage(browser, `${server.origin}/demo/?accession=SAMPLE-CT-1`, DESKTOP);
        const status = await settledStatus(page);
        check('SAMPLE-CT-1 becomes ready', status === 'ready', status);
        await page.waitForTimeout(1500);
        check('the sample CT is drawn', (await brightShare(page)) > MIN_BRIGHT_SHARE);
        await screenshot(page, 'samples-1280x800');
        await page.close();
        // The HIS patient is FILMLESS-DEMO-1, with SAMPLE-CT-1 and its prior SAMPLE-CT-PRIOR: compared side by side.
        await hisPage(browser, server, DESKTOP, 'samples-his-1280x800');
      } finally {
        await stopped(server, 'samples');
      }
    });

    await scenario('sharing: result sheet, access code, shared link (samples)', async () => {
      const server = await startDemo(['--samples']);
      try {
        await sharingPages(browser, server);
      } finally {
        await stopped(server, 'sharing');
      }
    });

    await scenario('FILMLESS_UPSTREAM: forwarding to a PACS', async () => {
      // A stand-in PACS: the sample studies served in-process on a port of its own, with no token check.
      const pacs = await startStandInPacs(join(REPO_ROOT, '.cache/samples'));
      const server = await startDemo([], { FILMLESS_UPSTREAM: pacs.url });
      try {
        const { studies, sourceKind } = await session(server);
        check('the session lists no studies for a PACS', studies.length === 0 && sourceKind === 'upstream');
        const page = await openPage(browser, `${server.origin}/demo/?accession=SAMPLE-MR-1`, DESKTOP);
        const status = await settledStatus(page);
        check('SAMPLE-MR-1 from the PACS becomes ready', status === 'ready', status);
        check('the PACS was asked', pacs.requests.length > 0, `${pacs.requests.length} requests`);
        check('the demo token never reached the PACS', pacs.requests.every((r) => !r.authorization));
        await page.close();
      } finally {
        await stopped(server, 'upstream');
        await pacs.close();
      }
    });

    await scenario('an empty folder named in FILMLESS_DATA', async () => {
      const server = await startDemo([], { FILMLESS_DATA: emptyFolder });
      try {
        check('the server says the folder has no studies', server.output().includes('No DICOM studies found'));
        check('the session lists no studies', (await session(server)).studies.length === 0);
        const page = await openPage(browser, `${server.origin}/demo/`, DESKTOP);
        await page.locator('#studies-source', { hasText: emptyFolder }).waitFor();
        check('the page names the empty folder', true);
        await screenshot(page, 'empty-folder-1280x800');
        await page.close();
      } finally {
        await stopped(server, 'empty folder');
      }
    });

    await scenario('a folder that does not exist', async () => {
      const missing = join(emptyFolder, 'no-such-folder');
      const error = await startDemo([missing]).then(
        async (server) => (await server.stop(), ''),
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      check('the server refuses to start and says why', error.includes(`${missing} is not a folder`), error.split('\n').find((l) => l.includes('Filmless demo')) ?? error);
    });
  } finally {
    await browser.close();
    await rm(emptyFolder, { recursive: true, force: true });
  }
  console.log(`\n${failures === 0 ? 'All checks passed' : `${failures} check(s) failed`}; screenshots in ${OUT_DIR}`);
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();
