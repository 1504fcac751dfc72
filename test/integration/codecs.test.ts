// Every transfer syntax on screen, on data a fresh clone has (test/support/codec-studies.ts): the npm-shipped
// GE chest CT slice in each syntax dcmtk wrote it in, the NEMA JPEG 2000 CTs, a fragmented JPEG without offset
// table, and the generated head CT transcoded by Orthanc. Each study is opened by accession number; the probe
// must give the values read from the files in Node (never by the viewer's code), the canvas must show them
// through the window, and what the viewer cannot show must end in a clear error, never a hang or a black
// image with status ready.
import { expect } from 'chai';
import type { FilmlessErrorDetail, FilmlessReadyDetail } from '../../src/index.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { CodecStudies, CodecStudy } from '../support/codec-studies.js';
import { canvasGrey, cleanup, gatewayRequests, imageToCanvas, mountViewer, nextEvent, pacsInfo, viewerCanvas, voiGrey } from '../support/browser.js';

const NAMES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (8-bit)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (12-bit)',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection (retired)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression (retired)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
};

/**
 * The syntaxes the lean first image decodes itself (README, "How it loads a study"): native little endian,
 * JPEG-LS, 8-bit baseline JPEG, lossless JPEG, JPEG 2000, HTJ2K and RLE. The rest (big endian, deflated,
 * 12-bit DCT JPEG) wait for Cornerstone.
 */
const LEAN = new Set([
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.4.202',
  '1.2.840.10008.1.2.4.203',
  '1.2.840.10008.1.2.5',
]);

/** Syntaxes a fresh clone must have data for: the issue's codecs, and what the npm images bring. */
const REQUIRED = Object.keys(NAMES).filter((ts) => ts !== '1.2.840.10008.1.2.4.91');

const info = (await pacsInfo()) as Awaited<ReturnType<typeof pacsInfo>> & { codecs?: CodecStudies };
const codecs = info.codecs ?? { studies: [], refused: [] };

function leanCanvas(viewer: FilmlessViewer): HTMLCanvasElement | null {
  return viewer.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.first-image');
}

/** How many distinct grey levels the fitted image shows on a 32×32 grid, and their spread. */
function greyStats(canvas: HTMLCanvasElement, columns: number, rows: number): { levels: number; spread: number } {
  const values: number[] = [];
  for (let r = 0; r < 32; r++) for (let c = 0; c < 32; c++) values.push(Math.round(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ((c + 0.5) * columns) / 32, ((r + 0.5) * rows) / 32), 0)));
  return { levels: new Set(values).size, spread: Math.max(...values) - Math.min(...values) };
}

interface Shown {
  outcome: CustomEvent;
  path?: 'lean' | 'cornerstone';
  /** The lean canvas as drawn at filmless-first-image (it is released at the hand-over). */
  firstCopy?: HTMLCanvasElement;
  /** `probe()` at each of the study's points at filmless-first-image, before Cornerstone shows the image. */
  firstProbes?: (number | undefined)[];
  ms: number;
  /** When the viewer was mounted (the gateway's clock is this machine's). */
  startedAt: Date;
}

async function show(study: CodecStudy): Promise<{ viewer: FilmlessViewer; shown: Shown }> {
  const viewer = mountViewer({ dicomwebUrl: info.gatewayUrl, token: info.token, accessionNumber: study.accession });
  const started = performance.now();
  const shown: Partial<Shown> = { startedAt: new Date(Date.now() - 1) };
  viewer.addEventListener(
    'filmless-first-image',
    () => {
      const lean = leanCanvas(viewer);
      shown.path = lean && !lean.hidden ? 'lean' : 'cornerstone';
      if (lean && !lean.hidden) {
        const copy = document.createElement('canvas');
        copy.width = lean.width;
        copy.height = lean.height;
        copy.getContext('2d')!.drawImage(lean, 0, 0);
        shown.firstCopy = copy;
        shown.firstProbes = study.points.map((p) => viewer.probe(p.column, p.row));
      }
    },
    { once: true },
  );
  // Never a hang: one of the two within 25 s.
  shown.outcome = await Promise.race([nextEvent(viewer, 'filmless-ready', 25_000), nextEvent(viewer, 'filmless-error', 25_000)]);
  shown.ms = Math.round(performance.now() - started);
  return { viewer, shown: shown as Shown };
}

const table: string[] = [];

/**
 * Pixel requests of one load, from the gateway's log: single frames (and how many failed) and series
 * streams. Frames the server will not cut out come from one series stream, without a retry storm.
 */
async function pixelRequests(since: Date): Promise<{ frames: number; failedFrames: number; seriesStreams: number }> {
  // Requests are logged when they end: give a stream that was still running a moment.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const log = (await gatewayRequests()).filter((r) => new Date(r.time) >= since && r.method === 'GET');
  const paths = log.map((r) => ({ path: new URL(r.url, 'http://x').pathname, status: r.status }));
  const frames = paths.filter((r) => /\/frames\/\d/.test(r.path));
  return {
    frames: frames.length,
    failedFrames: frames.filter((r) => r.status >= 400).length,
    seriesStreams: paths.filter((r) => /\/studies\/[^/]+\/series\/[^/]+$/.test(r.path)).length,
  };
}

