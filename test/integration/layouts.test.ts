// The viewport grid: several series at once, each viewport with its own pixels, its own load and its own
// abort; drag and drop, maximise and restore; several viewers sharing the page's one rendering engine.
import { expect } from 'chai';
import { getRenderingEngines } from '@cornerstonejs/core';
import type { FilmlessFirstImageDetail, FilmlessReadyDetail, FilmlessResolvedDetail } from '../../src/index.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { SeriesFacts } from '../support/test-data.js';
import { cleanup, gatewayRequests, mountViewer, nextEvent, pacsInfo, readyOrError, storedPixel, until } from '../support/browser.js';

/** Resolves when every one of `count` viewports has fired filmless-ready (any order). */
function allReady(viewer: FilmlessViewer, count: number): Promise<FilmlessReadyDetail[]> {
  return new Promise((resolve, reject) => {
    const details: FilmlessReadyDetail[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${details.length} of ${count} viewports became ready`)), 90_000);
    viewer.addEventListener('filmless-ready', (event) => {
      details[event.detail.viewportIndex] = event.detail;
      if (details.filter(Boolean).length === count) {
        clearTimeout(timer);
        resolve(details);
      }
    });
    viewer.addEventListener('filmless-error', (event) => reject(new Error(JSON.stringify(event.detail))), { once: true });
  });
}

function cells(viewer: FilmlessViewer): HTMLElement[] {
  return [...viewer.shadowRoot!.querySelectorAll<HTMLElement>('.cell')];
}

/** The facts of the file series a viewport shows: same modality, image count and description. */
async function factsOf(series: { modality: string; description: string; imageCount: number }): Promise<SeriesFacts> {
  const { data } = await pacsInfo();
  const all = [...data.ct.series, ...data.mr.series];
  const found = all.find((s) => s.modality === series.modality && s.count === series.imageCount && s.description === series.description);
  if (!found) throw new Error(`no file series like ${JSON.stringify(series)}`);
  return found;
}

describe('the viewport grid', () => {
  afterEach(cleanup);

  it('shows four series at once in 2×2, each viewport probing its own file', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.fourSeries, layout: '2x2' }, 'width: 900px; height: 700px');
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    expect(resolved.detail.series).to.have.length(4);
    await allReady(viewer, 4);
    const state = viewer.getViewState();
    expect(state.layout).to.equal('2x2');
    expect(new Set(state.viewports.map((v) => v.seriesInstanceUID)).size, 'four different series').to.equal(4);
    for (let index = 0; index < 4; index++) {
      // Press the viewport, as a reader does, to make it the active one.
      cells(viewer)[index]!.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
      await until(() => viewer.getViewState().activeViewport === index, `viewport ${index} active`);
      expect(cells(viewer)[index]!.classList.contains('active'), 'the active viewport is outlined').to.equal(true);
      const shown = viewer.getViewState().viewports[index]!;
      const summary = resolved.detail.series.find((s) => s.seriesInstanceUID === shown.seriesInstanceUID)!;
      const facts = await factsOf(summary);
      expect(shown.imageIndex).to.equal(facts.middleIndex);
      for (const [column, row] of [[facts.columns >> 1, facts.rows >> 1], [facts.columns >> 2, facts.rows >> 1], [facts.columns >> 1, facts.rows >> 2]] as const) {
        const expected = await storedPixel(facts.middleFile, column, row);
        expect(viewer.probe(column, row), `viewport ${index} (${summary.modality} ${summary.description}) at ${column},${row}`).to.equal(expected.modalityValue);
      }
    }
  });

  it('puts a series dropped from the series list into the viewport it is dropped on', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.fourSeries, layout: '1x2' }, 'width: 900px; height: 600px');
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    await allReady(viewer, 2);
    const shown = new Set(viewer.getViewState().viewports.map((v) => v.seriesInstanceUID));
    const other = resolved.detail.series.find((s) => !shown.has(s.seriesInstanceUID))!;
    // The drag a user makes: the thumbnail's drag data, dropped on viewport 1.
    const transfer = new DataTransfer();
    const thumbnail = [...viewer.shadowRoot!.querySelectorAll<HTMLElement>('[part="series-list"] [draggable="true"]')].find((t) => t.dataset.series === other.seriesInstanceUID)!;
    expect(thumbnail, 'the series list offers the series for dragging').to.not.equal(undefined);
    thumbnail.dispatchEvent(new DragEvent('dragstart', { bubbles: true, composed: true, dataTransfer: transfer }));
    const target = cells(viewer)[1]!;
    target.dispatchEvent(new DragEvent('dragover', { bubbles: true, composed: true, cancelable: true, dataTransfer: transfer }));
    target.dispatchEvent(new DragEvent('drop', { bubbles: true, composed: true, cancelable: true, dataTransfer: transfer }));
    const ready = await nextEvent<FilmlessReadyDetail>(viewer, 'filmless-ready');
    expect(ready.detail).to.include({ seriesInstanceUID: other.seriesInstanceUID, viewportIndex: 1 });
    expect(viewer.getViewState().viewports.map((v) => v.seriesInstanceUID)[1]).to.equal(other.seriesInstanceUID);
  });

  it('maximises a viewport on double-click and restores the grid on the next', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.fourSeries, layout: '2x2' }, 'width: 800px; height: 600px');
    await allReady(viewer, 4);
    const grid = viewer.shadowRoot!.querySelector('.grid')!.getBoundingClientRect();
    const before = cells(viewer)[2]!.getBoundingClientRect();
    expect(before.width).to.be.lessThan(grid.width * 0.6);
    cells(viewer)[2]!.dispatchEvent(new MouseEvent('dblclick', { bubbles: true, composed: true }));
    await viewer.updateComplete;
    const big = cells(viewer)[2]!.getBoundingClientRect();
    expect(big.width, 'the viewport fills the grid').to.be.closeTo(grid.width, 2);
    expect(big.height).to.be.closeTo(grid.height, 2);
    expect(cells(viewer).filter((cell) => cell.getBoundingClientRect().width > 0), 'the others are hidden').to.have.length(1);
    expect(viewer.getViewState().activeViewport).to.equal(2);
    cells(viewer)[2]!.dispatchEvent(new MouseEvent('dblclick', { bubbles: true, composed: true }));
    await viewer.updateComplete;
    const after = cells(viewer)[2]!.getBoundingClientRect();
    expect(after.width).to.be.closeTo(before.width, 2);
    expect(cells(viewer).filter((cell) => cell.getBoundingClientRect().width > 0)).to.have.length(4);
  });

  it('aborts only the requests of the viewport whose series is switched', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.fourSeries, layout: '1x2' }, 'width: 900px; height: 600px');
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    const study = resolved.detail.studyInstanceUID;
    const [largest, second] = [...resolved.detail.series].sort((a, b) => b.imageCount - a.imageCount);
    const smallest = [...resolved.detail.series].sort((a, b) => a.imageCount - b.imageCount)[0]!;
    await allReady(viewer, 2);
    // Viewport 0 streams the largest series again from the start; viewport 1 starts the second largest,
    // and is switched to another series as soon as its first image is on screen.
    const firstImages: FilmlessFirstImageDetail[] = [];
    viewer.addEventListener('filmless-first-image', (event) => firstImages.push(event.detail));
    const switchedAt = new Date();
    const otherDone = allReady(viewer, 1);
    viewer.showSeries(0, largest!.seriesInstanceUID);
    await otherDone;
    // Switched from within the first image's event, not after polling for it: a small series can stream
    // whole within a polling interval, and a stream that had finished before the switch aborts nothing.
    const switched = new Promise<void>((resolve) => {
      const onFirstImage = (event: Event) => {
        const detail = (event as CustomEvent<FilmlessFirstImageDetail>).detail;
        if (detail.viewportIndex !== 1 || detail.seriesInstanceUID !== second!.seriesInstanceUID) return;
        viewer.removeEventListener('filmless-first-image', onFirstImage);
        viewer.showSeries(1, smallest.seriesInstanceUID);
        resolve();
      };
      viewer.addEventListener('filmless-first-image', onFirstImage);
    });
    // Viewport 1 may have shown (and streamed) that series before: only the load started now is abandoned.
    const secondAskedAt = new Date();
    viewer.showSeries(1, second!.seriesInstanceUID);
    await Promise.race([switched, new Promise((_, reject) => setTimeout(() => reject(new Error('viewport 1 showed no first image of the second series in 60 s')), 60_000))]);
    expect(firstImages.some((d) => d.viewportIndex === 1 && d.seriesInstanceUID === second!.seriesInstanceUID)).to.equal(true);
    await until(() => viewer.getViewState().viewports[1]!.seriesInstanceUID === smallest.seriesInstanceUID && viewer.status === 'ready', 'viewport 1 switched', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    await until(() => viewer.getViewState().viewports[0]!.imageCount > 0, 'viewport 0 loaded');
    const log = (await gatewayRequests()).filter((r) => new Date(r.time) >= switchedAt);
    const ofSeries = (uid: string) => log.filter((r) => r.url.includes(`/studies/${study}/series/${uid}`));
    // Nothing of the abandoned series was completed or asked for after the switch to the smallest one.
    const seriesRetrievals = ofSeries(second!.seriesInstanceUID).filter(
      (r) => new URL(r.url, 'http://x').pathname.endsWith(second!.seriesInstanceUID) && new Date(r.time) >= secondAskedAt,
    );
    expect(seriesRetrievals.filter((r) => r.status === 200), 'the switched viewport finished no series stream').to.have.length(0);
    // The other viewport lost nothing: none of its requests was aborted, and it is still showing its series.
    expect(ofSeries(largest!.seriesInstanceUID).filter((r) => r.status === 499), 'the other viewport was not aborted').to.have.length(0);
    expect(viewer.getViewState().viewports[0]!.seriesInstanceUID).to.equal(largest!.seriesInstanceUID);
    const aborted = log.filter((r) => r.status === 499 && r.url.includes(study));
    expect(aborted.every((r) => r.url.includes(second!.seriesInstanceUID)), `aborted: ${aborted.map((r) => r.url).join(', ')}`).to.equal(true);
  });

  it('runs two viewers of 1×2 on one page on one rendering engine, and removing one leaves none of its viewports', async () => {
    const pacs = await pacsInfo();
    const a = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.fourSeries, layout: '1x2' }, 'width: 600px; height: 400px');
    const b = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.mr, layout: '1x2' }, 'width: 600px; height: 400px');
    await Promise.all([allReady(a, 2), allReady(b, 2)]);
    const engines = getRenderingEngines() ?? [];
    expect(engines, 'one rendering engine for the page').to.have.length(1);
    const viewportsOf = (viewer: FilmlessViewer) => {
      const elements = [...viewer.shadowRoot!.querySelectorAll('.viewport')];
      return engines[0]!.getViewports().filter((v) => elements.includes(v.element));
    };
    expect(viewportsOf(a)).to.have.length(2);
    expect(viewportsOf(b)).to.have.length(2);
    const kept = engines[0]!.getViewports().length;
    a.remove();
    await until(() => engines[0]!.getViewports().length === kept - 2, "the removed viewer's viewports to leave the engine");
    expect(viewportsOf(a)).to.have.length(0);
    expect(viewportsOf(b)).to.have.length(2);
    b.scrollImages(1);
    await until(() => b.getViewState().imageIndex === pacs.data.mr.main.middleIndex + 1, 'the remaining viewer still scrolls');
    expect((await readyOrError(mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.mrTools }))).type).to.equal('filmless-ready');
  });
});
