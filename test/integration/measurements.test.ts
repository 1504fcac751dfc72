// Measurements against the files: lengths from the file's PixelSpacing, ROI statistics from the file's
// rescaled stored values inside the same mask (both read with dicom-parser in Node), calibration labels,
// the filmless-measurement event, the list, the Measure menu and the Delete key.
// Renderers: the values are Filmless's own arithmetic on the file's values, the same whichever renderer
// draws; the last suite draws and measures on both `gpu` and `cpu`. The other suites run under `auto`
// (the CPU renderer on this software-WebGL machine, WebGL on a GPU): running each of them twice would load
// every study twice for the same numbers.
import { executeServerCommand, sendKeys, sendMouse } from '@web/test-runner-commands';
import { expect } from 'chai';
import type { FilmlessMeasurement, FilmlessMeasurementDetail } from '../../src/index.js';
import { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { type PacsInfo, cleanup, describeEachDataset, describeOn, imageToCanvas, mountViewer, nextEvent, pacsInfo, readyOrError, until, viewerCanvas } from '../support/browser.js';

interface FileSpacing {
  pixelSpacing?: [number, number];
  imagerPixelSpacing?: [number, number];
  rows: number;
  columns: number;
}

interface RegionTruth {
  mean: number;
  sd: number;
  min: number;
  max: number;
  pixelCount: number;
}

const fileSpacing = (file: string) => executeServerCommand('file-spacing', { file }) as Promise<FileSpacing>;
const regionTruth = (file: string, kind: 'ellipseRoi' | 'rectangleRoi', corners: [[number, number], [number, number]]) =>
  executeServerCommand('region-truth', { file, kind, corners }) as Promise<RegionTruth>;

/** Distance in mm between two image points under PixelSpacing [between rows, between columns]. */
function distance([c0, r0]: [number, number], [c1, r1]: [number, number], [rowSpacing, columnSpacing]: [number, number]): number {
  return Math.hypot((c1 - c0) * columnSpacing, (r1 - r0) * rowSpacing);
}

async function open(props: Record<string, unknown>): Promise<FilmlessViewer> {
  const pacs = await pacsInfo();
  const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, ...props });
  const event = await readyOrError(viewer);
  expect(event.type, JSON.stringify(event.detail)).to.equal('filmless-ready');
  return viewer;
}

/** Collects the viewer's filmless-measurement events from now on. */
function recordMeasurementEvents(viewer: FilmlessViewer): FilmlessMeasurementDetail[] {
  const events: FilmlessMeasurementDetail[] = [];
  viewer.addEventListener('filmless-measurement', (event) => events.push(event.detail));
  return events;
}

/** Expects a length on the shown image to equal the file's distance within 0.5 %, horizontally and diagonally. */
async function expectLengths(viewer: FilmlessViewer, file: string, imageIndex: number): Promise<void> {
  const { pixelSpacing, rows, columns } = await fileSpacing(file);
  expect(pixelSpacing, `${file} has PixelSpacing`).to.not.equal(undefined);
  const lines: [number, number][][] = [
    [[Math.round(columns * 0.2), Math.round(rows * 0.5)], [Math.round(columns * 0.8), Math.round(rows * 0.5)]],
    [[Math.round(columns * 0.15), Math.round(rows * 0.2)], [Math.round(columns * 0.75), Math.round(rows * 0.9)]],
  ];
  for (const imagePoints of lines) {
    const made = viewer.addMeasurement({ kind: 'length', imageIndex, imagePoints });
    expect(made, JSON.stringify(imagePoints)).to.not.equal(undefined);
    const expected = distance(imagePoints[0]!, imagePoints[1]!, pixelSpacing!);
    expect(made!.unit).to.equal('mm');
    expect(made!.calibration).to.equal('pixel-spacing');
    expect(Math.abs(made!.value! - expected) / expected, `${made!.value} mm vs ${expected} mm`).to.be.lessThan(0.005);
    expect(made!.imagePoints).to.deep.equal(imagePoints);
  }
}

