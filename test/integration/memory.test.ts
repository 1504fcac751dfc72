/**
 * Bounded memory and clean lifecycles: a viewer removed at any step of its load leaves nothing on the
 * page's shared rendering engine, many connect/disconnect cycles and study switches keep the heap where
 * it was, and eight viewers on one page all draw and give their memory back.
 *
 * Observed as a host can: `FilmlessViewer.memoryUsage()` (viewports, tool groups, cache), the page's heap
 * after garbage collection and its workers through the DevTools protocol (the `heap` server command), and
 * WebGL contexts counted as the page asks for them (the canvas's getContext, counted and passed through).
 */
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { FetchLike, FilmlessProgressDetail } from '../../src/index.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { canvasGrey, cleanup, mountViewer, nextEvent, pacsInfo, storedPixel, until, viewerCanvas } from '../support/browser.js';
import type { PacsInfo } from '../support/commands.js';
import { scriptedDicomweb } from '../support/scripted-dicomweb.js';

interface Heap {
  usedSize: number;
  backingStorageSize: number;
  workers: number;
}

/** The page's heap after garbage collection: objects and array buffers (decoded pixels live in these). */
async function heap(): Promise<Heap & { bytes: number }> {
  const measured = (await executeServerCommand('heap')) as Heap;
  return { ...measured, bytes: measured.usedSize + measured.backingStorageSize };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function usage() {
  return (customElements.get('filmless-viewer') as unknown as typeof FilmlessViewer).memoryUsage();
}

// WebGL contexts the page asks for, each counted once (the context itself is returned untouched).
const contexts = new WeakSet<object>();
let webglContexts = 0;
for (const prototype of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype] as { getContext: (...args: unknown[]) => unknown }[]) {
  const original = prototype.getContext;
  prototype.getContext = function (this: unknown, ...args: unknown[]) {
    const context = original.apply(this, args);
    if (context && typeof args[0] === 'string' && args[0].startsWith('webgl') && !contexts.has(context as object)) {
      contexts.add(context as object);
      webglContexts += 1;
    }
    return context;
  };
}

const rejections: unknown[] = [];
window.addEventListener('unhandledrejection', (event) => rejections.push(event.reason));

/** Resolves once every image of the shown series is decoded. */
function fullyLoaded(viewer: FilmlessViewer): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the series did not finish loading')), 60_000);
    const check = (event: Event) => {
      const { loaded, total } = (event as CustomEvent<FilmlessProgressDetail>).detail;
      if (total > 0 && loaded === total) {
        clearTimeout(timer);
        viewer.removeEventListener('filmless-progress', check);
        resolve();
      }
    };
    viewer.addEventListener('filmless-progress', check);
  });
}

/** A scripted DICOMweb source whose every answer comes a moment later, telling each request as it is made. */
function delayedSource(onRequest: (count: number) => void): FetchLike {
  const inner = scriptedDicomweb({ studies: [{ uid: '1.2.826.0.1.3680043.8.498.7001', images: 6 }] });
  let count = 0;
  return async (url, init) => {
    count += 1;
    onRequest(count);
    await new Promise((resolve) => setTimeout(resolve, 15));
    init.signal?.throwIfAborted();
    return inner(url, init);
  };
}

const SCRIPTED = { dicomwebUrl: 'https://scripted.example/dicom-web', studyUid: '1.2.826.0.1.3680043.8.498.7001' };

