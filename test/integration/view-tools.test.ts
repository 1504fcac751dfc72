// View tools on both renderers: invert, rotate, flip, zoom 1:1 and fit checked on the canvas against the
// image shown before (and the CT's landmarks read from the file); CT presets, the file's own windows
// (read with dicom-parser), the auto-window of an MR without any, and cine.
import { expect } from 'chai';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import type { FilmlessReadyDetail, FilmlessResolvedDetail, FilmlessViewState } from '../../src/index.js';
import { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { cleanup, describeOn, imageToCanvas, mountViewer, nextEvent, pacsInfo, readyOrError, until, viewerCanvas } from '../support/browser.js';

/** The presets as the README documents them (Hounsfield units), keys 1–8. */
const DOCUMENTED_PRESETS = [
  { name: 'Brain', center: 40, width: 80 },
  { name: 'Subdural', center: 75, width: 215 },
  { name: 'Stroke', center: 40, width: 40 },
  { name: 'Lung', center: -600, width: 1500 },
  { name: 'Mediastinum', center: 50, width: 350 },
  { name: 'Abdomen', center: 50, width: 400 },
  { name: 'Liver', center: 30, width: 150 },
  { name: 'Bone', center: 400, width: 1800 },
];

interface FileWindowFact {
  center: number;
  width: number;
  explanation: string;
}

/** Resolves after the next two animation frames: whatever was asked to render is on the canvas. */
async function painted(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
}

/** The canvas's greys (0–255), one number per pixel. */
function greys(canvas: HTMLCanvasElement): { width: number; height: number; at: (x: number, y: number) => number } {
  const { width, height } = canvas;
  const data = canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, width, height).data;
  return { width, height, at: (x, y) => (data[(y * width + x) * 4]! + data[(y * width + x) * 4 + 1]! + data[(y * width + x) * 4 + 2]!) / 3 };
}

type Greys = ReturnType<typeof greys>;

/**
 * Mean absolute grey difference between `after` and `before` seen through a mapping: `source(x, y)` is
 * where the pixel now at (x, y) was before. Sampled every 6 px over the canvas.
 */
function mappedDifference(
  before: Greys,
  after: Greys,
  source: (x: number, y: number) => [number, number],
  value: (g: number) => number = (g) => g,
  region: [number, number, number, number] = [3, 3, after.width - 3, after.height - 3],
): number {
  let sum = 0;
  let count = 0;
  for (let y = Math.ceil(region[1]); y < region[3]; y += 6) {
    for (let x = Math.ceil(region[0]); x < region[2]; x += 6) {
      const [sx, sy] = source(x, y).map(Math.round) as [number, number];
      if (sx < 0 || sy < 0 || sx >= before.width || sy >= before.height) continue;
      sum += Math.abs(value(after.at(x, y)) - before.at(sx, sy));
      count++;
    }
  }
  return sum / count;
}

/** Where the pixel now at (x, y) was before a turn of the view about the canvas centre (clockwise, y down). */
const rotatedFrom = (canvas: HTMLCanvasElement, degrees: number) => (x: number, y: number): [number, number] => {
  const cx = canvas.width / 2;
  const cy = canvas.height / 2;
  const a = (-degrees * Math.PI) / 180;
  const dx = x - cx;
  const dy = y - cy;
  return [cx + dx * Math.cos(a) - dy * Math.sin(a), cy + dx * Math.sin(a) + dy * Math.cos(a)];
};
const mirroredFrom = (canvas: HTMLCanvasElement) => (x: number, y: number): [number, number] => [canvas.width - 1 - x, y];
const identity = (x: number, y: number): [number, number] => [x, y];

/** Where a canvas point lands after a clockwise turn about the canvas centre. */
function turned(canvas: HTMLCanvasElement, [x, y]: [number, number], degrees: number): [number, number] {
  const a = (degrees * Math.PI) / 180;
  const cx = canvas.width / 2;
  const cy = canvas.height / 2;
  return [cx + (x - cx) * Math.cos(a) - (y - cy) * Math.sin(a), cy + (x - cx) * Math.sin(a) + (y - cy) * Math.cos(a)];
}

