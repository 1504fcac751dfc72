// Orientation and geometry, checked against the files: orientation markers (letters computed here from
// each file's ImageOrientationPatient, read with dicom-parser in Node), after rotation and flip; stacks
// (a series of two echoes at the same positions scrolls as two stacks, each with its own pixels); and
// warnings (missing slices, gantry tilt, lossy) on series written from the generated studies and, with
// ../shared/dicom, on its real examples.
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { FilmlessReadyDetail, FilmlessResolvedDetail, FilmlessSeriesCheckedDetail, FilmlessViewState } from '../../src/index.js';
import { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { FileGeometry } from '../support/dicom-geometry.js';
import type { GeometryStudies } from '../support/geometry-studies.js';
import type { RobustnessFolder } from '../support/robustness-studies.js';
import { cleanup, describeEachDataset, describeOn, imageToCanvas, mountViewer, nextEvent, pacsInfo, storedPixel, until, viewerCanvas } from '../support/browser.js';

type Edges = { top: string; right: string; bottom: string; left: string };

/** The letters of a patient direction (LPS): strongest axis first, a second when its cosine reaches 0.25. */
function letters(v: number[]): string {
  const names = [['L', 'R'], ['P', 'A'], ['H', 'F']] as const;
  const ranked = [0, 1, 2].sort((a, b) => Math.abs(v[b]!) - Math.abs(v[a]!));
  const letter = (axis: number) => names[axis]![v[axis]! >= 0 ? 0 : 1];
  return Math.abs(v[ranked[1]!]!) >= 0.25 ? letter(ranked[0]!) + letter(ranked[1]!) : letter(ranked[0]!);
}

const minus = (v: number[]) => v.map((x) => -x);

/** What each edge shows, from the file's row and column directions, as a reader expects it. */
function expectedEdges(iop: number[], turn: 'none' | 'rotate90' | 'flipH'): Edges {
  const row = iop.slice(0, 3);
  const column = iop.slice(3, 6);
  if (turn === 'rotate90') {
    // Turned clockwise: the top goes right, the left goes to the top.
    return { top: letters(minus(row)), right: letters(minus(column)), bottom: letters(row), left: letters(column) };
  }
  if (turn === 'flipH') return { top: letters(minus(column)), right: letters(minus(row)), bottom: letters(column), left: letters(row) };
  return { top: letters(minus(column)), right: letters(row), bottom: letters(column), left: letters(minus(row)) };
}

const fileOrientation = async (file: string) => (await executeServerCommand('file-orientation', { file })) as number[];
const geometryStudies = async () => (await executeServerCommand('geometry-studies')) as GeometryStudies;

/** The markers drawn on the first viewport, edge by edge. */
function drawnMarkers(viewer: FilmlessViewer): Edges {
  const text = (edge: string) => viewer.shadowRoot!.querySelector(`.cell .marker[data-edge="${edge}"]`)?.textContent?.trim() ?? '';
  return { top: text('top'), right: text('right'), bottom: text('bottom'), left: text('left') };
}

function drawnWarnings(viewer: FilmlessViewer): string[] {
  return [...viewer.shadowRoot!.querySelectorAll<HTMLElement>('.cell [data-warning]')].map((e) => e.dataset.warning!);
}

async function open(props: Record<string, unknown>): Promise<{ viewer: FilmlessViewer; resolved: FilmlessResolvedDetail; ready: FilmlessReadyDetail }> {
  const pacs = await pacsInfo();
  const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, ...props });
  const resolved = nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
  const ready = await Promise.race([
    nextEvent<FilmlessReadyDetail>(viewer, 'filmless-ready', 60_000),
    nextEvent(viewer, 'filmless-error', 60_000).then((e) => Promise.reject(new Error(`filmless-error ${JSON.stringify(e.detail)}`))),
  ]);
  await viewer.updateComplete;
  return { viewer, resolved: (await resolved).detail, ready: ready.detail };
}

const firstViewport = (viewer: FilmlessViewer) => viewer.getViewState().viewports[0]!;

