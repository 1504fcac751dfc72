// Every image type on screen: each series of the generated image-type studies (always there:
// test/support/image-type-studies.ts) and of every folder of ../shared/dicom's robustness/ and
// transfer-syntaxes/ (when present: test/support/robustness-studies.ts), one accession number per folder,
// is shown by a viewer that switches study and series, and checked against the files as Node decodes them
// (test/support/file-values.ts: dicom-parser, DCMTK, OpenJPEG; never the viewer's code):
// - it ends ready, or in the `unsupported` error README documents (12-bit JPEG with successive
//   approximation), and a series without pixel data is listed as `non-image`, never an error;
// - the probe equals the file's modality values at 3 points, on every image of the series, each image a
//   distinct frame, in the order of the frames' positions (enhanced multi-frame: per-frame groups);
// - MONOCHROME1 shows low values bright, MONOCHROME2 dark (the lean first image too);
// - colour images show the file's colours (chroma where the file has it);
// - without a window in the file, the auto-window leaves the pixel padding out.
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { FilmlessErrorDetail, FilmlessReadyDetail, FilmlessResolvedDetail } from '../../src/index.js';
import { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { SeriesValues } from '../support/file-values.js';
import { GENERATED_IMAGE_TYPES, ROBUSTNESS_ACCESSIONS } from '../support/robustness-names.js';
import type { RobustnessFolder, RobustnessSeries, RobustnessStudies } from '../support/robustness-studies.js';
import { cleanup, describeOn, imageToCanvas, mountViewer, pacsInfo, until, viewerCanvas } from '../support/browser.js';

const info = await pacsInfo();

async function seriesValues(files: string[]): Promise<SeriesValues> {
  return (await executeServerCommand('series-values', { files })) as SeriesValues;
}

/** The RGB (0–255) of the canvas at (x, y), averaged over a 3×3 square. */
function canvasRgb(canvas: HTMLCanvasElement, x: number, y: number): [number, number, number] {
  const data = canvas.getContext('2d', { willReadFrequently: true })!.getImageData(Math.round(x) - 1, Math.round(y) - 1, 3, 3).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += data[i + c]!;
  return sum.map((v) => v / 9) as [number, number, number];
}

function grey(rgb: [number, number, number]): number {
  return (rgb[0] + rgb[1] + rgb[2]) / 3;
}

/** |probe − file| allowed: float rounding for lossless data; two stored steps where decoders may round a lossy frame differently. */
function tolerance(facts: SeriesValues, value: number): number {
  return Math.max(1e-3, Math.abs(value) * 1e-5) + (facts.lossy ? 2 * facts.step : 0);
}

/** Frames of the series whose values at the points equal the probe's. */
function matchingFrames(facts: SeriesValues, probed: (number | undefined)[]): number[] {
  return facts.frames.flatMap((frame, index) => (frame.values.every(([v], i) => probed[i] !== undefined && Math.abs(probed[i]! - v!) <= tolerance(facts, v!)) ? [index] : []));
}

interface Outcome {
  event: CustomEvent<FilmlessReadyDetail | FilmlessErrorDetail>;
  /** The lean first image's canvas as drawn at filmless-first-image, when the lean path drew it. */
  lean?: HTMLCanvasElement;
  /** The window the lean first image was drawn with. */
  leanWindow?: [number, number];
}

/** Runs `trigger` and waits for the given series to be ready in the viewer, or for an error. */
async function shown(viewer: FilmlessViewer, seriesUID: string | undefined, trigger: () => void): Promise<Outcome> {
  const outcome: Partial<Outcome> = {};
  const onFirst = () => {
    const lean = viewer.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.first-image');
    if (!lean || lean.hidden) return;
    const copy = document.createElement('canvas');
    copy.width = lean.width;
    copy.height = lean.height;
    copy.getContext('2d')!.drawImage(lean, 0, 0);
    outcome.lean = copy;
    const { windowCenter, windowWidth } = viewer.getViewState();
    outcome.leanWindow = [windowCenter, windowWidth];
  };
  viewer.addEventListener('filmless-first-image', onFirst, { once: true });
  const event = new Promise<CustomEvent<FilmlessReadyDetail | FilmlessErrorDetail>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`series ${seriesUID ?? '(default)'}: no filmless-ready or filmless-error within 30 s`)), 30_000);
    const done = (e: Event) => {
      const ready = e.type === 'filmless-ready' ? (e as CustomEvent<FilmlessReadyDetail>).detail : undefined;
      if (ready && seriesUID && ready.seriesInstanceUID !== seriesUID) return;
      clearTimeout(timer);
      viewer.removeEventListener('filmless-ready', done);
      viewer.removeEventListener('filmless-error', done);
      resolve(e as CustomEvent<FilmlessReadyDetail | FilmlessErrorDetail>);
    };
    viewer.addEventListener('filmless-ready', done);
    viewer.addEventListener('filmless-error', done);
  });
  trigger();
  outcome.event = await event;
  viewer.removeEventListener('filmless-first-image', onFirst);
  return outcome as Outcome;
}