function grey(g: Greys, [x, y]: [number, number], radius = 1): number {
  let sum = 0;
  let count = 0;
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      sum += g.at(Math.round(x) + dx, Math.round(y) + dy);
      count++;
    }
  }
  return sum / count;
}

/**
 * The size of the image on the canvas, in canvas (device) pixels, while it is shown inverted: the air
 * at its border is white there and the background stays black. From the first to the last bright pixel
 * of the centre row and column.
 */
function imageExtent(g: Greys): { width: number; height: number } {
  const row = Math.floor(g.height / 2);
  const column = Math.floor(g.width / 2);
  const bright = (values: number[]) => {
    const first = values.findIndex((v) => v > 128);
    const last = values.length - 1 - [...values].reverse().findIndex((v) => v > 128);
    return first < 0 ? 0 : last - first + 1;
  };
  return {
    width: bright(Array.from({ length: g.width }, (_, x) => g.at(x, row))),
    height: bright(Array.from({ length: g.height }, (_, y) => g.at(column, y))),
  };
}

const active = (viewer: FilmlessViewer) => viewer.getViewState().viewports[viewer.getViewState().activeViewport]!;

async function showStudy(accession: string, style = 'width: 720px; height: 720px'): Promise<FilmlessViewer> {
  const pacs = await pacsInfo();
  const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: accession }, style);
  const event = (await readyOrError(viewer)) as CustomEvent<FilmlessReadyDetail>;
  expect(event.type, JSON.stringify(event.detail)).to.equal('filmless-ready');
  await viewer.updateComplete;
  await painted();
  return viewer;
}

function viewportElement(viewer: FilmlessViewer): HTMLElement {
  return viewer.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!;
}

function toolbarButton(viewer: FilmlessViewer, label: string): HTMLButtonElement {
  const button = [...viewer.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="toolbar"] button')].find((b) => b.getAttribute('aria-label') === label);
  if (!button) throw new Error(`no toolbar button ${label}`);
  return button;
}