/** Where an image point is on the page (CSS pixels), for the fitted initial view. */
function pagePoint(viewer: FilmlessViewer, columns: number, rows: number, [column, row]: [number, number]): [number, number] {
  const canvas = viewerCanvas(viewer);
  const [x, y] = imageToCanvas(canvas, columns, rows, column, row); // the pixel's centre
  const rect = canvas.getBoundingClientRect();
  return [Math.round(rect.left + (x * rect.width) / canvas.width), Math.round(rect.top + (y * rect.height) / canvas.height)];
}

async function drag(from: [number, number], to: [number, number]): Promise<void> {
  await sendMouse({ type: 'move', position: from });
  await sendMouse({ type: 'down' });
  for (let step = 1; step <= 5; step++) {
    await sendMouse({ type: 'move', position: [Math.round(from[0] + ((to[0] - from[0]) * step) / 5), Math.round(from[1] + ((to[1] - from[1]) * step) / 5)] });
  }
  await sendMouse({ type: 'up' });
}

describeEachDataset('measurements on the CT', (use) => {
  let viewer: FilmlessViewer;
  let imageIndex: number;
  let file: string;

  before(async () => {
    viewer = await open({ accessionNumber: use().accessions.measurements });
    imageIndex = viewer.getViewState().imageIndex;
    expect(imageIndex).to.equal(use().ct.main.middleIndex);
    file = use().ct.main.middleFile;
  });
  after(() => {
    cleanup();
  });
  afterEach(() => {
    for (const m of viewer.getMeasurements()) viewer.removeMeasurement(m.id);
  });

  it('measures a horizontal and a diagonal length as the distance from the file’s PixelSpacing (within 0.5 %)', async () => {
    await expectLengths(viewer, file, imageIndex);
  });

  it('reports an ellipse’s and a rectangle’s mean, SD, min and max as the file’s rescaled values inside the same mask, and their area', async () => {
    const { columns, rows } = use().ct.main;
    const { pixelSpacing } = await fileSpacing(file);
    const corners: [[number, number], [number, number]] = [
      [Math.round(columns * 0.3), Math.round(rows * 0.35)],
      [Math.round(columns * 0.62), Math.round(rows * 0.6)],
    ];
    for (const kind of ['ellipseRoi', 'rectangleRoi'] as const) {
      const made = viewer.addMeasurement({ kind, imageIndex, imagePoints: corners });
      const truth = await regionTruth(file, kind, corners);
      const stats = made?.stats;
      expect(stats, kind).to.not.equal(undefined);
      expect(made!.unit).to.equal('HU');
      expect(Math.abs(stats!.mean - truth.mean), `${kind} mean ${stats!.mean} vs ${truth.mean}`).to.be.lessThan(0.5);
      expect(made!.value).to.equal(stats!.mean);
      expect(stats!.sd).to.be.closeTo(truth.sd, 0.5);
      expect(stats!.min).to.equal(truth.min);
      expect(stats!.max).to.equal(truth.max);
      expect(stats!.pixelCount).to.equal(truth.pixelCount);
      const width = (corners[1][0] - corners[0][0]) * pixelSpacing![1];
      const height = (corners[1][1] - corners[0][1]) * pixelSpacing![0];
      const area = kind === 'ellipseRoi' ? (Math.PI * width * height) / 4 : width * height;
      expect(Math.abs(stats!.areaMm2! - area) / area, `${kind} area ${stats!.areaMm2} vs ${area}`).to.be.lessThan(0.01);
      // The pixels counted cover the shape: their area agrees with the geometric one.
      const pixelArea = truth.pixelCount * pixelSpacing![0] * pixelSpacing![1];
      expect(Math.abs(pixelArea - area) / area).to.be.lessThan(0.05);
    }
  });
});

