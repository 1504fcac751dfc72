/**
 * Teleconsultation latency: presenter scroll → follower drawn, through the demo's loopback WebSocket
 * relay (demo/server/consult-relay.ts), two browser contexts in Debian's Chromium (software WebGL).
 *
 *   npx tsx bench/sync-latency.ts [--steps 120]      (npm run bench:sync)
 *
 * The demo server runs in this process with its Vite dev pages (the element's TypeScript source, not
 * dist/: no build needed) on the generated sample CT. The presenter opens /demo/consult.html as
 * presenter, the follower joins the room; both wait until the series is fully decoded. Then, one step
 * every 150 ms, the presenter calls `scrollImages(±1)`; the time is the presenter's clock just before
 * the call. The follower records, for each `filmless-statechange` whose origin is `remote`, the first
 * animation frame after it (its pixels are on screen by then); the latency is that minus the send
 * time. Both pages share the machine's clock (`performance.timeOrigin + performance.now()`).
 * Writes bench/results/sync-latency.md and .json; target p95 ≤ 100 ms (reported, not asserted).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.js';
import { startDemoServer } from '../demo/server/demo-server.js';
import { generateSampleStudies } from '../demo/server/sample-studies.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const STEPS = Number(args[args.indexOf('--steps') + 1]) || 120;
const ROOM = `bench-${process.pid}`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Ready and every image decoded (the viewer's progress bar is gone). */
const settled = (page: Page) =>
  page.evaluate(() => {
    const viewer = document.querySelector('filmless-viewer')!;
    return viewer.status === 'ready' && !viewer.shadowRoot!.querySelector('[part="progress"]');
  });

const samples = path.join(REPO, '.cache/samples');
await generateSampleStudies(samples);
const demo = await startDemoServer({ source: { folder: samples }, pages: 'dev', port: await freePort(), log: () => undefined });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
try {
  const ct = demo.studies.find((study) => study.accessionNumber === 'SAMPLE-CT-1')!;
  const presenter = await (await browser.newContext({ viewport: { width: 1100, height: 760 } })).newPage();
  const follower = await (await browser.newContext({ viewport: { width: 800, height: 700 } })).newPage();
  await presenter.goto(`${demo.url}/demo/consult.html?room=${ROOM}&role=presenter`);
  await presenter.waitForSelector('#connection[data-state="open"]', { timeout: 60_000 });
  await presenter.selectOption('#study', ct.studyInstanceUID);
  await follower.goto(`${demo.url}/demo/consult.html?room=${ROOM}`);
  await follower.waitForSelector('#connection[data-state="open"]', { timeout: 60_000 });
  await until(async () => (await settled(presenter)) && (await settled(follower)), 'both series decoded');
  await follower.evaluate(() => {
    const drawn: { index: number; at: number }[] = [];
    (window as unknown as { drawn: typeof drawn }).drawn = drawn;
    document.querySelector('filmless-viewer')!.addEventListener('filmless-statechange', (event) => {
      if (event.detail.origin !== 'remote') return;
      const index = event.detail.viewports[event.detail.activeViewport]!.imageIndex;
      requestAnimationFrame(() => drawn.push({ index, at: performance.timeOrigin + performance.now() }));
    });
  });
  const count = await presenter.evaluate(() => document.querySelector('filmless-viewer')!.getViewState().imageCount);
  let index = await presenter.evaluate(() => document.querySelector('filmless-viewer')!.getViewState().imageIndex);
  let direction = 1;
  const latencies: number[] = [];
  let missed = 0;
  for (let step = 0; step < STEPS + 10; step++) {
    if (index + direction < 0 || index + direction >= count) direction = -direction;
    index += direction;
    const sentAt = await presenter.evaluate((delta) => {
      const at = performance.timeOrigin + performance.now();
      document.querySelector('filmless-viewer')!.scrollImages(delta);
      return at;
    }, direction);
    let arrived: number | undefined;
    const end = Date.now() + 3000;
    while (arrived === undefined && Date.now() < end) {
      arrived = await follower.evaluate(
        ({ expected, after }) => (window as unknown as { drawn: { index: number; at: number }[] }).drawn.find((d) => d.index === expected && d.at >= after)?.at,
        { expected: index, after: sentAt },
      );
      if (arrived === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (step >= 10) {
      if (arrived === undefined) missed += 1;
      else latencies.push(arrived - sentAt);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const result = {
    date: new Date().toISOString(),
    steps: STEPS,
    drawn: latencies.length,
    missed,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1)!,
    min: sorted[0]!,
    targetP95: 100,
  };
  const round = (ms: number) => ms.toFixed(1);
  const report = `# Teleconsultation latency (bench/sync-latency.ts)

Presenter \`scrollImages(±1)\` → follower's first animation frame after its \`filmless-statechange\`
(origin \`remote\`), through the demo's WebSocket relay on loopback, two Chromium contexts (software
WebGL), the generated sample CT (${count} slices) decoded in both, one step every 150 ms, 10 warm-up
steps left out. ${result.date}.

| steps | drawn | missed (3 s) | min | p50 | p95 | max | target p95 |
|---|---|---|---|---|---|---|---|
| ${STEPS} | ${result.drawn} | ${missed} | ${round(result.min)} ms | ${round(result.p50)} ms | ${round(result.p95)} ms | ${round(result.max)} ms | ≤ 100 ms |
`;
  await mkdir(path.join(REPO, 'bench/results'), { recursive: true });
  await writeFile(path.join(REPO, 'bench/results/sync-latency.md'), report);
  await writeFile(path.join(REPO, 'bench/results/sync-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(report);
} finally {
  await browser.close();
  await demo.close();
}