/** Checks the markers of the file shown, plain, after rotate 90° and after flip H (state and screen). */
async function checkMarkers(viewer: FilmlessViewer, file: string): Promise<void> {
  const iop = await fileOrientation(file);
  expect(iop, `${file} has an orientation`).to.have.length(6);
  const plain = expectedEdges(iop, 'none');
  expect(firstViewport(viewer).orientation, 'view state, as displayed').to.deep.equal(plain);
  expect(drawnMarkers(viewer), 'drawn markers').to.deep.equal(plain);

  viewer.rotate(90);
  await until(() => firstViewport(viewer).rotation === 90, 'rotated 90°');
  await viewer.updateComplete;
  expect(firstViewport(viewer).orientation, 'after rotate 90°').to.deep.equal(expectedEdges(iop, 'rotate90'));
  expect(drawnMarkers(viewer), 'drawn after rotate 90°').to.deep.equal(expectedEdges(iop, 'rotate90'));

  viewer.rotate(-90);
  await until(() => firstViewport(viewer).rotation === 0, 'rotated back');
  viewer.flip('horizontal');
  await until(() => firstViewport(viewer).flipH, 'flipped');
  await viewer.updateComplete;
  expect(firstViewport(viewer).orientation, 'after flip H').to.deep.equal(expectedEdges(iop, 'flipH'));
  expect(drawnMarkers(viewer), 'drawn after flip H').to.deep.equal(expectedEdges(iop, 'flipH'));
}

describeEachDataset('Orientation markers from ImageOrientationPatient', (use) => {
  afterEach(cleanup);

  it('shows the axial CT\'s letters at its edges, and follows rotate 90° and flip H', async () => {
    const { viewer } = await open({ accessionNumber: use().accessions.geometryCt });
    expect(firstViewport(viewer).imageIndex).to.equal(use().ct.main.middleIndex);
    await checkMarkers(viewer, use().ct.main.middleFile);
  });

  it('shows the MR\'s letters at its edges, and follows rotate 90° and flip H', async () => {
    const { viewer } = await open({ accessionNumber: use().accessions.geometryMr });
    await checkMarkers(viewer, use().mr.main.middleFile);
  });
});

