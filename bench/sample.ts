/**
 * One sample: one page, one series, one mode, in a fresh browser. Loads the page, answers its
 * milestone signals with CPU snapshots (and the heap at series-ready), and returns everything measured,
 * unprocessed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CDPSession } from 'playwright-core';
import { launchFresh } from './browser.js';
import type { BenchSeries } from './generate-ct.js';
import { BENCH_TOKEN } from './pacs.js';
import { configToQuery, SIGNAL_BINDING, type Mode, type PageName, type PageResult, type Signal } from './pages/protocol.js';
import { benchProcesses, cpuSnapshot, cpuWindow, settle, type CpuSnapshot, type CpuWindow } from './proc-cpu.js';
import type { ServedFile, StaticServer } from './static-server.js';

export interface HeapUsage {
  /** V8 heap in use after a full GC, bytes. */
  usedSize: number;
  /** ArrayBuffer backing stores held by that heap, bytes (pixel arrays live here). */
  backingStorageSize: number;
  /** Blink's own heap (DOM), bytes. */
  embedderHeapUsedSize: number;
}

export interface RawSample {
  page: PageName;
  series: BenchSeries['name'];
  mode: Mode;
  sample: number;
  result: PageResult;
  /** CPU time: navigation → series ready, first image → series ready, the cached scroll. */
  cpu: { load?: CpuWindow; series?: CpuWindow; cachedScroll?: CpuWindow };
  /** Resident memory per process kind at series ready, bytes. */
  rss?: Record<string, number>;
  heap?: HeapUsage;
  /** Files the page origin served during the sample (JS, WASM, HTML). */
  served: ServedFile[];
  /** The page origin's files seen through CDP Network events of the page target (not its workers): URL, epoch ms, encodedDataLength. */
  network: Array<{ url: string; start: number; bytes: number }>;
  /** Busy fraction of the machine (0..1) just before the sample, with the bench idle: other programs' load. */
  background: number;
  /** Longest delay between a page's signal and the runner's CPU snapshot for it, ms. */
  signalLagMs: number;
  /** phone mode: bytes the browser received in the sample (bodies and headers, workers' requests too). */
  bytesMoved?: number;
}

/**
 * P10's patient phone on a slow link: Chromium's own throttling through CDP (the DevTools presets'
 * mechanism), 1.6 Mbps down, 750 kbps up, 150 ms round trip, a 4× slower CPU, a 360×640 window.
 */
export const PHONE = { downBitsPerSecond: 1.6e6, upBitsPerSecond: 0.75e6, latencyMs: 150, cpuSlowdown: 4, width: 360, height: 640 } as const;

export interface SampleOptions {
  page: PageName;
  series: BenchSeries;
  mode: Mode;
  sample: number;
  streamSteps: number;
  streamMs: number;
  cachedSteps: number;
  pages: StaticServer;
  gatewayUrl: string;
  /** compare mode: the prior study opened beside the series' study. */
  priorStudyInstanceUID?: string;
  /** The server process (gateway; Orthanc is its child), whose CPU time is accounted too. */
  serverPid: number;
  /** Saves a screenshot when the series is ready (before any scroll: the first image is still shown). */
  screenshot?: string;
  timeoutMs?: number;
}

async function heapUsage(cdp: CDPSession): Promise<HeapUsage> {
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as Partial<HeapUsage> & { usedSize: number };
  return {
    usedSize: usage.usedSize,
    backingStorageSize: usage.backingStorageSize ?? 0,
    embedderHeapUsedSize: usage.embedderHeapUsedSize ?? 0,
  };
}

/**
 * FILMLESS_BENCH_HEAPSNAPSHOT=<folder>: a V8 heap snapshot of each page at series ready (after the
 * garbage collection of P6), to see what the heap holds besides the pixels.
 */
async function writeHeapSnapshot(cdp: CDPSession, file: string): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const chunks: string[] = [];
  const collect = ({ chunk }: { chunk: string }) => chunks.push(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', collect);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', collect);
  writeFileSync(file, chunks.join(''));
}

/** Spans a CPU profile can cover (see FILMLESS_BENCH_PROFILE): the mode of the sample and two signals. */
const PROFILE_SPANS: Record<string, { mode: 'load' | 'scroll'; from: Signal | 'navigation'; to: Signal }> = {
  p1: { mode: 'load', from: 'navigation', to: 'first-image' },
  p2: { mode: 'load', from: 'first-image', to: 'series-ready' },
  p3: { mode: 'load', from: 'cached-scroll-start', to: 'cached-scroll-end' },
  p4: { mode: 'scroll', from: 'first-image', to: 'stream-scroll-end' },
};