for (const renderer of ['cpu', 'gpu'] as const) {
  describe(`view tools on the ${renderer} renderer`, function () {
    let viewer: FilmlessViewer;
    let canvas: HTMLCanvasElement;
    let original: Greys;
    let columns: number;
    let rows: number;
    let bone: [number, number];
    let air: [number, number];

    before(async () => {
      FilmlessViewer.renderer = renderer;
      const pacs = await pacsInfo();
      ({ columns, rows } = pacs.data.ct.main);
      viewer = await showStudy(renderer === 'cpu' ? pacs.accessions.viewTools! : pacs.accessions.viewToolsGpu!);
      canvas = viewerCanvas(viewer);
      original = greys(canvas);
      bone = imageToCanvas(canvas, columns, rows, ...pacs.data.ct.landmarks!.bone);
      air = imageToCanvas(canvas, columns, rows, ...pacs.data.ct.landmarks!.outsideAir);
    });

    after(() => {
      cleanup();
      FilmlessViewer.renderer = 'auto';
    });

    afterEach(async () => {
      viewer.resetView();
      await painted();
    });

    it('starts upright, unflipped and not inverted, with the bone landmark white and the air black', () => {
      expect(active(viewer)).to.include({ rotation: 0, flipH: false, flipV: false, invert: false });
      expect(grey(original, bone)).to.be.greaterThan(200);
      expect(grey(original, air)).to.be.lessThan(30);
      // The head is not its own mirror image, so the flip test below can tell a mirror from no change.
      expect(mappedDifference(original, original, mirroredFrom(canvas))).to.be.greaterThan(5);
    });

    it('inverts the greys on the canvas, and back', async () => {
      viewer.invert();
      await painted();
      const inverted = greys(canvas);
      expect(active(viewer).invert).to.equal(true);
      expect(grey(inverted, bone)).to.be.lessThan(55);
      expect(grey(inverted, air)).to.be.greaterThan(225);
      // Over the image (the background around it stays black).
      const [left, top] = imageToCanvas(canvas, columns, rows, 0, 0);
      const [right, bottom] = imageToCanvas(canvas, columns, rows, columns - 1, rows - 1);
      expect(mappedDifference(original, inverted, identity, (g) => 255 - g, [left + 3, top + 3, right - 3, bottom - 3])).to.be.lessThan(4);
      viewer.invert(false);
      await painted();
      expect(active(viewer).invert).to.equal(false);
      expect(mappedDifference(original, greys(canvas), identity)).to.be.lessThan(2);
    });

    it('turns the image 90 degrees clockwise about the viewport centre, and counter-clockwise', async () => {
      viewer.rotate(90);
      await painted();
      let now = greys(canvas);
      expect(active(viewer).rotation).to.equal(90);
      expect(grey(now, turned(canvas, bone, 90)), 'the bone landmark turned clockwise').to.be.greaterThan(200);
      const clockwise = mappedDifference(original, now, rotatedFrom(canvas, 90));
      expect(clockwise, 'the canvas is the image turned clockwise').to.be.lessThan(0.3 * mappedDifference(original, now, rotatedFrom(canvas, -90)));
      viewer.rotate(-90);
      await painted();
      expect(active(viewer).rotation).to.equal(0);
      viewer.rotate(-90);
      await painted();
      now = greys(canvas);
      expect(active(viewer).rotation).to.equal(270);
      expect(grey(now, turned(canvas, bone, -90)), 'the bone landmark turned counter-clockwise').to.be.greaterThan(200);
      expect(mappedDifference(original, now, rotatedFrom(canvas, -90))).to.be.lessThan(0.3 * mappedDifference(original, now, rotatedFrom(canvas, 90)));
    });

    it('mirrors the image left to right with a horizontal flip, and top to bottom with a vertical one', async () => {
      viewer.flip('horizontal');
      await painted();
      let now = greys(canvas);
      expect(active(viewer)).to.include({ flipH: true, flipV: false, rotation: 0 });
      expect(grey(now, [canvas.width - 1 - bone[0], bone[1]]), 'the bone landmark mirrored').to.be.greaterThan(200);
      expect(mappedDifference(original, now, mirroredFrom(canvas))).to.be.lessThan(0.3 * mappedDifference(original, now, identity));
      viewer.flip('horizontal');
      viewer.flip('vertical');
      await painted();
      now = greys(canvas);
      expect(active(viewer)).to.include({ flipH: false, flipV: true });
      const upsideDown = (x: number, y: number): [number, number] => [x, canvas.height - 1 - y];
      expect(grey(now, upsideDown(...bone)), 'the bone landmark upside down').to.be.greaterThan(200);
      expect(mappedDifference(original, now, upsideDown)).to.be.lessThan(0.3 * mappedDifference(original, now, identity));
    });

    it('flips what the user sees after a rotation: the screen mirror of the turned image', async () => {
      viewer.rotate(90);
      viewer.flip('horizontal');
      await painted();
      const now = greys(canvas);
      // Flips apply to the image before the rotation: a screen mirror after 90 degrees is flipH at 270.
      expect(active(viewer)).to.include({ rotation: 270, flipH: true, flipV: false });
      const mirrorOfTurned = (x: number, y: number) => rotatedFrom(canvas, 90)(canvas.width - 1 - x, y);
      expect(grey(now, [canvas.width - 1 - turned(canvas, bone, 90)[0], turned(canvas, bone, 90)[1]])).to.be.greaterThan(200);
      expect(mappedDifference(original, now, mirrorOfTurned)).to.be.lessThan(0.3 * mappedDifference(original, now, rotatedFrom(canvas, 90)));
    });

    it('restores rotation, flips and inversion on reset', async () => {
      viewer.rotate(180);
      viewer.flip('vertical');
      viewer.invert();
      viewer.resetView();
      await painted();
      expect(active(viewer)).to.include({ rotation: 0, flipH: false, flipV: false, invert: false, zoom: 1 });
      expect(mappedDifference(original, greys(canvas), identity)).to.be.lessThan(2);
    });

    it('shows one image pixel per device pixel at zoom 1:1, and fits the image again', async () => {
      viewer.invert(); // the air at the image's border turns white: its extent can be measured
      viewer.zoomToActualSize();
      await painted();
      const actual = imageExtent(greys(canvas));
      expect(Math.abs(actual.width - columns), `width ${actual.width} for ${columns} columns`).to.be.at.most(2);
      expect(Math.abs(actual.height - rows), `height ${actual.height} for ${rows} rows`).to.be.at.most(2);
      viewer.setZoom(2.5);
      viewer.zoomToFit();
      await painted();
      const fitted = imageExtent(greys(canvas));
      const scale = Math.min(canvas.width / columns, canvas.height / rows);
      expect(Math.abs(fitted.width - columns * scale), `fitted width ${fitted.width}`).to.be.at.most(2);
      expect(Math.abs(fitted.height - rows * scale), `fitted height ${fitted.height}`).to.be.at.most(2);
      expect(active(viewer).zoom).to.be.closeTo(1, 0.01);
    });

    if (renderer === 'cpu') {
      it('sets each CT preset to its documented window with keys 1 to 8', async () => {
        viewportElement(viewer).focus();
        for (const [index, { name, center, width }] of DOCUMENTED_PRESETS.entries()) {
          await sendKeys({ press: String(index + 1) });
          await until(() => viewer.getViewState().windowCenter === center && viewer.getViewState().windowWidth === width, `${index + 1}: ${name} ${center} / ${width}`);
        }
      });

      it("lists the file's own windows with their explanations in the windows menu, and applies one", async () => {
        const pacs = await pacsInfo();
        const windows = (await executeServerCommand('file-windows', { file: pacs.data.ct.main.middleFile })) as FileWindowFact[];
        expect(windows.length, 'the generated CT carries a brain and a bone window').to.be.at.least(2);
        toolbarButton(viewer, 'Windows in the file').click();
        await until(() => viewer.shadowRoot!.querySelector('[part="menu"]') !== null, 'the windows menu');
        const items = [...viewer.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="menu"] [data-entry^="file-window-"]')];
        const number = new Intl.NumberFormat('en').format;
        expect(items.map((item) => item.textContent!.trim())).to.deep.equal(
          windows.map((w) => {
            const values = `W ${number(w.width)} / L ${number(w.center)}`;
            return w.explanation ? `${w.explanation} (${values})` : values;
          }),
        );
        const last = windows[windows.length - 1]!;
        items[items.length - 1]!.click();
        await until(() => viewer.getViewState().windowCenter === last.center && viewer.getViewState().windowWidth === last.width, `the file's ${last.explanation} window`);
      });

      it('turns and flips with its keys, and lists them in the help without arrow glyphs', async () => {
        viewportElement(viewer).focus();
        await sendKeys({ press: 'e' });
        await until(() => active(viewer).rotation === 90, 'E turns clockwise');
        await sendKeys({ press: 'q' });
        await sendKeys({ press: 'q' });
        await until(() => active(viewer).rotation === 270, 'Q turns counter-clockwise');
        await sendKeys({ press: 'h' });
        await until(() => active(viewer).flipH === true, 'H flips horizontally');
        await sendKeys({ press: 'v' });
        await until(() => active(viewer).flipV === true, 'V flips vertically');
        await sendKeys({ press: 'n' });
        await until(() => active(viewer).invert === true, 'N inverts');
        await sendKeys({ press: 'a' });
        await until(() => active(viewer).zoom > 1.05 || active(viewer).zoom < 0.95, 'A for actual size');
        await sendKeys({ press: 'f' });
        await until(() => Math.abs(active(viewer).zoom - 1) < 0.01, 'F fits');
        await sendKeys({ press: '?' });
        await until(() => viewer.shadowRoot!.querySelector('[role="dialog"]') !== null, 'the help');
        const help = viewer.shadowRoot!.querySelector('[role="dialog"]')!.textContent!;
        expect(help).to.contain('Rotate right').and.to.contain('Flip horizontally').and.to.contain('Play or stop the cine');
        expect(help).to.not.match(/[\u2190-\u21ff]/);
        await sendKeys({ press: 'Escape' });
      });
    }
  });
}