for (const renderer of ['cpu', 'gpu'] as const) describe(`Orientation markers of an oblique plane, ${renderer} renderer`, () => {
  before(() => {
    FilmlessViewer.renderer = renderer;
  });
  after(() => {
    FilmlessViewer.renderer = 'auto';
  });
  afterEach(cleanup);

  it('gives an MR turned 30° two letters per edge, the stronger first, and follows rotate and flip', async () => {
    const studies = await geometryStudies();
    const { viewer, ready } = await open({ accessionNumber: studies.oblique.accession });
    expect(ready.renderer).to.equal(renderer);
    const file = studies.oblique.files[1]!;
    expect(Object.values(expectedEdges(await fileOrientation(file), 'none')).every((l) => l.length === 2), 'two letters at every edge').to.equal(true);
    await checkMarkers(viewer, file);
  });

  it('names, after rotate 90° and flip H together, the patient directions the drawn image runs in (positions under the pointer)', async () => {
    const studies = await geometryStudies();
    const { viewer } = await open({ accessionNumber: studies.oblique.accession });
    viewer.rotate(90);
    await until(() => firstViewport(viewer).rotation === 90, 'rotated');
    viewer.flip('horizontal');
    await until(() => firstViewport(viewer).rotation !== 90 || firstViewport(viewer).flipH || firstViewport(viewer).flipV, 'flipped');
    await viewer.updateComplete;
    viewer.shadowRoot!.querySelector<HTMLButtonElement>('[data-item="cursor-info"]')?.click();
    const viewport = viewer.shadowRoot!.querySelector<HTMLElement>('.cell .viewport')!;
    const box = viewport.getBoundingClientRect();
    // Cornerstone turns a point of the canvas into a patient position the way it drew the image.
    let text = '';
    const positionAt = async (fx: number, fy: number) => {
      viewport.dispatchEvent(new PointerEvent('pointermove', { clientX: box.left + box.width * fx, clientY: box.top + box.height * fy, bubbles: true, composed: true }));
      // The readout of this point: a new line (the points are far apart, so their lines differ).
      await until(() => {
        const line = viewer.shadowRoot!.querySelector('.cell .cursor-line')?.textContent ?? '';
        if (line === '' || line === text) return false;
        text = line;
        return true;
      }, 'a readout');
      return [...text.matchAll(/[XYZ] (-?[\d,]+(?:\.\d+)?)/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    };
    const centre = await positionAt(0.5, 0.5);
    const right = await positionAt(0.8, 0.5);
    const bottom = await positionAt(0.5, 0.8);
    const markers = firstViewport(viewer).orientation!;
    expect(letters(right.map((v, i) => v - centre[i]!)), `right edge, state ${JSON.stringify(firstViewport(viewer))}`).to.equal(markers.right);
    expect(letters(bottom.map((v, i) => v - centre[i]!)), 'bottom edge').to.equal(markers.bottom);
  });
});

describeOn('real', 'Orientation markers of an oblique enhanced MR', () => {
  afterEach(cleanup);

  it('gives the oblique Siemens enhanced MR the letters of its functional groups\' orientation', async () => {
    const folder = (await pacsInfo()).robustness?.['robustness/enhanced-mr-d2n-siemens'] as RobustnessFolder | undefined;
    expect(folder, 'the enhanced MR is loaded').to.not.equal(undefined);
    const { viewer } = await open({ accessionNumber: folder!.accession });
    const iop = await fileOrientation(folder!.files[0]!);
    // Oblique, though by less than 15°: one letter per edge (a second needs a cosine of 0.25).
    expect(iop.some((v) => Math.abs(v) > 0.01 && Math.abs(v) < 0.99), `oblique: ${iop.join('\\')}`).to.equal(true);
    await checkMarkers(viewer, folder!.files[0]!);
  });
});

describe('Stacks: one orientation and one acquisition each', () => {
  let studies: GeometryStudies;
  before(async () => {
    studies = await geometryStudies();
  });
  afterEach(cleanup);

  it('splits a series of two echoes at the same positions into two stacks, each scrolling through its own echo only', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: studies.echoes.accession });
    const checked = nextEvent<FilmlessSeriesCheckedDetail>(viewer, 'filmless-series-checked', 60_000);
    const ready = (await nextEvent<FilmlessReadyDetail>(viewer, 'filmless-ready', 60_000)).detail;
    const perEcho = studies.echoes.echoFiles[0].length;
    const check = (await checked).detail;
    expect(check.seriesInstanceUID).to.equal(studies.echoes.seriesInstanceUID);
    expect(check.stacks.map((s) => s.imageCount), 'two stacks of one echo each').to.deep.equal([perEcho, perEcho]);
    expect(ready.stackCount).to.equal(2);
    expect(ready.imageCount, 'the stack shown holds one echo, not both').to.equal(perEcho);

    // The series panel has a tile per stack, labelled 1/2 and 2/2.
    await viewer.updateComplete;
    const badges = [...viewer.shadowRoot!.querySelectorAll('[part="series-list"] .stack-badge')].map((b) => b.textContent?.trim());
    expect(badges).to.deep.equal(['1/2', '2/2']);
    // Each tile shows its own stack: echo 2 is a negative of echo 1 (mostly dark background), so its preview is far brighter.
    const previews = () => [...viewer.shadowRoot!.querySelectorAll<HTMLImageElement>('[part="series-list"] button[data-stack] img')];
    const meanGrey = (image: HTMLImageElement) => {
      const canvas = document.createElement('canvas');
      [canvas.width, canvas.height] = [image.naturalWidth, image.naturalHeight];
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += data[i]!;
      return sum / (data.length / 4);
    };
    // Until a stack's own preview comes, its tile shows the series' one; then the negative echo previews far brighter.
    let greys: number[] = [];
    await until(() => {
      const images = previews();
      if (images.length !== 2 || !images.every((i) => i.complete && i.naturalWidth > 0)) return false;
      greys = images.map(meanGrey);
      return greys[1]! > greys[0]! + 50;
    }, 'a preview per stack, echo 2 the negative of echo 1', 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}: greys ${greys.map((g) => g.toFixed(1)).join(' / ')}`);
    });

    for (const stack of [0, 1]) {
      if (stack === 1) {
        const next = nextEvent<FilmlessReadyDetail>(viewer, 'filmless-ready', 60_000);
        viewer.selectSeries(studies.echoes.seriesInstanceUID, 1);
        expect((await next).detail.stackIndex).to.equal(1);
      } else {
        expect(ready.stackIndex).to.equal(0);
      }
      const files = studies.echoes.echoFiles[stack]!;
      const { columns, rows } = (await pacsInfo()).data.mr.main;
      const [column, row] = [columns >> 1, rows >> 1];
      const state = firstViewport(viewer);
      viewer.scrollImages(-state.imageIndex);
      for (let index = 0; index < files.length; index++) {
        if (index > 0) viewer.scrollImages(1);
        await until(() => firstViewport(viewer).imageIndex === index, `stack ${stack} at image ${index}`);
        const expected = await storedPixel(files[index]!, column, row);
        await until(() => viewer.probe(column, row) !== undefined, 'the image is decoded');
        expect(viewer.probe(column, row), `stack ${stack} image ${index} is echo ${stack + 1}'s file`).to.equal(expected.modalityValue);
      }
    }
  });
});

