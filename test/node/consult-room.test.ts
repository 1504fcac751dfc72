/**
 * The demo's consultation room in two browser contexts through the real relay: a presenter on a desktop
 * window opens a CT, a phone-sized follower joins late and catches up, follows a scroll, and after the
 * demo server (and its relay) is stopped and started again on the same port both reconnect by
 * themselves and are in step again. Uses the demo's Vite dev pages (the TypeScript source) and Chromium.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';
import { startDemoServer, type DemoServer } from '../../demo/server/demo-server.js';
import { generateSampleStudies } from '../../demo/server/sample-studies.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SAMPLES = path.join(REPO, '.cache/samples');
const ROOM = `room-${process.pid}`;

let demo: DemoServer;
let port: number;
let browser: Browser;
let presenter: Page;
let follower: Page;
let ctStudy: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: found } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return found;
}

const start = () => startDemoServer({ source: { folder: SAMPLES }, pages: 'dev', port, log: () => undefined });

/** What the consultation shares, as the page's viewer reports it. */
function synced(page: Page): Promise<string> {
  return page.evaluate(() => {
    const state = document.querySelector('filmless-viewer')!.getViewState();
    return JSON.stringify({
      study: state.studyInstanceUID,
      layout: state.layout,
      viewports: state.viewports.map((v) => [v.seriesInstanceUID, v.imageIndex, Math.round(v.windowCenter), Math.round(v.windowWidth)]),
    });
  });
}

async function inStep(what: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let a = '';
  let b = '';
  while (Date.now() < end) {
    [a, b] = await Promise.all([synced(presenter), synced(follower)]);
    if (a === b && JSON.parse(a).study) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`${what}: not in step\npresenter ${a}\nfollower  ${b}`);
}

const connected = (page: Page) => page.waitForSelector('#connection[data-state="open"]', { timeout: 60_000 });

before(async () => {
  await generateSampleStudies(SAMPLES); // kept as is when written before
  port = await freePort();
  demo = await start();
  ctStudy = demo.studies.find((study) => study.accessionNumber === 'SAMPLE-CT-1')!.studyInstanceUID;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  presenter = await (await browser.newContext({ viewport: { width: 1100, height: 760 } })).newPage();
  follower = await (await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true })).newPage();
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

describe('the consultation room through the relay', { timeout: 400_000 }, () => {
  test('a phone-sized follower joining late catches up with the presenter and follows a scroll', async () => {
    await presenter.goto(`${demo.url}/demo/consult.html?room=${ROOM}&role=presenter&lang=en`);
    await connected(presenter);
    await presenter.selectOption('#study', ctStudy);
    await presenter.waitForSelector('filmless-viewer[status="ready"]', { timeout: 120_000 });
    await follower.goto(`${demo.url}/demo/consult.html?room=${ROOM}&lang=tr`);
    await connected(follower);
    await inStep('the late joiner');
    const before = JSON.parse(await synced(follower)).viewports[0][1] as number;
    await presenter.evaluate(() => document.querySelector('filmless-viewer')!.scrollImages(-3));
    await inStep('after a scroll');
    assert.equal(JSON.parse(await synced(follower)).viewports[0][1], before - 3);
    const people = await presenter.locator('#participants li').allTextContents();
    assert.equal(people.length, 2, people.join(' | '));
  });

  test('after the relay restarts both reconnect by themselves and are in step again', async () => {
    // The relay is killed and restarted (its room tokens void); the page server stays, as it would in
    // production (restarting Vite's dev server would reload the pages instead).
    const restarted = demo.restartConsultRelay();
    await presenter.waitForSelector('#connection[data-state="reconnecting"]', { timeout: 30_000 });
    await restarted;
    await Promise.all([connected(presenter), connected(follower)]);
    await presenter.evaluate(() => document.querySelector('filmless-viewer')!.scrollImages(2));
    await inStep('after the restart');
  });
});