for (const renderer of ['cpu', 'gpu'] as const) {
  describe(`the auto-window of an MR without a window in its files (${renderer} renderer)`, () => {
    before(() => {
      FilmlessViewer.renderer = renderer;
    });

    after(() => {
      cleanup();
      FilmlessViewer.renderer = 'auto';
    });

    it("spans the image's 1st to 99th percentile of modality values, computed from the file", async () => {
      const pacs = await pacsInfo();
      const viewer = await showStudy(pacs.accessions.noWindow!);
      const state = viewer.getViewState();
      const lower = state.windowCenter - state.windowWidth / 2;
      const upper = state.windowCenter + state.windowWidth / 2;
      const [p05, p2, p98, p995] = (await executeServerCommand('modality-percentiles', { file: pacs.data.mr.main.middleFile, fractions: [0.005, 0.02, 0.98, 0.995] })) as number[];
      const [p1, p99] = (await executeServerCommand('modality-percentiles', { file: pacs.data.mr.main.middleFile, fractions: [0.01, 0.99] })) as number[];
      const slack = Math.max(1, (p99! - p1!) * 0.01);
      expect(lower, `lower ${lower}, file p0.5–p2 ${p05}–${p2}`).to.be.within(p05! - slack, p2! + slack);
      expect(upper, `upper ${upper}, file p98–p99.5 ${p98}–${p995}`).to.be.within(p98! - slack, p995! + slack);
      // Reset comes back to it (not to the full range Cornerstone would take).
      viewportElement(viewer).focus();
      await sendKeys({ press: ']' });
      await until(() => viewer.getViewState().windowWidth !== state.windowWidth, '] widens');
      viewer.resetView();
      await until(() => Math.abs(viewer.getViewState().windowWidth - state.windowWidth) < 0.01, 'reset to the auto-window');
    });
  });
}