describe('every transfer syntax, shown from Orthanc and checked against the files', function () {
  this.timeout(60_000);
  afterEach(cleanup);
  after(() => {
    console.log(`transfer syntax × outcome:\n${table.join('\n')}`);
    for (const { transferSyntaxUID, reason } of codecs.refused) console.log(`not transcoded by Orthanc: ${NAMES[transferSyntaxUID] ?? transferSyntaxUID} (${transferSyntaxUID}): ${reason}`);
  });

  it('has a study for each transfer syntax, from npm-shipped files or transcoded by Orthanc', () => {
    const have = new Set(codecs.studies.map((s) => s.transferSyntaxUID));
    expect(REQUIRED.filter((ts) => !have.has(ts)), 'syntaxes without a study').to.deep.equal([]);
  });

  for (const study of codecs.studies) {
    const name = `${NAMES[study.transferSyntaxUID] ?? study.transferSyntaxUID} (${study.transferSyntaxUID}), ${study.source === 'npm' ? study.file.split('/').pop() : 'generated CT transcoded by Orthanc'}`;
    it(name, async () => {
      const { viewer, shown } = await show(study);
      const detail = shown.outcome.detail as FilmlessReadyDetail | FilmlessErrorDetail;
      const requests = await pixelRequests(shown.startedAt);
      table.push(
        `  ${name}: ${shown.outcome.type === 'filmless-ready' ? 'ready' : `error ${(detail as FilmlessErrorDetail).code}`}, path ${shown.path ?? '-'}, ${shown.ms} ms, ` +
          `${requests.frames} frame requests (${requests.failedFrames} refused), ${requests.seriesStreams} series stream(s)`,
      );
      expect(requests.seriesStreams, 'series streams').to.be.at.most(1);
      // Refused frames: at most the probable middle and the first frame; the rest come from the stream.
      expect(requests.failedFrames, 'refused frame requests').to.be.at.most(2);
      if (study.refusal) {
        // Refused, as README's unsupported data says: a clear error, quickly, and no image shown as ready.
        expect(shown.outcome.type, `${study.refusal.why}: ${JSON.stringify(detail)}`).to.equal('filmless-error');
        expect((detail as FilmlessErrorDetail).code, study.refusal.why).to.equal(study.refusal.code);
        expect(viewer.status).to.equal('error');
        expect(shown.ms, 'refused within 5 s').to.be.lessThan(5_000);
        return;
      }
      expect(shown.outcome.type, JSON.stringify(detail)).to.equal('filmless-ready');
      expect(viewer.status).to.equal('ready');
      expect(shown.path, 'which path drew the first image').to.equal(LEAN.has(study.transferSyntaxUID) ? 'lean' : 'cornerstone');
      const state = viewer.getViewState();
      expect(state).to.include({ imageIndex: study.imageIndex, imageCount: study.imageCount });
      if (study.window) expect([state.windowCenter, state.windowWidth]).to.deep.equal(study.window);

      // The probe reads the file's modality values.
      for (const point of study.points) {
        const probed = viewer.probe(point.column, point.row);
        const where = `${point.kind} at ${point.column},${point.row}`;
        expect(probed, where).to.be.a('number');
        expect(Math.abs(probed! - point.expected), `${where}: probe ${probed}, ${study.reference} ${point.expected}`).to.be.at.most(study.tolerance);
        if (point.original !== undefined && point.kind !== 'centre' && point.kind !== 'grid') {
          expect(Math.abs(probed! - point.original), `${where}: probe ${probed}, lossless original ${point.original}`).to.be.at.most(study.originalTolerance!);
        }
      }

      // The canvas shows them through the window: a picture, with bone, air and tissue where the file has them.
      const canvas = viewerCanvas(viewer);
      const { levels, spread } = greyStats(canvas, study.columns, study.rows);
      expect(levels, 'grey levels on screen').to.be.greaterThan(8);
      expect(spread, 'grey spread on screen').to.be.greaterThan(100);
      const check = (target: HTMLCanvasElement, what: string) => {
        for (const point of study.points.filter((p) => p.kind !== 'centre' && p.kind !== 'grid')) {
          const expected = voiGrey(point.expected, state.windowCenter, state.windowWidth);
          const grey = canvasGrey(target, ...imageToCanvas(target, study.columns, study.rows, point.column, point.row), 0);
          expect(Math.abs(grey - expected), `${what}: grey of ${point.kind} at ${point.column},${point.row} (value ${point.expected})`).to.be.lessThan(16);
        }
      };
      check(canvas, 'Cornerstone');
      if (shown.firstCopy) check(shown.firstCopy, 'lean first image');

      // The lean first image holds the file's values (pixel parity with the reference decoder), read
      // through probe() while it is on screen, before Cornerstone has decoded anything.
      if (shown.path === 'lean') {
        study.points.forEach((point, i) => {
          const probed = shown.firstProbes![i];
          const where = `lean first image, ${point.kind} at ${point.column},${point.row}`;
          expect(probed, where).to.be.a('number');
          expect(Math.abs(probed! - point.expected), `${where}: ${probed}, ${study.reference} ${point.expected}`).to.be.at.most(study.tolerance);
        });
      }
    });
  }
});
