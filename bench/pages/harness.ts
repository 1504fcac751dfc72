/**
 * The measuring side of every bench page, identical for the three viewers: reads the configuration,
 * asks the viewer for its first image, marks when that image is on screen, waits for the whole series,
 * and drives the scroll runs one step per animation frame. Results go to `window.__bench`; each
 * milestone is also announced to the runner, which samples CPU time and heap when it hears it.
 */
import { configFromQuery, type PageConfig, type PageName, type PageResult, type ScrollResult, type Signal } from './protocol.js';

/** What each bench page implements around its viewer. */
export interface BenchViewer {
  /** Starts loading; resolves once the first (middle) image's pixels are drawn. */
  firstImage(config: PageConfig): Promise<void>;
  /** Resolves once every frame of the series is decoded and drawable. */
  seriesReady(): Promise<void>;
  /** Moves one slice (+1 or -1). */
  step(delta: 1 | -1): void;
  /** Index of the first image and the number of slices. */
  start(): number;
  count(): number;
  /** Frames decoded and drawable so far. */
  loaded(): number;
  /** Slice changes drawn so far (a render showing another slice than the one before). */
  renders(): number;
  /** The element the image is drawn in (for its size). */
  element(): Element | undefined;
  /** Resolves when the tools work (filmless: `filmless-ready`); pages without tools have none. */
  interactive?(): Promise<void>;
  /** Opens a prior beside the study; resolves with its first image and its tools working (filmless). */
  compare?(priorStudyInstanceUID: string): { firstImage: Promise<void>; ready: Promise<void> };
}

/** How long phone and compare samples wait for the tools / the prior, ms. */
const PHONE_WAIT_MS = 45_000;
const COMPARE_WAIT_MS = 20_000;

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms))]);

/** Long tasks of the main thread from navigation on (buffered: those before this module ran too). */
const longTasks: Array<[number, number]> = [];
try {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: 'longtask', buffered: true });
} catch {
  // no Long Tasks API: the metric stays empty
}

/** performance.now() inside the next animation frame callback: work drawn before it is in that frame. */
const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())));

/** The page's own milestones for the timeline, in ms since navigation start. */
export function markStep(name: string): void {
  const result = window.__bench;
  if (result && result.steps[name] === undefined) result.steps[name] = performance.now();
  performance.mark(name);
}

async function signal(name: Signal): Promise<void> {
  markStep(name);
  await window.__benchSignal?.(name);
}

/** Steps one slice per animation frame (bouncing at the ends) until `steps` or until `stop()` says so. */
async function scroll(viewer: BenchViewer, steps: number, stop: () => boolean = () => false): Promise<ScrollResult> {
  const frames: number[] = [];
  const count = viewer.count();
  const rendersBefore = viewer.renders();
  const loadedAtStart = viewer.loaded();
  let index = viewer.start();
  let direction: 1 | -1 = 1;
  let done = 0;
  await new Promise<void>((resolve) => {
    const tick = (time: number) => {
      frames.push(time);
      if (done === steps || stop()) return resolve();
      if (index + direction < 0 || index + direction >= count) direction = direction === 1 ? -1 : 1;
      index += direction;
      viewer.step(direction);
      done += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return { steps: done, frames, renders: viewer.renders() - rendersBefore, loadedAtStart, loadedAtEnd: viewer.loaded() };
}

export async function runBenchPage(page: PageName, viewer: BenchViewer): Promise<void> {
  const config = configFromQuery(location.search);
  const result: PageResult = { page, mode: config.mode, timeOrigin: performance.timeOrigin, loaded: 0, total: 0, steps: {}, resources: [], longTasks, done: false };
  window.__bench = result;
  performance.setResourceTimingBufferSize(5000);
  try {
    await viewer.firstImage(config);
    result.firstImageDrawn = performance.now();
    // The first animation frame after the draw: the image is in the frame being produced.
    result.firstImage = await nextFrame();
    void signal('first-image');
    const box = viewer.element()?.getBoundingClientRect();
    if (box) result.viewport = { width: Math.round(box.width), height: Math.round(box.height) };
    let complete = false;
    const ready = viewer.seriesReady().then(() => {
      result.seriesReady = performance.now();
      result.loaded = viewer.loaded();
      complete = true;
    });
    if (config.mode === 'phone') {
      // P10: the first image, then the tools working; the series is not waited for (minutes on this link).
      if (viewer.interactive) await within(viewer.interactive(), PHONE_WAIT_MS, 'tools working');
      markStep('interactive');
      ready.catch(() => undefined);
    } else if (config.mode === 'compare') {
      await ready;
      if (viewer.interactive) await viewer.interactive();
      await signal('series-ready');
      // The user looks at the study a moment, then presses Compare.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (!viewer.compare) throw new Error('this page cannot compare');
      markStep('compare');
      const prior = viewer.compare(config.priorStudyInstanceUID);
      await within(prior.firstImage, COMPARE_WAIT_MS, 'prior first image');
      markStep('prior-first-image');
      await within(prior.ready, COMPARE_WAIT_MS, 'prior ready');
      markStep('prior-ready');
    } else if (config.mode === 'scroll') {
      const until = performance.now() + config.streamMs;
      result.streamScroll = await scroll(viewer, config.streamSteps, () => complete || performance.now() >= until);
      await signal('stream-scroll-end');
      ready.catch(() => undefined); // the series may still be arriving: this run measures the scroll only
    } else {
      await ready;
      if (viewer.interactive) await within(viewer.interactive(), COMPARE_WAIT_MS, 'tools working');
      await signal('series-ready'); // the runner measures the heap before answering
      if (config.cachedSteps > 0) {
        await signal('cached-scroll-start');
        result.cachedScroll = await scroll(viewer, config.cachedSteps);
        await signal('cached-scroll-end');
      }
    }
  } catch (error) {
    result.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } finally {
    result.loaded = viewer.loaded();
    result.total = viewer.count();
    result.resources = performance.getEntriesByType('resource').map((entry) => {
      const timing = entry as PerformanceResourceTiming;
      return { url: timing.name, type: timing.initiatorType, start: timing.startTime, end: timing.responseEnd };
    });
    result.done = true;
    void signal('done');
  }
}
