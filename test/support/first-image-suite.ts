// The lean first-image path: the middle slice is drawn before Cornerstone is loaded, at full quality, and
// Cornerstone then takes over showing the same pixels. Each data set's suite runs in a test file, and so
// a page, of its own (first-image*.test.ts), so that nothing loaded Cornerstone before its first test.
import { expect } from 'chai';
import type { FilmlessFirstImageDetail, FilmlessReadyDetail } from '../../src/index.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { type Dataset, canvasGrey, cleanup, describeOn, gatewayRequests, imageToCanvas, mountViewer, nextEvent, pacsInfo, readyOrError, storedPixel, viewerCanvas } from './browser.js';

/** Script modules of Cornerstone the page has requested so far. */
function cornerstoneRequests(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((entry) => entry.name)
    .filter((name) => /@cornerstonejs|imaging-module|stack-controller|frame-loader/.test(name));
}

function leanCanvas(viewer: FilmlessViewer): HTMLCanvasElement {
  return viewer.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.first-image')!;
}

/** Grey values of a canvas on a grid of points inside the image (fitted, centred). */
function greyGrid(canvas: HTMLCanvasElement, columns: number, rows: number): number[] {
  const values: number[] = [];
  for (let row = 32; row < rows; row += 48) {
    for (let column = 32; column < columns; column += 48) values.push(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, column, row), 1));
  }
  return values;
}

/**
 * How far two grids of grey values differ: the mean and the worst absolute difference. Sharp edges under
 * a narrow window (bone under 40/80) span the full grey range within one stored pixel, so sub-pixel
 * differences in interpolation between two renderers show there; the mean stays small.
 */
function difference(a: number[], b: number[]): { mean: number; worst: number } {
  const gaps = a.map((value, i) => Math.abs(value - b[i]!));
  return { mean: gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length, worst: Math.max(...gaps) };
}

/** Waits for the first image and copies the lean canvas at that very moment (it is released at hand-over). */
function captureFirstImage(viewer: FilmlessViewer): Promise<{ detail: FilmlessFirstImageDetail; status: string; copy: HTMLCanvasElement; cornerstone: string[] }> {
  return new Promise((resolve, reject) => {
    viewer.addEventListener('filmless-error', (event) => reject(new Error(JSON.stringify((event as CustomEvent).detail))), { once: true });
    viewer.addEventListener(
      'filmless-first-image',
      (event) => {
        const source = leanCanvas(viewer);
        const copy = document.createElement('canvas');
        copy.width = source.width;
        copy.height = source.height;
        copy.getContext('2d')!.drawImage(source, 0, 0);
        resolve({ detail: event.detail, status: viewer.status, copy, cornerstone: cornerstoneRequests() });
      },
      { once: true },
    );
  });
}