// The API, events, list and tools: the same code on any data, so on the generated CT only.
describeOn('generated', 'measurement events, list and tools on the CT', (use) => {
  let viewer: FilmlessViewer;
  let imageIndex: number;
  let file: string;

  before(async () => {
    viewer = await open({ accessionNumber: use().accessions.measurements });
    imageIndex = viewer.getViewState().imageIndex;
    expect(imageIndex).to.equal(use().ct.main.middleIndex);
    file = use().ct.main.middleFile;
  });
  after(() => {
    cleanup();
  });
  afterEach(() => {
    for (const m of viewer.getMeasurements()) viewer.removeMeasurement(m.id);
  });

  it('sends filmless-measurement on add and remove with the measurement, and getMeasurements follows', async () => {
    const events = recordMeasurementEvents(viewer);
    const made = viewer.addMeasurement({ kind: 'probe', imageIndex, imagePoints: [[10, 12]], label: 'air' })!;
    expect(events).to.have.length(1);
    expect(events[0]!.action).to.equal('add');
    expect(events[0]!.measurement).to.deep.equal(made);
    expect(made).to.include({ kind: 'probe', label: 'air', imageIndex, frame: 1 });
    expect(made.value).to.equal(viewer.probe(10, 12));
    expect(made.studyInstanceUID).to.equal(viewer.getViewState().studyInstanceUID);
    expect(made.seriesInstanceUID).to.equal(viewer.getViewState().seriesInstanceUID);
    expect(made.points[0]).to.have.length(3);
    expect(viewer.getMeasurements()).to.deep.equal([made]);
    expect(viewer.removeMeasurement(made.id)).to.equal(true);
    expect(events.map((e) => e.action)).to.deep.equal(['add', 'remove']);
    expect(events[1]!.measurement.id).to.equal(made.id);
    expect(viewer.getMeasurements()).to.deep.equal([]);
    expect(viewer.removeMeasurement(made.id)).to.equal(false);
  });

  it('takes back what getMeasurements returns: the same kind, image, points, label and value', () => {
    const angle = viewer.addMeasurement({ kind: 'angle', imageIndex, imagePoints: [[40, 30], [60, 60], [90, 55]], label: 'α' })!;
    const cobb = viewer.addMeasurement({ kind: 'cobbAngle', imageIndex, imagePoints: [[20, 20], [80, 30], [20, 70], [80, 50]] })!;
    const arrow = viewer.addMeasurement({ kind: 'arrow', imageIndex, imagePoints: [[50, 50], [70, 30]], label: 'lesion' })!;
    for (const original of [angle, cobb, arrow]) {
      const { id: _id, ...rest } = original;
      void _id;
      const copy = viewer.addMeasurement(rest)!;
      expect(copy.id).to.not.equal(original.id);
      expect({ ...copy, id: original.id }).to.deep.equal(original);
    }
    expect(angle.unit).to.equal('deg');
    expect(arrow.label).to.equal('lesion');
    expect(arrow.value).to.equal(undefined);
  });

  it('refuses input it cannot use with undefined and an invalid-measurement error, and stays ready', async () => {
    const errors: string[] = [];
    viewer.addEventListener('filmless-error', (event) => errors.push(event.detail.code));
    const bad = [
      { kind: 'length', imageIndex, imagePoints: [[1, 2]] },
      { kind: 'circle', imageIndex, imagePoints: [[1, 2], [3, 4]] },
      { kind: 'length', imageIndex: 1e6, imagePoints: [[1, 2], [3, 4]] },
      { kind: 'probe', imageIndex, imagePoints: [[Number.NaN, 2]] },
      null,
    ];
    for (const input of bad) expect(viewer.addMeasurement(input as never)).to.equal(undefined);
    expect(errors).to.deep.equal(bad.map(() => 'invalid-measurement'));
    expect(viewer.status).to.equal('ready');
    expect(viewer.getMeasurements()).to.deep.equal([]);
  });

  it('draws a length with the mouse from the Measure menu, reports its edit as a change, and Delete removes it once selected', async () => {
    const events = recordMeasurementEvents(viewer);
    const root = viewer.shadowRoot!;
    root.querySelector<HTMLElement>('[data-menu-trigger="measure"]')!.click();
    await viewer.updateComplete;
    root.querySelector<HTMLElement>('[data-entry="tool-length"]')!.click();
    const { columns, rows } = use().ct.main;
    const { pixelSpacing } = await fileSpacing(file);
    const [a, b, c]: [number, number][] = [
      [Math.round(columns * 0.25), Math.round(rows * 0.3)],
      [Math.round(columns * 0.7), Math.round(rows * 0.55)],
      [Math.round(columns * 0.7), Math.round(rows * 0.8)],
    ];
    await drag(pagePoint(viewer, columns, rows, a), pagePoint(viewer, columns, rows, b));
    await until(() => events.some((e) => e.action === 'add'), 'the drawn length');
    const drawn = events.find((e) => e.action === 'add')!.measurement;
    // Within the rounding of the mouse to whole CSS pixels (a few image pixels at this zoom).
    const tolerance = (3 * Math.max(columns, rows)) / viewerCanvas(viewer).getBoundingClientRect().width;
    expect(drawn.kind).to.equal('length');
    expect(drawn.value!).to.be.closeTo(distance(a, b, pixelSpacing!), tolerance * Math.max(...pixelSpacing!));
    expect(drawn.value!).to.be.closeTo(distance(drawn.imagePoints[0]!, drawn.imagePoints[1]!, pixelSpacing!), 1e-3);
    await drag(pagePoint(viewer, columns, rows, drawn.imagePoints[1]!.map(Math.round) as [number, number]), pagePoint(viewer, columns, rows, c));
    await until(() => events.some((e) => e.action === 'change'), 'the edit');
    const edited = events.filter((e) => e.action === 'change').at(-1)!.measurement;
    expect(edited.id).to.equal(drawn.id);
    expect(edited.value!).to.be.closeTo(distance(a, c, pixelSpacing!), tolerance * Math.max(...pixelSpacing!));
    expect(viewer.getMeasurements()).to.deep.equal([edited]);
    // The handle just dragged selected the measurement: Delete in the image area removes it.
    root.querySelector<HTMLElement>('[part="viewport"]')!.focus();
    await sendKeys({ press: 'Delete' });
    await until(() => events.some((e) => e.action === 'remove'), 'Delete removing the selected measurement');
    expect(events.at(-1)!.measurement.id).to.equal(drawn.id);
    expect(viewer.getMeasurements()).to.deep.equal([]);
    root.querySelector<HTMLElement>('[data-item="tool-windowLevel"]')!.click();
  });

  it('asks for an arrow’s label in a field over the image, and reports the arrow with it', async () => {
    const events = recordMeasurementEvents(viewer);
    const root = viewer.shadowRoot!;
    root.querySelector<HTMLElement>('[data-menu-trigger="measure"]')!.click();
    await viewer.updateComplete;
    root.querySelector<HTMLElement>('[data-entry="tool-arrow"]')!.click();
    const { columns, rows } = use().ct.main;
    const tip: [number, number] = [Math.round(columns * 0.5), Math.round(rows * 0.5)];
    await drag(pagePoint(viewer, columns, rows, tip), pagePoint(viewer, columns, rows, [Math.round(columns * 0.7), Math.round(rows * 0.3)]));
    await until(() => root.activeElement?.matches('.measurement-label input') ?? false, 'the label field focused');
    expect(events, 'no arrow before its label').to.deep.equal([]);
    await sendKeys({ type: 'Lesion 1' });
    await sendKeys({ press: 'Enter' });
    await until(() => events.some((e) => e.action === 'add'), 'the labelled arrow');
    const arrow = events.find((e) => e.action === 'add')!.measurement;
    expect(arrow).to.include({ kind: 'arrow', label: 'Lesion 1' });
    expect(Math.hypot(arrow.imagePoints[0]![0] - tip[0], arrow.imagePoints[0]![1] - tip[1])).to.be.lessThan(4);
    expect(root.querySelector('.measurement-label')).to.equal(null);
    root.querySelector<HTMLElement>('[data-item="tool-windowLevel"]')!.click();
  });

  it('keeps a measurement while another series is shown, and choosing it in the list brings back its series, image and drawing', async () => {
    const root = viewer.shadowRoot!;
    const series = viewer.getViewState().seriesInstanceUID;
    const otherIndex = imageIndex > 0 ? imageIndex - 1 : imageIndex + 1;
    const made = viewer.addMeasurement({ kind: 'length', imageIndex: otherIndex, imagePoints: [[30, 40], [70, 40]] })!;
    const other = [...root.querySelectorAll<HTMLElement>('[data-series]')].map((b) => b.dataset.series!).find((uid) => uid !== series)!;
    let ready = nextEvent(viewer, 'filmless-ready');
    viewer.showSeries(0, other);
    await ready;
    expect(viewer.getMeasurements()).to.deep.equal([made]);
    if (!root.querySelector('#series.open')) root.querySelector<HTMLElement>('.series-toggle')!.click();
    await viewer.updateComplete;
    ready = nextEvent(viewer, 'filmless-ready');
    root.querySelector<HTMLElement>(`.measurement-entry[data-measurement="${made.id}"]`)!.click();
    await ready;
    await until(() => viewer.getViewState().imageIndex === otherIndex, 'the measurement’s image');
    expect(viewer.getViewState().seriesInstanceUID).to.equal(series);
    await until(() => root.querySelector(`[part="viewport"] svg [data-annotation-uid="${made.id}"]`) !== null, 'the measurement drawn again');
    expect(viewer.getMeasurements()).to.deep.equal([made]);
    root.querySelector<HTMLElement>('.series-toggle')!.click();
  });

  it('removes a measurement clicked with the eraser, and every one with Delete all', async () => {
    const events = recordMeasurementEvents(viewer);
    const root = viewer.shadowRoot!;
    const { columns, rows } = use().ct.main;
    const line: [number, number][] = [[Math.round(columns * 0.3), Math.round(rows * 0.4)], [Math.round(columns * 0.7), Math.round(rows * 0.4)]];
    const shown = viewer.getViewState().imageIndex; // the eraser acts on the image on screen
    const erased = viewer.addMeasurement({ kind: 'length', imageIndex: shown, imagePoints: line })!;
    const kept = [
      viewer.addMeasurement({ kind: 'probe', imageIndex: shown, imagePoints: [[20, 20]] })!,
      viewer.addMeasurement({ kind: 'rectangleRoi', imageIndex: shown, imagePoints: [[30, 60], [60, 90]] })!,
    ];
    const chooseFromMenu = async (entry: string) => {
      root.querySelector<HTMLElement>('[data-menu-trigger="measure"]')!.click();
      await viewer.updateComplete;
      root.querySelector<HTMLElement>(`[data-entry="${entry}"]`)!.click();
    };
    await chooseFromMenu('tool-eraser');
    await sendMouse({ type: 'move', position: pagePoint(viewer, columns, rows, [Math.round(columns * 0.5), Math.round(rows * 0.4)]) });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'up' });
    await until(() => events.some((e) => e.action === 'remove'), 'the erased length');
    expect(events.map((e) => [e.action, e.measurement.id])).to.deep.equal([
      ...[erased, ...kept].map((m) => ['add', m.id]),
      ['remove', erased.id],
    ]);
    await chooseFromMenu('measure-delete-all');
    await until(() => viewer.getMeasurements().length === 0, 'every measurement deleted');
    expect(events.slice(4).map((e) => [e.action, e.measurement.id])).to.have.deep.members(kept.map((m) => ['remove', m.id]));
    root.querySelector<HTMLElement>('[data-item="tool-windowLevel"]')!.click();
  });

  it('chooses a tool from the Measure menu by keyboard, and deletes a measurement selected in the list with the Delete key', async () => {
    const root = viewer.shadowRoot!;
    const trigger = root.querySelector<HTMLElement>('[data-menu-trigger="measure"]')!;
    trigger.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => root.activeElement?.getAttribute('data-entry') === 'tool-length', 'the menu’s first tool focused');
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'Enter' });
    trigger.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => root.querySelector('[data-entry="tool-angle"]') !== null, 'the menu again');
    expect(root.querySelector('[data-entry="tool-angle"]')!.getAttribute('aria-checked')).to.equal('true');
    await sendKeys({ press: 'Escape' });

    const events = recordMeasurementEvents(viewer);
    const made = viewer.addMeasurement({ kind: 'length', imageIndex, imagePoints: [[10, 10], [50, 50]] })!;
    const other = viewer.addMeasurement({ kind: 'probe', imageIndex, imagePoints: [[20, 20]] })!;
    // The list is at the foot of the series panel (collapsed at this width).
    if (!root.querySelector('#series.open')) root.querySelector<HTMLElement>('.series-toggle')!.click();
    await viewer.updateComplete;
    const entry = root.querySelector<HTMLElement>(`.measurement-entry[data-measurement="${made.id}"]`);
    expect(entry, 'the list shows the measurement').to.not.equal(null);
    entry!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => entry!.getAttribute('aria-pressed') === 'true', 'the entry selected');
    await sendKeys({ press: 'Delete' });
    await until(() => events.some((e) => e.action === 'remove'), 'the removal');
    expect(events.filter((e) => e.action === 'remove').map((e) => e.measurement.id)).to.deep.equal([made.id]);
    expect(viewer.getMeasurements().map((m) => m.id)).to.deep.equal([other.id]);
    await viewer.updateComplete;
    expect(root.querySelector(`[data-measurement="${made.id}"]`)).to.equal(null);
  });
});