describe('memory and lifecycles', function () {
  this.timeout(120_000);
  let pacs: PacsInfo;

  before(async () => {
    pacs = await pacsInfo();
  });
  afterEach(cleanup);

  // First in this file: only the page's first load waits for the imaging code and the shared engine.
  it('a viewer removed while its first viewport is being made leaves nothing on the engine', async () => {
    const viewer = mountViewer({ ...SCRIPTED, fetch: scriptedDicomweb({ studies: [{ uid: SCRIPTED.studyUid, images: 6 }], holdMetadata: true }) });
    // The lean first image is drawn; Cornerstone starts loading after the next paint, the metadata held back.
    await nextEvent(viewer, 'filmless-first-image');
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 20)));
    viewer.remove();
    const control = mountViewer({ ...SCRIPTED, fetch: scriptedDicomweb({ studies: [{ uid: SCRIPTED.studyUid, images: 6 }] }) });
    await nextEvent(control, 'filmless-ready');
    expect(usage().viewports, 'the control viewer only').to.equal(1);
    expect(usage().toolGroups, 'the control viewer only').to.equal(1);
    control.remove();
    expect(usage()).to.include({ viewports: 0, toolGroups: 0 });
    expect(rejections.map(String)).to.deep.equal([]);
  });

  it('a viewer removed at any request or event of its load leaves no viewport, tool group or unhandled rejection', async () => {
    // A full load first: how many requests it makes.
    let requests = 0;
    const full = mountViewer({ ...SCRIPTED, fetch: delayedSource((count) => (requests = count)) });
    await fullyLoaded(full);
    full.remove();
    expect(requests).to.be.greaterThan(3);
    const points: ({ request: number } | { event: string })[] = [
      ...Array.from({ length: requests }, (_, i) => ({ request: i + 1 })),
      ...['filmless-resolved', 'filmless-first-image', 'filmless-series-checked', 'filmless-progress', 'filmless-ready'].map((event) => ({ event })),
    ];
    for (const point of points) {
      let viewer: FilmlessViewer | undefined = undefined;
      const removeSoon = () => setTimeout(() => viewer?.remove(), 0);
      viewer = mountViewer({ ...SCRIPTED, fetch: delayedSource((count) => 'request' in point && count === point.request && removeSoon()) });
      if ('event' in point) viewer.addEventListener(point.event, () => viewer?.remove(), { once: true });
      await until(() => !viewer!.isConnected, `removal at ${JSON.stringify(point)}`);
      // A viewer loaded in full after it: whatever the removed one still had in flight has run its course.
      const control = mountViewer({ ...SCRIPTED, fetch: scriptedDicomweb({ studies: [{ uid: SCRIPTED.studyUid, images: 6 }] }) });
      await nextEvent(control, 'filmless-ready');
      expect(usage(), `removed at ${JSON.stringify(point)}: the control viewer's only`).to.include({ viewports: 1, toolGroups: 1 });
      control.remove();
    }
    expect(usage()).to.include({ viewports: 0, toolGroups: 0, metadataEntries: 0 });
    expect(rejections.map(String)).to.deep.equal([]);
  });

  it('30 study switches in one viewer keep the heap within 5 %, evicting each study left', async () => {
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.memoryCt });
    const studies = [pacs.accessions.memoryCt!, pacs.accessions.memoryMr!];
    await fullyLoaded(viewer);
    const ctImages = usage().cachedImages;
    expect(ctImages, 'the CT decoded in the cache').to.equal(pacs.data.ct.main.count);
    viewer.accessionNumber = studies[1]!;
    await fullyLoaded(viewer);
    const mrImages = pacs.data.mr.main.count;
    expect(usage().cachedImages, 'only the MR: the CT was evicted').to.equal(mrImages);
    const before = await heap();
    const contextsBefore = webglContexts;
    for (let i = 1; i <= 30; i++) {
      viewer.accessionNumber = studies[(i + 1) % 2]!;
      // Each switch leaves once the study's first image is on screen, while the rest still loads (and is
      // decoded into the cache); the last, back on the MR like the baseline, loads in full.
      if (i < 30) await nextEvent(viewer, 'filmless-first-image');
      else await fullyLoaded(viewer);
    }
    const after = await heap();
    console.log(`study switches: heap ${mb(before.bytes)} MB before, ${mb(after.bytes)} MB after 30 (${mb(before.usedSize)} + ${mb(before.backingStorageSize)} to ${mb(after.usedSize)} + ${mb(after.backingStorageSize)} MB objects + buffers)`);
    expect(after.bytes, 'heap after 30 switches').to.be.below(before.bytes * 1.05);
    expect(usage()).to.include({ viewports: 1, toolGroups: 1, cachedImages: mrImages, metadataEntries: mrImages });
    expect(webglContexts, 'no new WebGL context').to.equal(contextsBefore);
    expect(after.workers, 'no leftover worker').to.be.at.most(before.workers);
    viewer.remove();
    expect(usage()).to.include({ viewports: 0, toolGroups: 0, cachedImages: 0, metadataEntries: 0, cachedBytes: 0 });
    expect(rejections.map(String)).to.deep.equal([]);
  });

  it("an MPR volume leaves the cache with its study", async () => {
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.memoryMr }, 'width: 700px; height: 600px');
    await nextEvent(viewer, 'filmless-ready');
    viewer.mpr = true;
    await until(() => viewer.probeMpr() !== undefined, 'the MPR volume answers', 60_000);
    expect(usage().cachedVolumes).to.equal(1);
    viewer.accessionNumber = pacs.accessions.memoryCt!;
    await nextEvent(viewer, 'filmless-ready');
    expect(viewer.getViewState().mpr, 'MPR closed with its series').to.equal(undefined);
    expect(usage()).to.include({ cachedVolumes: 0, viewports: 1, toolGroups: 1 });
    expect(usage().metadataEntries, "the CT's frames only").to.equal(pacs.data.ct.main.count);
    viewer.remove();
    expect(usage()).to.include({ viewports: 0, toolGroups: 0, cachedImages: 0, cachedVolumes: 0 });
    expect(rejections.map(String)).to.deep.equal([]);
  });

  it('100 connect/disconnect cycles keep the heap within 5 % and leave no viewport, tool group, worker or WebGL context', async () => {
    const open = { dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.memoryMr };
    // Removed once in ten cycles with the series on screen, else while it loads: at its first image, once
    // the study is known, or at once.
    const stops = ['filmless-ready', ...Array.from({ length: 3 }, () => ['filmless-first-image', 'filmless-resolved', '']).flat()];
    let reused: FilmlessViewer | undefined;
    /** One cycle: a new viewer, or the last one put back (it loads again), removed at one of the stops. */
    const cycle = async (i: number) => {
      const viewer = i % 2 === 1 && reused ? (document.body.append(reused), reused) : mountViewer(open);
      reused = viewer;
      const stop = stops[i % stops.length]!;
      if (stop) await nextEvent(viewer, stop);
      else await new Promise((resolve) => requestAnimationFrame(resolve));
      viewer.remove();
    };
    for (let i = 0; i < 10; i++) await cycle(i);
    const before = await heap();
    const contextsBefore = webglContexts;
    for (let i = 10; i < 110; i++) await cycle(i);
    // The last cycles' loads, aborted, have settled once another viewer has loaded in full and gone.
    const settle = mountViewer(open);
    await nextEvent(settle, 'filmless-ready');
    settle.remove();
    reused = undefined;
    const after = await heap();
    console.log(`connect/disconnect: heap ${mb(before.bytes)} MB before, ${mb(after.bytes)} MB after 100 cycles; workers ${before.workers} to ${after.workers}`);
    expect(after.bytes, 'heap after 100 cycles').to.be.below(before.bytes * 1.05);
    expect(usage()).to.include({ viewports: 0, toolGroups: 0, cachedImages: 0, metadataEntries: 0 });
    expect(webglContexts, 'no new WebGL context').to.equal(contextsBefore);
    expect(after.workers, 'no leftover worker').to.be.at.most(before.workers);
    expect(rejections.map(String)).to.deep.equal([]);
  });

  it('eight viewers on one page all show their images, then give their memory back', async () => {
    const before = await heap();
    // Six MRs and two CTs (the CT's images are four times as large: loading eight of them costs CI time, not coverage).
    const viewers = Array.from({ length: 8 }, (_, i) =>
      mountViewer(
        { dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: i % 4 === 0 ? pacs.accessions.memoryCt : pacs.accessions.memoryMr },
        'width: 300px; height: 240px; display: inline-block',
      ),
    );
    await Promise.all(viewers.map((viewer) => nextEvent(viewer, 'filmless-ready', 90_000)));
    for (const [i, viewer] of viewers.entries()) {
      const canvas = viewerCanvas(viewer);
      expect(canvasGrey(canvas, canvas.width / 2, canvas.height / 2, 30), `viewer ${i + 1} draws its image`).to.be.greaterThan(5);
    }
    expect(usage()).to.include({ viewports: 8, toolGroups: 8 });
    const during = await heap();
    for (const viewer of viewers) viewer.remove();
    viewers.length = 0; // the test's own references would keep the elements (and their studies) alive
    const after = await heap();
    console.log(`eight viewers: heap ${mb(before.bytes)} MB before, ${mb(during.bytes)} MB with eight, ${mb(after.bytes)} MB after (${mb(before.usedSize)} + ${mb(before.backingStorageSize)} to ${mb(after.usedSize)} + ${mb(after.backingStorageSize)} MB objects + buffers)`);
    expect(usage()).to.include({ viewports: 0, toolGroups: 0, cachedImages: 0, metadataEntries: 0 });
    expect(after.bytes, 'heap after the eight viewers left').to.be.below(before.bytes * 1.05);
    expect(rejections.map(String)).to.deep.equal([]);
  });
  it("counts a viewer's cache-size in the page budget only while it is on the page", async () => {
    const MB = 1024 * 1024;
    const fallback = usage().cacheBudgetBytes;
    const big = mountViewer({ cacheSize: 2000 });
    const small = mountViewer({ cacheSize: 40 });
    await Promise.all([big.updateComplete, small.updateComplete]);
    expect(usage().cacheBudgetBytes, 'the largest').to.equal(2000 * MB);
    big.remove();
    expect(usage().cacheBudgetBytes, 'the one left').to.equal(40 * MB);
    big.cacheSize = 3000;
    await big.updateComplete;
    expect(usage().cacheBudgetBytes, 'a viewer off the page does not count').to.equal(40 * MB);
    document.body.append(big);
    await big.updateComplete;
    expect(usage().cacheBudgetBytes, 'back on the page, with its new size').to.equal(3000 * MB);
    big.remove();
    small.remove();
    expect(usage().cacheBudgetBytes, 'no viewer: the default').to.equal(fallback);
  });

  it('keeps the cache within cache-size, and shows a slice dropped from it again when scrolled back to', async () => {
    const ct = pacs.data.ct.main;
    const viewer = document.createElement('filmless-viewer');
    viewer.setAttribute('cache-size', '32');
    viewer.setAttribute('style', 'display: block; width: 400px; height: 400px');
    Object.assign(viewer, { dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.memoryCt });
    document.body.append(viewer);
    expect(usage().cacheBudgetBytes, 'the attribute is the page budget').to.equal(32 * 1024 * 1024);
    await fullyLoaded(viewer);
    const held = usage();
    console.log(`cache-size 32: ${held.cachedImages} of ${ct.count} images cached, ${mb(held.cachedBytes)} MB`);
    expect(held.cachedBytes).to.be.at.most(32 * 1024 * 1024);
    expect(held.cachedImages, 'some slices were dropped').to.be.below(ct.count);
    // Decoded nearest first, the slice next to the middle was among the first in, so the first out.
    const next = ct.files[ct.middleIndex + 1]!;
    const middle = ct.files[ct.middleIndex]!;
    let pixel: [number, number] | undefined;
    let truth = 0;
    for (let k = 1; k < 8 && !pixel; k++) {
      const at: [number, number] = [Math.round((ct.columns * k) / 8), Math.round((ct.rows * k) / 8)];
      const [a, b] = await Promise.all([storedPixel(next, ...at), storedPixel(middle, ...at)]);
      if (a.modalityValue !== b.modalityValue) [pixel, truth] = [at, a.modalityValue];
    }
    expect(pixel, 'a pixel where the two slices differ').to.not.equal(undefined);
    viewer.scrollImages(1);
    await until(() => viewer.getViewState().imageIndex === ct.middleIndex + 1 && viewer.probe(...pixel!) === truth, 'the next slice with its own values');
    expect(usage().cachedBytes).to.be.at.most(32 * 1024 * 1024);
    viewer.remove();
    expect(usage()).to.include({ viewports: 0, cachedImages: 0 });
    expect(rejections.map(String)).to.deep.equal([]);
  });
});