describe('Warnings on series written from the generated studies', () => {
  let studies: GeometryStudies;
  before(async () => {
    studies = await geometryStudies();
  });
  afterEach(cleanup);

  const cases: [keyof Omit<GeometryStudies, 'echoes'>, string][] = [
    ['gap', 'missing-slices'],
    ['tilt', 'gantry-tilt'],
    ['lossy', 'lossy'],
  ];
  for (const [name, warning] of cases) {
    it(`reports ${warning} in filmless-ready, the series entry, filmless-series-checked and the overlay`, async () => {
      const pacs = await pacsInfo();
      const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: studies[name].accession });
      const resolved = nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
      const checked = nextEvent<FilmlessSeriesCheckedDetail>(viewer, 'filmless-series-checked', 60_000);
      const ready = (await nextEvent<FilmlessReadyDetail>(viewer, 'filmless-ready', 60_000)).detail;
      expect(ready.warnings).to.include(warning);
      expect((await checked).detail.warnings).to.include(warning);
      const entry = (await resolved).detail.series.find((s) => s.seriesInstanceUID === studies[name].seriesInstanceUID);
      expect(entry?.warnings, 'the resolved series entry gains the warnings').to.include(warning);
      await viewer.updateComplete;
      expect(drawnWarnings(viewer)).to.include(warning);
    });
  }

  it('checks the study\'s other series in the background: the CT\'s scout is reported with its stacks, a localizer when its file says so', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.geometryCt });
    const checks: FilmlessSeriesCheckedDetail[] = [];
    viewer.addEventListener('filmless-series-checked', (event) => checks.push(event.detail));
    const resolved = (await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved')).detail;
    const ready = (await nextEvent<FilmlessReadyDetail>(viewer, 'filmless-ready', 60_000)).detail;
    const scoutFacts = pacs.data.ct.series.find((s) => s.seriesInstanceUID !== pacs.data.ct.main.seriesInstanceUID && s.description !== pacs.data.ct.main.description)!;
    const scout = resolved.series.find((s) => s.description === scoutFacts.description && s.seriesInstanceUID !== ready.seriesInstanceUID);
    expect(scout, 'the study has a second series').to.not.equal(undefined);
    await until(() => checks.some((c) => c.seriesInstanceUID === scout!.seriesInstanceUID), 'the scout checked in the background', 60_000);
    const check = checks.find((c) => c.seriesInstanceUID === scout!.seriesInstanceUID)!;
    expect(check.stacks.reduce((n, s) => n + s.imageCount, 0), 'its stacks hold its images').to.equal(scoutFacts.count);
    const [file] = (await executeServerCommand('dicom-geometry', { files: [scoutFacts.files[0]!] })) as FileGeometry[];
    expect(check.warnings.includes('localizer'), `ImageType ${file!.imageType}`).to.equal(/LOCALIZER/i.test(file!.imageType));
    expect(scout!.warnings, 'the resolved entry gains them').to.deep.equal(check.warnings);
  });

  it('reports no warning on the generated CT\'s evenly spaced axial series', async () => {
    const { viewer, ready } = await open({ accessionNumber: (await pacsInfo()).accessions.geometryCt });
    expect(ready.warnings).to.deep.equal([]);
    expect(drawnWarnings(viewer)).to.deep.equal([]);
    const text = viewer.shadowRoot!.querySelector('.cell .slice-line')?.textContent ?? '';
    expect(text, 'slice location and thickness in the overlay').to.match(/mm/);
  });
});

describeOn('real', 'Warnings on ../shared/dicom\'s examples', () => {
  afterEach(cleanup);

  async function warningsOf(folderPath: string, pick?: (folder: RobustnessFolder) => string): Promise<{ ready: FilmlessReadyDetail; view: FilmlessViewState }> {
    const folder = (await pacsInfo()).robustness?.[folderPath] as RobustnessFolder | undefined;
    expect(folder, `${folderPath} is loaded`).to.not.equal(undefined);
    if (!pick) {
      const { viewer, ready } = await open({ accessionNumber: folder!.accession });
      return { ready, view: viewer.getViewState() };
    }
    // One series of a folder whose default series may be one the viewer refuses: shown as soon as the study is known.
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: folder!.accession });
    await nextEvent(viewer, 'filmless-resolved');
    const series = pick(folder!);
    const shown = new Promise<FilmlessReadyDetail>((resolve) =>
      viewer.addEventListener('filmless-ready', (event) => event.detail.seriesInstanceUID === series && resolve(event.detail)),
    );
    viewer.showSeries(0, series);
    return { ready: await shown, view: viewer.getViewState() };
  }

  it('reports missing-slices on robustness/ct-missing-slice-d2n', async () => {
    expect((await warningsOf('robustness/ct-missing-slice-d2n')).ready.warnings).to.include('missing-slices');
  });

  it('reports gantry-tilt on robustness/ct-gantry-tilt-d2n', async () => {
    expect((await warningsOf('robustness/ct-gantry-tilt-d2n')).ready.warnings).to.include('gantry-tilt');
  });

  it('reports lossy on a JPEG baseline file', async () => {
    const { ready } = await warningsOf('transfer-syntaxes/cornerstone3d-ctimage', (folder) => {
      const series = folder.series.find((s) => s.transferSyntaxUIDs.includes('1.2.840.10008.1.2.4.50'));
      expect(series, 'a JPEG baseline series').to.not.equal(undefined);
      return series!.seriesInstanceUID;
    });
    expect(ready.warnings).to.include('lossy');
  });
});