describeEachDataset('lengths on the MR', (use) => {
  after(() => cleanup());

  it('measures a horizontal and a diagonal length as the distance from the file’s PixelSpacing (within 0.5 %)', async () => {
    const viewer = await open({ accessionNumber: use().accessions.measurementsMr });
    const imageIndex = viewer.getViewState().imageIndex;
    expect(imageIndex).to.equal(use().mr.main.middleIndex);
    await expectLengths(viewer, use().mr.main.middleFile, imageIndex);
  });
});

/** What pacs-info tells of the robustness folders (robustness-studies.ts), as far as these tests read it. */
interface RobustnessInfo {
  robustness?: Record<string, { series: { studyInstanceUID: string; seriesInstanceUID: string; files: string[]; sopInstanceUIDs: string[] }[] }>;
}

/** A robustness folder's series (loaded into the test PACS by robustness-studies.ts), if it is loaded. */
function robustnessSeries(pacs: PacsInfo, folder: string, fileName: string) {
  const entry = (pacs as PacsInfo & RobustnessInfo).robustness?.[folder];
  const series = entry?.series.find((s) => s.files.some((f) => f.endsWith(fileName)));
  if (!series) return undefined;
  const index = series.files.findIndex((f) => f.endsWith(fileName));
  return { series, file: series.files[index]!, sopInstanceUID: series.sopInstanceUIDs[index]! };
}