for (const renderer of ['cpu', 'gpu'] as const) {
  describeOn('real', `inverting a MONOCHROME1 radiograph (${renderer} renderer)`, () => {
    let viewer: FilmlessViewer;

    before(async () => {
      FilmlessViewer.renderer = renderer;
      const pacs = await pacsInfo();
      // The folder's files are studies of their own: open the CR's (uncompressed MONOCHROME1) by its UID.
      const folder = pacs.robustness!['robustness/monochrome1-pydicom']!;
      const series = folder.series.find((s) => s.files.some((f) => f.endsWith('CR1_6154'))) ?? folder.series[0]!;
      viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, studyUid: series.studyInstanceUID }, 'width: 720px; height: 720px');
      const event = (await readyOrError(viewer)) as CustomEvent<FilmlessReadyDetail>;
      expect(event.type, JSON.stringify(event.detail)).to.equal('filmless-ready');
      await painted();
    });

    after(() => {
      cleanup();
      FilmlessViewer.renderer = 'auto';
    });

    it('counts the file\'s own display (low values bright) as not inverted, and inverts the canvas from there', async () => {
      const canvas = viewerCanvas(viewer);
      const original = greys(canvas);
      expect(active(viewer).invert).to.equal(false);
      viewer.invert();
      await painted();
      expect(active(viewer).invert).to.equal(true);
      // The middle third of the canvas lies inside the fitted image whatever its shape.
      const middle: [number, number, number, number] = [canvas.width / 3, canvas.height / 3, (canvas.width * 2) / 3, (canvas.height * 2) / 3];
      expect(mappedDifference(original, greys(canvas), identity, (g) => 255 - g, middle)).to.be.lessThan(4);
      viewer.invert(false);
      await painted();
      expect(mappedDifference(original, greys(canvas), identity, (g) => g, middle)).to.be.lessThan(2);
    });
  });
}