describe('The cursor readout', () => {
  afterEach(cleanup);

  it('shows, on demand, the patient position under the pointer and the CT value there, as the file gives them', async () => {
    const pacs = await pacsInfo();
    const { viewer } = await open({ accessionNumber: pacs.accessions.geometryCt });
    const facts = pacs.data.ct.main;
    const [geometry] = (await executeServerCommand('dicom-geometry', { files: [facts.middleFile] })) as FileGeometry[];
    const readout = () => viewer.shadowRoot!.querySelector('.cell .cursor-line')?.textContent ?? '';
    // Off until asked for: the toolbar's toggle.
    const toggle = viewer.shadowRoot!.querySelector<HTMLButtonElement>('[data-item="cursor-info"]');
    expect(toggle, 'a cursor readout toggle in the toolbar').to.not.equal(null);
    const viewport = viewer.shadowRoot!.querySelector<HTMLElement>('.cell .viewport')!;
    const canvas = viewerCanvas(viewer);
    const point = async (column: number, row: number) => {
      const [x, y] = imageToCanvas(canvas, facts.columns, facts.rows, column, row);
      const box = canvas.getBoundingClientRect();
      viewport.dispatchEvent(new PointerEvent('pointermove', { clientX: box.left + (x * box.width) / canvas.width, clientY: box.top + (y * box.height) / canvas.height, bubbles: true, composed: true }));
    };
    await point(facts.columns >> 1, facts.rows >> 1);
    await viewer.updateComplete;
    expect(readout(), 'nothing before it is turned on').to.equal('');
    toggle!.click();
    await viewer.updateComplete;
    expect(toggle!.getAttribute('aria-pressed')).to.equal('true');
    for (const [column, row] of [[facts.columns >> 1, facts.rows >> 1], [facts.columns >> 2, (3 * facts.rows) >> 2]] as const) {
      await point(column, row);
      await until(() => /Z .* mm/.test(readout()) && readout() !== '', 'the readout');
      const [rowSpacing, columnSpacing] = geometry!.pixelSpacing as [number, number];
      const o = geometry!.orientation;
      const expected = [0, 1, 2].map((i) => geometry!.position[i]! + column * columnSpacing * o[i]! + row * rowSpacing * o[3 + i]!);
      // English notation (the test page's language): 1,234.5.
      const shown = [...readout().matchAll(/[XYZ] (-?[\d,]+(?:\.\d+)?)/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
      // Within a pixel of the pixel pointed at (where exactly a fitted image's pixel edges fall is the renderer's).
      expect(shown.every((v, i) => Math.abs(v - expected[i]!) <= Math.max(rowSpacing, columnSpacing) + 0.06), `${readout()} vs ${expected.map((v) => v.toFixed(2)).join(', ')}`).to.equal(true);
      // The value is the file's at the position shown: that pixel (either neighbour when the rounded position lies on an edge).
      const d = shown.map((v, i) => v - geometry!.position[i]!);
      const at = (axis: number, spacing: number) => (d[0]! * o[axis]! + d[1]! * o[axis + 1]! + d[2]! * o[axis + 2]!) / spacing;
      const [c, r] = [at(0, columnSpacing), at(3, rowSpacing)];
      const candidates = new Set<number>();
      for (const cc of new Set([Math.round(c - 0.2), Math.round(c + 0.2)])) {
        for (const rr of new Set([Math.round(r - 0.2), Math.round(r + 0.2)])) candidates.add((await storedPixel(facts.middleFile, cc, rr)).modalityValue);
      }
      const value = Number(readout().match(/(-?[\d,]+(?:\.\d+)?)\s*$/)?.[1]?.replace(/,/g, ''));
      expect([...candidates], `value ${value} at ${readout()}`).to.include(value);
    }
    // The key C turns it off again.
    viewport.dispatchEvent(new KeyboardEvent('keydown', { key: 'c', bubbles: true, composed: true }));
    await viewer.updateComplete;
    expect(readout()).to.equal('');
  });
});