describeOn('real', 'calibration of lengths', () => {
  afterEach(() => cleanup());

  async function openSeries(folder: string, fileName: string, context: Mocha.Context) {
    const pacs = await pacsInfo();
    const found = robustnessSeries(pacs, folder, fileName);
    if (!found) context.skip();
    const viewer = await open({ studyUid: found!.series.studyInstanceUID });
    if (viewer.getViewState().seriesInstanceUID !== found!.series.seriesInstanceUID) {
      const ready = nextEvent(viewer, 'filmless-ready');
      viewer.showSeries(0, found!.series.seriesInstanceUID);
      await ready;
    }
    return { viewer, ...found! };
  }

  // The PMOD-written non-square MR (robustness/mr-nonsquare-matrix-d2n, 4.0 × 6.4 mm) declares ISO 2022 IR 13,
  // where the byte 0x5C reads as a yen sign: Orthanc's DICOM JSON then carries no PixelSpacing at all, so the
  // viewer can only measure it in pixels. The Hyperfine MR's pixels (1.61 × 1.59 mm) are non-square too.
  it('measures non-square pixels (Hyperfine MR, 1.61 × 1.59 mm) as the file’s PixelSpacing says, in both directions', async function () {
    const { viewer, file, sopInstanceUID } = await openSeries('robustness/multiframe-mr-d2n-hyperfine', '001.dcm', this);
    const { pixelSpacing, rows, columns } = await fileSpacing(file);
    expect(pixelSpacing![0]).to.not.equal(pixelSpacing![1]);
    for (const imagePoints of [
      [[2, rows >> 1], [columns - 3, rows >> 1]],
      [[columns >> 1, 2], [columns >> 1, rows - 3]],
      [[3, 3], [columns - 4, rows - 4]],
    ] as [number, number][][]) {
      const made = viewer.addMeasurement({ kind: 'length', sopInstanceUID, frame: 4, imagePoints })!;
      const expected = distance(imagePoints[0]!, imagePoints[1]!, pixelSpacing!);
      expect(made.sopInstanceUID).to.equal(sopInstanceUID);
      expect(made.frame).to.equal(4);
      expect(Math.abs(made.value! - expected) / expected, `${made.value} vs ${expected}`).to.be.lessThan(0.005);
    }
  });

  it('labels a length on ImagerPixelSpacing-only data (a CR) as measured at the detector', async function () {
    const { viewer, file, sopInstanceUID } = await openSeries('robustness/monochrome1-pydicom', 'CR1_6154', this);
    const { pixelSpacing, imagerPixelSpacing } = await fileSpacing(file);
    expect(pixelSpacing).to.equal(undefined);
    const made = viewer.addMeasurement({ kind: 'length', sopInstanceUID, imagePoints: [[1, 1], [13, 10]] })!;
    expect(made.calibration).to.equal('detector');
    expect(made.unit).to.equal('mm');
    expect(made.value!).to.be.closeTo(distance([1, 1], [13, 10], imagerPixelSpacing!), 1e-6);
    await viewer.updateComplete;
    const listed = viewer.shadowRoot!.querySelector(`[data-measurement="${made.id}"]`)?.textContent ?? '';
    expect(listed).to.contain('detector');
  });

  it('measures in pixels, labelled uncalibrated, where the file has no spacing', async function () {
    const { viewer, file, sopInstanceUID } = await openSeries('robustness/monochrome1-pydicom', 'RG3_J2KR.dcm', this);
    const spacing = await fileSpacing(file);
    expect(spacing.pixelSpacing ?? spacing.imagerPixelSpacing).to.equal(undefined);
    const made = viewer.addMeasurement({ kind: 'length', sopInstanceUID, imagePoints: [[100, 100], [400, 500]] })!;
    expect(made.calibration).to.equal('uncalibrated');
    expect(made.unit).to.equal('px');
    expect(made.value!).to.be.closeTo(500, 1e-6);
    await viewer.updateComplete;
    expect(viewer.shadowRoot!.querySelector(`[data-measurement="${made.id}"]`)?.textContent ?? '').to.contain('uncalibrated');
  });
});

