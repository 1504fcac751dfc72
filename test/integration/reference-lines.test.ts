// Reference lines: with the CT's axial series and its localizer side by side, the axial slice's plane is
// drawn across the localizer where the files' geometry puts it (the line found from the canvas pixels of
// its colour, the expected place computed here from both files' position, orientation and spacing), it
// follows scrolling, and the toggle hides it. On both renderers: the line is mapped to the screen by the
// stack viewport, whose two paths (WebGL, CPU) each answer that mapping.
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { FilmlessReadyDetail } from '../../src/index.js';
import { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { FileGeometry } from '../support/dicom-geometry.js';
import type { SeriesFacts } from '../support/test-data.js';
import { cleanup, describeEachDataset, mountViewer, pacsInfo, until } from '../support/browser.js';

type Point = [number, number];

async function geometry(files: string[]): Promise<FileGeometry[]> {
  return (await executeServerCommand('dicom-geometry', { files })) as FileGeometry[];
}

const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
const cross = (a: number[], b: number[]) => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];

/** Resolves when `count` viewports have fired filmless-ready. */
function allReady(viewer: FilmlessViewer, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const seen = new Set<number>();
    const timer = setTimeout(() => reject(new Error(`only ${seen.size} of ${count} viewports became ready`)), 90_000);
    viewer.addEventListener('filmless-ready', (event: CustomEvent<FilmlessReadyDetail>) => {
      seen.add(event.detail.viewportIndex);
      if (seen.size === count) {
        clearTimeout(timer);
        resolve();
      }
    });
    viewer.addEventListener('filmless-error', (event) => reject(new Error(JSON.stringify(event.detail))), { once: true });
  });
}

/**
 * Where the axial slice's plane crosses the localizer, in canvas pixels of the localizer's viewport as
 * first shown (the whole image fitted and centred, at its physical aspect): two points of the line.
 */
function expectedLine(slice: FileGeometry, localizer: FileGeometry, canvas: HTMLCanvasElement): [Point, Point] {
  const normal = cross(slice.orientation.slice(0, 3), slice.orientation.slice(3, 6));
  const offset = dot(normal, slice.position);
  const rowDirection = localizer.orientation.slice(0, 3);
  const columnDirection = localizer.orientation.slice(3, 6);
  const [rowSpacing, columnSpacing] = localizer.pixelSpacing as [number, number];
  const widthMm = localizer.columns * columnSpacing;
  const heightMm = localizer.rows * rowSpacing;
  const scale = Math.min(canvas.width / widthMm, canvas.height / heightMm);
  const left = (canvas.width - widthMm * scale) / 2;
  const top = (canvas.height - heightMm * scale) / 2;
  const toCanvas = (column: number, row: number): Point => [left + (column + 0.5) * columnSpacing * scale, top + (row + 0.5) * rowSpacing * scale];
  // Solve normal · (origin + c·Δc·row + r·Δr·column) = offset for r at two columns (or for c at two rows).
  const alongRow = dot(normal, rowDirection) * columnSpacing;
  const alongColumn = dot(normal, columnDirection) * rowSpacing;
  const base = offset - dot(normal, localizer.position);
  if (Math.abs(alongColumn) >= Math.abs(alongRow)) {
    return [toCanvas(0, base / alongColumn), toCanvas(localizer.columns - 1, (base - alongRow * (localizer.columns - 1)) / alongColumn)];
  }
  return [toCanvas(base / alongRow, 0), toCanvas((base - alongColumn * (localizer.rows - 1)) / alongRow, localizer.rows - 1)];
}

/** Canvas pixels of the reference line's colour (opaque yellow). */
function linePixels(canvas: HTMLCanvasElement): Point[] {
  if (canvas.width === 0 || canvas.height === 0) return []; // nothing drawn: the canvas holds no bitmap
  const data = canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, canvas.width, canvas.height).data;
  const found: Point[] = [];
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3]! > 160 && data[i]! > 200 && data[i + 1]! > 140 && data[i + 1]! < 235 && data[i + 2]! < 90) {
      const index = i / 4;
      found.push([index % canvas.width, Math.floor(index / canvas.width)]);
    }
  }
  return found;
}