/** The probe at the points, once the image at `index` is on screen and decoded. */
async function probeAt(viewer: FilmlessViewer, facts: SeriesValues, index: number): Promise<(number | undefined)[]> {
  const delta = index - viewer.getViewState().imageIndex;
  if (delta !== 0) viewer.scrollImages(delta);
  let probed: (number | undefined)[] = [];
  await until(() => {
    if (viewer.getViewState().imageIndex !== index) return false;
    probed = facts.points.map(([c, r]) => viewer.probe(c, r));
    return matchingFrames(facts, probed).length > 0;
  }, `image ${index} on screen with the values of one of the series' frames`, 10_000).catch(() => undefined);
  return probed;
}

/**
 * The suite's body, for a set of folders (each: one accession number, its studies and series, and the
 * files they were made from).
 */
function eachFolderShown(label: string, folders: string[], studiesOf: () => RobustnessStudies | undefined, renderer: 'auto' | 'gpu' = 'auto'): void {
  const table: string[] = [];
  let startedAt = 0;
  let viewer: FilmlessViewer;
  let resolved: FilmlessResolvedDetail | undefined;

  before(function (this: Mocha.Context) {
    if (!studiesOf()) this.skip();
    // Page-wide: `auto` is Cornerstone's CPU renderer on this software rasterizer; `gpu` forces WebGL.
    FilmlessViewer.renderer = renderer;
    startedAt = performance.now();
  });
  // A new viewer per folder: its first series goes the way a page's first image goes (the lean first
  // image where it can), the folder's other series through Cornerstone.
  beforeEach(() => {
    resolved = undefined;
    viewer = mountViewer({ dicomwebUrl: info.gatewayUrl, token: info.token }, 'width: 512px; height: 512px');
    viewer.addEventListener('filmless-resolved', (e) => (resolved = (e as CustomEvent<FilmlessResolvedDetail>).detail));
  });
  afterEach(cleanup);
  after(() => {
    FilmlessViewer.renderer = 'auto';
    if (table.length) console.log(`${label} × series → what the viewer shows (${Math.round((performance.now() - startedAt) / 1000)} s):\n${table.join('\n')}`);
  });

  /** Opens the series' study (by accession number when the folder holds one study) and then the series. */
  async function open(entry: RobustnessFolder, series: RobustnessSeries): Promise<Outcome> {
    if (resolved?.studyInstanceUID !== series.studyInstanceUID) {
      resolved = undefined;
      const outcome = await shown(viewer, undefined, () => {
        if (entry.studyInstanceUIDs.length === 1) {
          viewer.studyUid = '';
          viewer.accessionNumber = entry.accession;
        } else {
          viewer.accessionNumber = '';
          viewer.studyUid = series.studyInstanceUID;
        }
      });
      if (outcome.event.type === 'filmless-error' || (outcome.event.detail as FilmlessReadyDetail).seriesInstanceUID === series.seriesInstanceUID) return outcome;
    }
    return shown(viewer, series.seriesInstanceUID, () => viewer.selectSeries(series.seriesInstanceUID));
  }

  for (const folder of folders) {
    it(`${folder}: every series is shown with the file's values, or refused as documented`, async function () {
      this.timeout(120_000);
      const entry = studiesOf()?.[folder];
      if (!entry) this.skip();
      for (const series of entry.series) {
        const name = `${folder} ${series.files.map((f) => f.split('/').pop()).join(', ')}`;
        const facts = await seriesValues(series.files);
        if (!facts.hasPixels) {
          // Listed as a series without images, never shown, never an error: asking for it is ignored.
          const opened = resolved?.studyInstanceUID === series.studyInstanceUID ? undefined : await open(entry, series);
          const listed = resolved?.series.find((s) => s.seriesInstanceUID === series.seriesInstanceUID);
          expect(listed?.kind, `${name} is listed as non-image`).to.equal('non-image');
          const error = opened?.event.type === 'filmless-error' ? (opened.event.detail as FilmlessErrorDetail) : undefined;
          const images = resolved!.series.filter((s) => s.kind === 'image').length;
          if (images === 0) {
            expect(error?.code, `${name}: a study without images`).to.equal('unsupported');
          } else {
            const before = viewer.getViewState().seriesInstanceUID;
            viewer.selectSeries(series.seriesInstanceUID);
            await viewer.updateComplete;
            expect([viewer.status, viewer.getViewState().seriesInstanceUID], `${name}: selecting it changes nothing`).to.deep.equal(['ready', before]);
          }
          table.push(`  ${name}: listed as a non-image series${images === 0 ? ' (its study has no images: unsupported, as documented)' : ', beside the study\'s images; selecting it is ignored'}`);
          continue;
        }
        const outcome = await open(entry, series);
        const listed = resolved?.series.find((s) => s.seriesInstanceUID === series.seriesInstanceUID);
        const error = outcome.event.type === 'filmless-error' ? (outcome.event.detail as FilmlessErrorDetail) : undefined;
        expect(listed?.kind, `${name} kind`).to.equal('image');
        if (facts.refusal) {
          expect(error?.code, `${name}: ${facts.refusal}`).to.equal('unsupported');
          table.push(`  ${name}: refused as unsupported (${facts.refusal})`);
          continue;
        }
        expect(error, `${name}: ${JSON.stringify(error)}`).to.equal(undefined);
        expect(viewer.status).to.equal('ready');
        if (renderer === 'gpu') expect((outcome.event.detail as FilmlessReadyDetail).renderer).to.equal('gpu');
        const state = viewer.getViewState();
        const notes: string[] = [`${facts.photometric}, ${state.imageCount} image(s) of ${facts.frames.length} frame(s)`];
        const colour = facts.samplesPerPixel === 3 || facts.photometric === 'PALETTE COLOR';
        if (colour) {
          // The most colourful flat place of the file, on the canvas: the file's colour, chroma and all.
          const canvas = viewerCanvas(viewer);
          const { point, rgb } = facts.colourful!;
          const shownRgb = canvasRgb(canvas, ...imageToCanvas(canvas, facts.columns, facts.rows, point[0], point[1]));
          // Chroma on screen wherever the files have it: the highest of the canvas, on a grid.
          let canvasChroma = 0;
          for (let y = 4; y < canvas.height - 4; y += canvas.height / 48) {
            for (let x = 4; x < canvas.width - 4; x += canvas.width / 48) {
              const c = canvasRgb(canvas, x, y);
              canvasChroma = Math.max(canvasChroma, Math.max(...c) - Math.min(...c));
            }
          }
          if (facts.leastFrameChroma! >= 30) expect(canvasChroma, `${name}: the canvas's highest chroma (the files' frames reach ${facts.leastFrameChroma} at least)`).to.be.greaterThan(facts.leastFrameChroma! / 2);
          notes.push(`chroma up to ${Math.round(canvasChroma)} on the canvas (each frame of the file reaches ${facts.leastFrameChroma})`);
          if (facts.frames.length === 1) {
            // One image: the file's colour at its most colourful flat place.
            shownRgb.forEach((v, i) => expect(Math.abs(v - rgb[i]!), `${name}: channel ${i} at ${point} (file ${rgb}, canvas ${shownRgb.map(Math.round)})`).to.be.at.most(40));
            notes.push(`colour ${shownRgb.map(Math.round).join('/')} where the file has ${rgb.join('/')}`);
          }
          table.push(`  ${name}: ready, ${notes.join('; ')}`);
          continue;
        }
        // Every image a distinct frame of the files, with their values at the 3 points, in position order.
        const frameOf: number[] = [];
        for (let index = 0; index < state.imageCount; index++) {
          const probed = await probeAt(viewer, facts, index);
          const matches = matchingFrames(facts, probed);
          expect(matches, `${name}: image ${index} probes ${probed.join(', ')}; the files have ${facts.frames.map((f) => f.values.join('/')).join(' | ')}`).to.have.length.above(0);
          if (matches.length === 1) frameOf.push(matches[0]!);
        }
        expect(new Set(frameOf).size, `${name}: each image a different frame`).to.equal(frameOf.length);
        const positions = frameOf.map((f) => facts.frames[f]!.position);
        if (frameOf.length > 2 && positions.every((p) => p !== undefined)) {
          const steps = positions.slice(1).map((p, i) => Math.sign(p! - positions[i]!));
          expect(new Set(steps).size, `${name}: positions in order (${positions.map((p) => p!.toFixed(2)).join(', ')})`).to.equal(1);
        }
        if (/enhanced-mr/.test(folder)) expect(state.imageCount, `${name}: every frame shown`).to.equal(facts.frames.length);
        notes.push(`probe = file at 3 points on every image${frameOf.length > 2 ? ', in position order' : ''}`);
        if (!facts.hasWindow && facts.padding !== undefined) {
          // No window in the file: the auto-window spans the image's values, the padding left out.
          const { windowCenter, windowWidth } = viewer.getViewState();
          const [low, high] = facts.range!;
          const lower = windowCenter - windowWidth / 2;
          expect(lower, `${name}: auto-window ${windowCenter}/${windowWidth} leaves out the padding ${facts.padding} (values ${low}–${high})`).to.be.greaterThan(facts.padding + (low - facts.padding) / 2);
          expect(windowCenter + windowWidth / 2, `${name}: auto-window reaches the image's values`).to.be.greaterThan(low);
          notes.push(`auto-window ${Math.round(windowCenter)}/${Math.round(windowWidth)} without the padding (${facts.padding})`);
          if (outcome.leanWindow) {
            // The lean first image had the same window: no change of contrast at the hand-over (Cornerstone
            // reports its range as DICOM's linear window, centre and width one half and one unit larger).
            const [leanCenter, leanWidth] = outcome.leanWindow;
            expect([Math.abs(leanCenter - windowCenter) <= 1, Math.abs(leanWidth - windowWidth) <= 1], `${name}: the lean first image's window ${outcome.leanWindow} vs ${windowCenter}/${windowWidth}`).to.deep.equal([true, true]);
            notes.push('the lean first image too');
          }
        }
        // MONOCHROME1: low values bright; MONOCHROME2: dark. On the image the points were chosen on.
        if (facts.frames.length === 1 && facts.high!.value > facts.low!.value) {
          const canvases: [string, HTMLCanvasElement][] = [['canvas', viewerCanvas(viewer)]];
          if (outcome.lean) canvases.push(['lean first image', outcome.lean]);
          for (const [what, canvas] of canvases) {
            const at = (p: [number, number]) => grey(canvasRgb(canvas, ...imageToCanvas(canvas, facts.columns, facts.rows, p[0], p[1])));
            const [low, high] = [at(facts.low!.point), at(facts.high!.point)];
            if (facts.photometric === 'MONOCHROME1') expect(low, `${name} ${what}: low value ${facts.low!.value} brighter than high ${facts.high!.value}`).to.be.greaterThan(high + 10);
            else expect(low, `${name} ${what}: low value ${facts.low!.value} not brighter than high ${facts.high!.value}`).to.be.at.most(high + 2);
            notes.push(`${what}: grey ${Math.round(low)} at the low value, ${Math.round(high)} at the high`);
          }
        }
        table.push(`  ${name}: ready, ${notes.join('; ')}`);
      }
    });
  }
}

describe('Every image type on screen, checked against the files: generated MONOCHROME1, RGB, high bits, signed data, padding, a report', () => {
  eachFolderShown('generated image type', Object.keys(GENERATED_IMAGE_TYPES), () => info.imageTypes);
});

describe('Every image type on screen on the WebGL renderer too: the generated samples', () => {
  eachFolderShown('generated image type (WebGL)', Object.keys(GENERATED_IMAGE_TYPES), () => info.imageTypes, 'gpu');
});

describeOn('real', 'Every image type on screen, checked against the files: each series of robustness/ and transfer-syntaxes/', () => {
  eachFolderShown('robustness folder', Object.keys(ROBUSTNESS_ACCESSIONS), () => info.robustness);
});