export function firstImageSuite(dataset: Dataset): void {
  describeOn(dataset, 'the first image, drawn before the image viewer library is loaded', (use) => {
    afterEach(cleanup);

    it('shows the CT middle slice with the file\'s window before any Cornerstone module is requested, then hands over to the same pixels', async () => {
      const pacs = await pacsInfo();
      const { ct, accessions } = use();
      const { columns, rows, count, middleIndex, windowCenter: center, windowWidth: width } = ct.main;
      expect(cornerstoneRequests(), 'nothing loaded Cornerstone before this test').to.deep.equal([]);
      const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: accessions.firstImage });
      const ready = nextEvent<FilmlessReadyDetail>(viewer, 'filmless-ready');
      const first = await captureFirstImage(viewer);
      expect(first.detail).to.include({ imageIndex: middleIndex, imageCount: count });
      expect(first.status, 'tools are not ready yet').to.equal('loading');
      expect(first.cornerstone, 'Cornerstone requested before the first image').to.deep.equal([]);
      console.log(`CT, lean first image: ${first.detail.timeToFirstImageMs} ms`);

      // The pixels are the file's, through its own window: bone white, air black, brain in between.
      const file = ct.main.middleFile;
      const canvas = first.copy;
      const { bone, outsideAir } = ct.landmarks!;
      const points: [number, number][] = [bone, outsideAir, [columns >> 1, rows >> 1], [columns >> 2, rows >> 1], [(columns * 3) >> 3, rows >> 2], [columns >> 1, (rows * 5) >> 3]];
      // The canvas is the image scaled with interpolation: a canvas pixel is a blend (non-negative weights)
      // of its file pixel and the neighbours, so its grey lies between the greys of the lowest and highest
      // value around it in the file (noisy brain under a 40/80 window swings a lot between stored pixels).
      const grey = (value: number) => Math.min(255, Math.max(0, ((value - (center - 0.5 - (width - 1) / 2)) / (width - 1)) * 255));
      for (const [column, row] of points) {
        const around: number[] = [];
        for (const [dc, dr] of [[-1, -1], [0, -1], [1, -1], [-1, 0], [0, 0], [1, 0], [-1, 1], [0, 1], [1, 1]] as const) around.push((await storedPixel(file, column + dc, row + dr)).modalityValue);
        const shown = canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, column, row), 0);
        const [low, high] = [grey(Math.min(...around)), grey(Math.max(...around))];
        expect(shown, `grey at ${column},${row} (file ${Math.min(...around)}…${Math.max(...around)} HU around it)`).to.be.within(low - 4, high + 4);
      }
      // The overlay and the view state already say which slice this is.
      expect(viewer.getViewState()).to.include({ imageIndex: middleIndex, imageCount: count, windowCenter: center, windowWidth: width });
      await viewer.updateComplete;
      expect(viewer.shadowRoot!.querySelector('[part="overlay"]')!.textContent).to.contain(`${middleIndex + 1} / ${count}`);

      const readyEvent = await ready;
      expect(readyEvent.detail.timeToFirstImageMs).to.equal(first.detail.timeToFirstImageMs);
      expect(readyEvent.detail.timeToInteractiveMs).to.be.at.least(first.detail.timeToFirstImageMs);
      console.log(`CT: first image ${first.detail.timeToFirstImageMs} ms, tools ready ${readyEvent.detail.timeToInteractiveMs} ms`);
      expect(viewer.status).to.equal('ready');
      expect(leanCanvas(viewer).hidden, 'the lean canvas is gone after the hand-over').to.equal(true);
      expect(cornerstoneRequests().length).to.be.greaterThan(0);
      // Cornerstone shows the same image: the grids agree within a few grey levels.
      const before = greyGrid(canvas, columns, rows);
      const after = greyGrid(viewerCanvas(viewer), columns, rows);
      const { mean, worst } = difference(before, after);
      expect(mean, `lean ${before.join(',')} vs Cornerstone ${after.join(',')}`).to.be.lessThan(2);
      expect(worst).to.be.lessThan(24);

      // Every image is decoded from ONE series request (fetched and split in a worker), and nothing is
      // asked for twice: one search, the middle instance's search, metadata and frame, the series metadata.
      await new Promise<void>((resolve) => {
        const done = (event: Event) => {
          const { loaded, total } = (event as CustomEvent<{ loaded: number; total: number }>).detail;
          if (loaded === total) resolve();
        };
        viewer.addEventListener('filmless-progress', done);
        if (viewer.shadowRoot!.querySelector('[part="progress"]') === null) resolve();
      });
      const { studyInstanceUID, seriesInstanceUID } = viewer.getViewState();
      const requests = (await gatewayRequests())
        .filter((r) => r.method === 'GET' && r.url.includes(studyInstanceUID) && !r.url.includes('/rendered'))
        .map((r) => new URL(r.url, 'http://gateway').pathname.replace(/^.*?\/studies\//, '/studies/') + new URL(r.url, 'http://gateway').search);
      const series = `/studies/${studyInstanceUID}/series/${seriesInstanceUID}`;
      expect(requests.filter((r) => r === series), 'one series retrieval').to.have.length(1);
      expect(requests.filter((r) => r.includes('/frames/')), 'one frame alone: the first image').to.have.length(1);
      // The instance numbered in the middle of the count (the series' instances are numbered along the stack).
      expect(requests.filter((r) => r === `${series}/instances?InstanceNumber=${Math.floor((count - 1) / 2) + 1}`)).to.have.length(1);
      expect(requests.filter((r) => r === `${series}/metadata`)).to.have.length(1);
      expect(requests.filter((r) => /instances\/[^/]+\/metadata$/.test(r))).to.have.length(1);
    });

    it('keeps a wheel turn made on the first image and applies it once the tools are ready', async () => {
      const pacs = await pacsInfo();
      const { mr, accessions } = use();
      const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: accessions.mr });
      const ready = nextEvent<FilmlessReadyDetail>(viewer, 'filmless-ready');
      await nextEvent(viewer, 'filmless-first-image');
      expect(viewer.status, 'only the first image is on screen').to.equal('loading');
      const viewport = viewer.shadowRoot!.querySelector('[part="viewport"]')!;
      // Three notches towards the end of the series while only the first image is on screen.
      for (let i = 0; i < 3; i++) viewport.dispatchEvent(new WheelEvent('wheel', { deltaY: 100, bubbles: true, cancelable: true, composed: true }));
      await ready;
      const moved = await new Promise<number>((resolve) => {
        const check = () => (viewer.getViewState().imageIndex !== mr.main.middleIndex ? resolve(viewer.getViewState().imageIndex) : requestAnimationFrame(check));
        check();
      });
      expect(moved).to.equal(mr.main.middleIndex + 3);
    });

    it('decodes a JPEG-LS series\' first image in its own worker and shows what Cornerstone shows', async () => {
      const pacs = await pacsInfo();
      const { mr, accessions } = use();
      const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: accessions.mrJpegLs });
      const ready = readyOrError(viewer);
      const first = await captureFirstImage(viewer);
      expect(first.detail).to.include({ imageIndex: mr.main.middleIndex, imageCount: mr.main.count });
      const canvas = first.copy;
      const side = Math.min(canvas.width, canvas.height);
      // A head: bright tissue in the centre, dark air in the corner.
      expect(canvasGrey(canvas, canvas.width / 2, canvas.height / 2, 10)).to.be.greaterThan(40);
      expect(canvasGrey(canvas, (canvas.width - side) / 2 + 6, (canvas.height - side) / 2 + 6, 3)).to.be.lessThan(15);
      const event = await ready;
      expect(event.type, JSON.stringify(event.detail)).to.equal('filmless-ready');
      // Two decoders (CharLS in the first-image worker, Cornerstone's in its own) agree pixel for pixel on the grid.
      const before = greyGrid(canvas, mr.main.columns, mr.main.rows);
      const after = greyGrid(viewerCanvas(viewer), mr.main.columns, mr.main.rows);
      const { mean, worst } = difference(before, after);
      expect(mean, `lean ${before.join(',')} vs Cornerstone ${after.join(',')}`).to.be.lessThan(2);
      expect(worst).to.be.lessThan(24);
      // The frames really are JPEG-LS as the server sends them.
      const { studyInstanceUID, seriesInstanceUID } = viewer.getViewState();
      const auth = { Authorization: `Bearer ${pacs.token}` };
      const series = `${pacs.gatewayUrl}/studies/${studyInstanceUID}/series/${seriesInstanceUID}`;
      const [instance] = (await (await fetch(`${series}/instances`, { headers: auth })).json()) as Record<string, { Value: string[] }>[];
      const frame = await fetch(`${series}/instances/${instance!['00080018']!.Value[0]}/frames/1`, {
        headers: { ...auth, Accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' },
      });
      expect(frame.headers.get('content-type')).to.contain('1.2.840.10008.1.2.4.80');
    });
  });
}