/** Mean distance (px) of the pixels from the line through a and b. */
function meanDistance(points: Point[], [a, b]: [Point, Point]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length = Math.hypot(dx, dy);
  return points.reduce((sum, [x, y]) => sum + Math.abs(dx * (y - a[1]) - dy * (x - a[0])) / length, 0) / points.length;
}

for (const renderer of ['cpu', 'gpu'] as const) {
  describeEachDataset(`reference lines (${renderer} renderer)`, (use) => {
    let viewer: FilmlessViewer;
    let localizerCell: HTMLElement;
    let localizerFacts: SeriesFacts;
    let localizer: FileGeometry;
    let slices: FileGeometry[];

    before(async function () {
      this.timeout(180_000);
      FilmlessViewer.renderer = renderer;
      const pacs = await pacsInfo();
      const { ct, accessions } = use();
      viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: accessions.referenceLines, layout: '1x2' }, 'width: 900px; height: 500px');
      await allReady(viewer, 2);
      // The test PACS holds copies with new UIDs: the localizer is the series of fewer than 3 images.
      const found = ct.series.find((s) => s.count < 3);
      if (!found) throw new Error('the study has no localizer');
      localizerFacts = found;
      const index = viewer.getViewState().viewports.findIndex((v) => v.imageCount === localizerFacts.count);
      expect(index, 'the localizer in one viewport').to.be.greaterThan(-1);
      expect(viewer.getViewState().viewports[viewer.getViewState().activeViewport]!.imageCount).to.equal(ct.main.count);
      localizerCell = [...viewer.shadowRoot!.querySelectorAll<HTMLElement>('.cell')][index]!;
      [localizer] = await geometry([localizerFacts.middleFile]);
      slices = await geometry(ct.main.files);
    });

    after(() => {
      cleanup();
      FilmlessViewer.renderer = 'auto';
    });

    const canvas = () => localizerCell.querySelector<HTMLCanvasElement>('canvas.reference-lines')!;
    /** Cornerstone's canvas of the localizer viewport: the image's size on screen, whether a line is drawn or not. */
    const imageCanvas = () => localizerCell.querySelector<HTMLCanvasElement>('[part="viewport"] canvas')!;

    /** Waits for the line of the slice shown now, and returns its pixels and where the files put it. */
    async function lineNow(): Promise<{ pixels: Point[]; expected: [Point, Point]; index: number }> {
      const index = viewer.getViewState().imageIndex;
      const expected = expectedLine(slices[index]!, localizer, imageCanvas());
      await until(() => {
        const pixels = linePixels(canvas());
        return pixels.length > 50 && meanDistance(pixels, expected) < 2;
      }, `the line of slice ${index}`, 10_000).catch(() => undefined);
      return { pixels: linePixels(canvas()), expected, index };
    }

    it('draws the axial slice across the localizer where both files\' geometry puts it', async () => {
      const { pixels, expected, index } = await lineNow();
      expect(pixels.length, 'pixels of the line colour').to.be.greaterThan(50);
      expect(meanDistance(pixels, expected), `slice ${index}: line at ${canvas().dataset.line}, expected ${JSON.stringify(expected)}`).to.be.lessThan(2);
    });

    it('moves the line when the axial viewport scrolls', async () => {
      const before = await lineNow();
      const step = before.index > slices.length / 2 ? -Math.floor(slices.length / 4) : Math.floor(slices.length / 4);
      viewer.scrollImages(step);
      await until(() => viewer.getViewState().imageIndex === before.index + step, 'the scroll');
      const after = await lineNow();
      expect(meanDistance(after.pixels, before.expected), 'the line left its old place').to.be.greaterThan(5);
      expect(meanDistance(after.pixels, after.expected), `slice ${after.index}: line at ${canvas().dataset.line}`).to.be.lessThan(2);
    });

    it('hides the line with the toolbar toggle and the referenceLines property', async () => {
      const toggle = viewer.shadowRoot!.querySelector<HTMLButtonElement>('[data-item="reference-lines"]')!;
      expect(toggle.getAttribute('aria-pressed')).to.equal('true');
      toggle.click();
      await viewer.updateComplete;
      expect(viewer.referenceLines).to.equal(false);
      await until(() => linePixels(canvas()).length === 0, 'the line hidden');
      viewer.referenceLines = true;
      await viewer.updateComplete;
      await until(() => linePixels(canvas()).length > 50, 'the line back');
    });
  });
}