export async function runSample(options: SampleOptions): Promise<RawSample> {
  const { page: pageName, series, mode, pages } = options;
  const browser = await launchFresh(`${pages.origin}/warm.html`);
  try {
    const { context, page } = browser;
    let tree = await benchProcesses(browser.userDataDir, options.serverPid);
    const snapshots: Partial<Record<Signal | 'navigation', CpuSnapshot & { epoch: number }>> = {};
    let heap: HeapUsage | undefined;
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const cdp = await context.newCDPSession(page);
    const network: RawSample['network'] = [];
    const requestStarts = new Map<string, { url: string; start: number }>();
    await cdp.send('Network.enable');
    cdp.on('Network.requestWillBeSent', (event) => requestStarts.set(event.requestId, { url: event.request.url, start: event.wallTime * 1000 }));
    cdp.on('Network.loadingFinished', (event) => {
      const request = requestStarts.get(event.requestId);
      if (request?.url.startsWith(pages.origin)) network.push({ ...request, bytes: event.encodedDataLength });
    });
    await context.exposeBinding(SIGNAL_BINDING, async (_source, signal: Signal) => {
      const epoch = Date.now();
      tree = await benchProcesses(browser.userDataDir, options.serverPid); // a navigation may start a new renderer
      snapshots[signal] = { ...(await cpuSnapshot(tree)), epoch };
      // FILMLESS_BENCH_PROFILE=<folder>: a CPU profile of the page's main thread over one span, to see
      // where that time goes. FILMLESS_BENCH_PROFILE_SPAN picks it: p2 (first image → series ready, the
      // default), p1 (navigation → first image), p3 (the cached scroll) or p4 (scrolling while streaming). Off by default: profiling
      // slows the page.
      const profileFolder = process.env.FILMLESS_BENCH_PROFILE;
      const span = PROFILE_SPANS[process.env.FILMLESS_BENCH_PROFILE_SPAN ?? 'p2'];
      if (profileFolder && span && mode === span.mode && signal === span.from) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
        await cdp.send('Profiler.start');
      }
      if (profileFolder && span && mode === span.mode && signal === span.to) {
        const { profile } = await cdp.send('Profiler.stop');
        mkdirSync(profileFolder, { recursive: true });
        const name = `${pageName}-${series.name}-${process.env.FILMLESS_BENCH_PROFILE_SPAN ?? 'p2'}-${options.sample}.cpuprofile`;
        writeFileSync(path.join(profileFolder, name), JSON.stringify(profile));
      }
      if (signal === 'series-ready') {
        heap = await heapUsage(cdp);
        const snapshotFolder = process.env.FILMLESS_BENCH_HEAPSNAPSHOT;
        if (snapshotFolder && mode === 'load') await writeHeapSnapshot(cdp, path.join(snapshotFolder, `${pageName}-${series.name}-${options.sample}.heapsnapshot`));
        if (options.screenshot) await page.screenshot({ path: options.screenshot });
      }
      if (signal === 'done') finished();
    });
    const query = configToQuery({
      gateway: options.gatewayUrl,
      token: BENCH_TOKEN,
      accessionNumber: series.accessionNumber,
      studyInstanceUID: series.studyInstanceUID,
      seriesInstanceUID: series.seriesInstanceUID,
      instanceCount: series.instanceCount,
      transferSyntaxUID: series.transferSyntaxUID,
      priorStudyInstanceUID: options.priorStudyInstanceUID ?? '',
      mode,
      streamSteps: options.streamSteps,
      streamMs: options.streamMs,
      cachedSteps: options.cachedSteps,
    });
    const background = await settle(200); // the last sample's teardown and this browser's start-up are over
    let bytesMoved: number | undefined;
    if (mode === 'phone') {
      await page.setViewportSize({ width: PHONE.width, height: PHONE.height });
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: PHONE.latencyMs,
        downloadThroughput: PHONE.downBitsPerSecond / 8,
        uploadThroughput: PHONE.upBitsPerSecond / 8,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpuSlowdown });
      // Every request of the context, the workers' too (the series stream, the decoders' WASM).
      bytesMoved = 0;
      context.on('requestfinished', (request) => {
        void request.sizes().then(
          (sizes) => (bytesMoved! += sizes.responseBodySize + sizes.responseHeadersSize),
          () => undefined,
        );
      });
    }
    pages.served.length = 0;
    snapshots.navigation = { ...(await cpuSnapshot(tree)), epoch: Date.now() };
    const firstSpan = PROFILE_SPANS[process.env.FILMLESS_BENCH_PROFILE_SPAN ?? 'p2'];
    if (process.env.FILMLESS_BENCH_PROFILE && firstSpan?.from === 'navigation' && firstSpan.mode === mode) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await page.goto(`${pages.origin}/${pageName}.html?${query}`, { waitUntil: 'commit' });
    const timeout = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          // Say how far the page got: its milestones and the frames it had.
          void page
            .evaluate(() => window.__bench)
            .catch(() => undefined)
            .then((partial) => {
              const where = partial
                ? ` (${partial.loaded} of ${partial.total} frames; steps ${Object.entries(partial.steps).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')})`
                : '';
              reject(new Error(`${pageName}/${series.name}/${mode}: no result in ${timeout / 1000} s${where}`));
            });
        }, timeout);
      }),
    ]).finally(() => clearTimeout(timer));
    const result = (await page.evaluate(() => window.__bench)) as PageResult;
    const between = (from: keyof typeof snapshots, to: keyof typeof snapshots) => {
      const a = snapshots[from];
      const b = snapshots[to];
      return a && b ? cpuWindow(a, b) : undefined;
    };
    const cpu = {
      load: between('navigation', 'series-ready'),
      series: between('first-image', 'series-ready'),
      cachedScroll: between('cached-scroll-start', 'cached-scroll-end'),
    };
    let signalLagMs = 0;
    for (const [signal, snapshot] of Object.entries(snapshots)) {
      const sent = result.steps[signal];
      if (sent !== undefined) signalLagMs = Math.max(signalLagMs, snapshot.epoch - (result.timeOrigin + sent));
    }
    return {
      page: pageName,
      series: series.name,
      mode,
      sample: options.sample,
      result,
      cpu,
      rss: snapshots['series-ready']?.rss,
      heap,
      served: [...pages.served],
      network,
      background,
      signalLagMs,
      bytesMoved,
    };
  } finally {
    await browser.close();
  }
}