describe('cine', () => {
  let viewer: FilmlessViewer;
  let otherSeries: string;

  before(async () => {
    const pacs = await pacsInfo();
    const resolved = new Promise<FilmlessResolvedDetail>((resolve) => document.addEventListener('filmless-resolved', (event) => resolve((event as CustomEvent<FilmlessResolvedDetail>).detail), { once: true }));
    viewer = await showStudy(pacs.accessions.cine!);
    const shown = viewer.getViewState().seriesInstanceUID;
    otherSeries = (await resolved).series.find((s) => s.seriesInstanceUID !== shown)!.seriesInstanceUID;
    // Every slice decoded first: the rate measured is the cine's, not the decoder's.
    await until(() => {
      const progress = viewer.shadowRoot!.querySelector('[part="progress"]');
      return progress === null;
    }, 'every slice decoded', 60_000);
  });

  after(cleanup);

  /** Slices shown while the cine plays for `ms` milliseconds (counted each animation frame). */
  async function framesShownDuring(ms: number): Promise<number> {
    let changes = 0;
    let last = active(viewer).imageIndex;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const index = active(viewer).imageIndex;
      if (index !== last) changes += (index - last + active(viewer).imageCount) % active(viewer).imageCount;
      last = index;
    }
    return changes;
  }

  it('plays at the requested rate, looping, and reports the rate achieved', async () => {
    viewer.playCine(10);
    await until(() => active(viewer).cine?.playing === true, 'the cine playing');
    const frames = await framesShownDuring(2000);
    // 20 frames at 10 per second; a busy machine may fall behind, never ahead.
    expect(frames, `${frames} frames in 2 s at 10 fps`).to.be.within(12, 22);
    const cine = active(viewer).cine!;
    expect(cine.fps).to.equal(10);
    expect(cine.achievedFps).to.be.within(5, 11.5);
    await viewer.updateComplete;
    expect(viewer.shadowRoot!.querySelector('[part="overlay"] .corner.br')!.textContent, 'the overlay says the rate').to.match(/Cine [\d.]+ \/ 10 fps/);
    viewer.stopCine();
    expect(active(viewer).cine).to.equal(undefined);
  });

  it('stops on Space and on Escape, and Space starts it again', async () => {
    viewportElement(viewer).focus();
    await sendKeys({ press: 'Space' });
    await until(() => active(viewer).cine?.playing === true, 'Space starts the cine');
    await sendKeys({ press: 'Space' });
    await until(() => active(viewer).cine === undefined, 'Space stops it');
    const stoppedAt = active(viewer).imageIndex;
    await painted();
    await painted();
    expect(active(viewer).imageIndex, 'no frame after the stop').to.equal(stoppedAt);
    await sendKeys({ press: 'Space' });
    await until(() => active(viewer).cine?.playing === true, 'Space starts it again');
    await sendKeys({ press: 'Escape' });
    await until(() => active(viewer).cine === undefined, 'Escape stops it');
  });

  it('stops when the user scrolls, and shows its play button pressed while playing', async () => {
    const button = toolbarButton(viewer, 'Play cine');
    button.click();
    await until(() => active(viewer).cine?.playing === true, 'the play button starts the cine');
    await viewer.updateComplete;
    expect(toolbarButton(viewer, 'Stop cine').getAttribute('aria-pressed')).to.equal('true');
    const statechange = nextEvent<FilmlessViewState>(viewer, 'filmless-statechange');
    viewer.scrollImages(1);
    await statechange;
    await until(() => active(viewer).cine === undefined, 'scrolling stops the cine');
  });

  it('stops when its viewport is given another series', async () => {
    viewer.playCine(10);
    await until(() => active(viewer).cine?.playing === true, 'the cine playing');
    const ready = nextEvent(viewer, 'filmless-ready');
    viewer.selectSeries(otherSeries);
    await until(() => active(viewer).seriesInstanceUID === otherSeries && active(viewer).cine === undefined, 'the other series shown, the cine stopped');
    await ready;
    await painted();
    expect(active(viewer).cine).to.equal(undefined);
  });

  it('shows every slice in order while the series is still decoding: none skipped, the rate never above the asked one', async () => {
    // Right after the other series became ready (previous test), most of its slices are not decoded yet.
    const count = active(viewer).imageCount;
    const seen: number[] = [active(viewer).imageIndex];
    viewer.playCine(30);
    const start = performance.now();
    while (performance.now() - start < 1500) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const index = active(viewer).imageIndex;
      if (index !== seen[seen.length - 1]) seen.push(index);
    }
    const achieved = active(viewer).cine!.achievedFps;
    viewer.stopCine();
    const steps = seen.slice(1).map((index, i) => (index - seen[i]! + count) % count);
    expect(steps.length, 'frames shown').to.be.at.least(8);
    expect(steps.filter((step) => step !== 1), `steps ${steps.join(',')}`).to.deep.equal([]);
    expect(achieved).to.be.at.most(33);
  });
});