describeOn('generated', 'measurements on both renderers', () => {
  afterEach(() => {
    cleanup();
    FilmlessViewer.renderer = 'auto';
  });

  it('draws a length and an ellipse on the image and measures them alike with WebGL and the CPU renderer', async () => {
    const pacs = await pacsInfo();
    const results: Record<string, FilmlessMeasurement[]> = {};
    for (const renderer of ['gpu', 'cpu'] as const) {
      FilmlessViewer.renderer = renderer;
      const viewer = await open({ accessionNumber: pacs.accessions.measurements });
      const imageIndex = viewer.getViewState().imageIndex;
      const made = [
        viewer.addMeasurement({ kind: 'length', imageIndex, imagePoints: [[20, 30], [90, 70]] })!,
        viewer.addMeasurement({ kind: 'ellipseRoi', imageIndex, imagePoints: [[30, 30], [80, 70]] })!,
      ];
      // Cornerstone draws each annotation in the viewport's SVG layer, tagged with its id.
      for (const m of made) {
        await until(() => viewer.shadowRoot!.querySelector(`[part="viewport"] svg [data-annotation-uid="${m.id}"]`) !== null, `${m.kind} drawn on ${renderer}`);
      }
      results[renderer] = made.map(({ id: _id, ...rest }) => (void _id, rest as FilmlessMeasurement));
      cleanup();
    }
    expect(results.cpu).to.deep.equal(results.gpu);
  });
});
