// Damaged images (test/support/bad-data-studies.ts): in each codec the tests use (uncompressed, JPEG-LS,
// JPEG 2000, RLE, baseline JPEG), a five-image series whose middle image (the one the viewer opens on) is
// cut short, has its codestream's start inverted, or carries a wrong length; and per codec a study whose
// only image is damaged. What a user sees is checked: the damaged image's tile and its reason, the other
// images' values against the files (read in Node), the events (code, fatal) and the status. Then
// ../shared/dicom/bad-inputs, as the PACS takes them. Nothing may reach the page as an uncaught error.
import { expect } from 'chai';
import { executeServerCommand, setViewport } from '@web/test-runner-commands';
import type { FilmlessErrorDetail, FilmlessReadyDetail } from '../../src/index.js';
import { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { BadDataCase, BadDataStudies } from '../support/bad-data-studies.js';
import { cleanup, describeOn, mountViewer, nextEvent, pacsInfo, readyOrError, screenshot, until } from '../support/browser.js';
import { en, tr, vi } from '../../src/i18n/messages.js';

const info = (await pacsInfo()) as Awaited<ReturnType<typeof pacsInfo>> & { badData?: BadDataStudies };
const cases = info.badData?.cases ?? [];

/** Everything that reached the page uncaught while this file ran, with the test that was running. */
const uncaught: string[] = [];
let running = '';
beforeEach(function () {
  running = this.currentTest?.fullTitle() ?? '';
});
window.addEventListener('error', (event) => uncaught.push(`${running}: error: ${event.message}`));
window.addEventListener('unhandledrejection', (event) => uncaught.push(`${running}: unhandled rejection: ${String((event.reason as Error)?.stack ?? event.reason)}`));

interface Opened {
  viewer: FilmlessViewer;
  outcome: CustomEvent;
  errors: FilmlessErrorDetail[];
}

async function open(props: Record<string, unknown>, style?: string): Promise<Opened> {
  const viewer = mountViewer({ dicomwebUrl: info.gatewayUrl, token: info.token, ...props }, style);
  const errors: FilmlessErrorDetail[] = [];
  viewer.addEventListener('filmless-error', (event) => errors.push((event as CustomEvent<FilmlessErrorDetail>).detail));
  return { viewer, outcome: await readyOrError(viewer), errors };
}

function tile(viewer: FilmlessViewer): HTMLElement | null {
  return viewer.shadowRoot!.querySelector<HTMLElement>('[part="image-error"]');
}

/** The reason text a failure's code gives on the tile (README, "Damaged images"). */
function reasonFor(code: string): string {
  if (code === 'bad-data' || code === 'unsupported' || code === 'internal') return en[`imageError.${code}`];
  return en['imageError.fetch'];
}

interface SeriesValues {
  points: [number, number][];
  frames: { values: number[][] }[];
}

async function fileValues(file: string, points?: [number, number][]): Promise<SeriesValues> {
  return (await executeServerCommand('series-values', { files: [file], ...(points ? { points } : {}) })) as SeriesValues;
}

/** One damaged series: opened once, then the checks a user would make. */
function damagedSeries(study: BadDataCase, renderer: 'auto' | 'gpu') {
  const asStored = study.corruption === 'flipped' && study.codec === 'uncompressed';
  const refused = study.stored !== true;
  describe(`${study.codec}, ${study.corruption} (${study.what})${renderer === 'gpu' ? ', WebGL' : ''}`, function () {
    this.timeout(90_000);
    let opened: Opened;
    before(async () => {
      FilmlessViewer.renderer = renderer;
      opened = await open({ accessionNumber: study.accession });
    });
    after(() => {
      cleanup();
      FilmlessViewer.renderer = 'auto';
    });

    it('opens the series with status ready', () => {
      expect(opened.outcome.type, JSON.stringify(opened.outcome.detail)).to.equal('filmless-ready');
      expect((opened.outcome.detail as FilmlessReadyDetail).imageCount).to.equal(study.imageCount);
      expect(opened.viewer.status).to.equal('ready');
    });

    if (refused) {
      it('shows the images the PACS took, none of them as damaged', () => {
        expect(tile(opened.viewer)).to.equal(null);
        expect(opened.errors).to.deep.equal([]);
      });
      return;
    }

    if (asStored) {
      it('shows the changed pixels as the file stores them (nothing can tell them from real values)', async () => {
        await until(() => opened.viewer.getViewState().viewports[0]!.imageIndex === study.badIndex, 'the middle image');
        const truth = await fileValues(study.files[study.badIndex]!, study.flippedPixels);
        study.flippedPixels!.forEach(([column, row], i) => expect(opened.viewer.probe(column, row), `pixel ${column}, ${row}`).to.equal(truth.frames[0]!.values[i]![0]));
        expect(tile(opened.viewer)).to.equal(null);
        expect(opened.errors).to.deep.equal([]);
      });
      return;
    }

    it("shows the damaged image's tile in its place, with the reason", async () => {
      await until(() => tile(opened.viewer) !== null, 'the image tile');
      expect(opened.viewer.getViewState().viewports[0]!.imageIndex).to.equal(study.badIndex);
      const text = tile(opened.viewer)!.textContent!.replace(/\s+/g, ' ');
      expect(text).to.contain(en.imageErrorTitle.replace('{index}', String(study.badIndex + 1)));
      expect(text).to.contain(reasonFor(opened.errors[0]?.code ?? 'bad-data'));
      expect(tile(opened.viewer)!.querySelector('svg'), 'an icon').to.not.equal(null);
      expect(opened.viewer.probe(10, 10), 'no value is read from an image not shown').to.equal(undefined);
    });

    it('reports it once, as a non-fatal error naming the image, and the status stays ready', () => {
      expect(opened.errors.length, JSON.stringify(opened.errors)).to.equal(1);
      const [error] = opened.errors;
      expect(error!.fatal).to.equal(false);
      expect(error!.code).to.be.oneOf(['bad-data', 'server']);
      expect(error!.code).to.not.equal('webgl');
      expect(error!.imageIndex).to.equal(study.badIndex);
      expect(error!.seriesInstanceUID).to.be.a('string').and.not.equal('');
      expect(opened.viewer.status).to.equal('ready');
    });

    it("shows the next image with the file's values", async () => {
      opened.viewer.scrollImages(1);
      await until(() => opened.viewer.getViewState().viewports[0]!.imageIndex === study.badIndex + 1 && tile(opened.viewer) === null, 'the next image');
      const truth = await fileValues(study.files[study.badIndex + 1]!);
      // Lossy baseline JPEG: the decoders may round the inverse DCT differently by a stored step.
      const tolerance = study.codec === 'jpeg-baseline' ? 2 * Math.max(1, Math.abs((truth as unknown as { step: number }).step)) : 0;
      await until(() => opened.viewer.probe(...truth.points[0]!) !== undefined, 'the next image decoded');
      truth.points.forEach((point, i) => expect(Math.abs(opened.viewer.probe(...point)! - truth.frames[0]!.values[i]![0]!), `at ${point}`).to.be.at.most(tolerance));
    });
  });
}

describe('a damaged image in a series of five', () => {
  it('has a damaged series for each codec and corruption', () => {
    const made = new Set(cases.map((c) => `${c.codec} ${c.corruption}`));
    for (const codec of ['uncompressed', 'jpeg-ls', 'jpeg2000', 'rle', 'jpeg-baseline']) {
      for (const corruption of ['truncated', 'flipped', 'wrong-length']) expect(made, `${codec} ${corruption}`).to.include(`${codec} ${corruption}`);
    }
  });
  for (const study of cases.filter((c) => c.accession.endsWith('-ONLY') === false)) damagedSeries(study, 'auto');
});

describe('a damaged image in a series of five, drawn by WebGL', () => {
  for (const study of cases.filter((c) => c.corruption === 'flipped' && c.codec !== 'uncompressed' && !c.accession.endsWith('-ONLY'))) damagedSeries(study, 'gpu');
});

describe('a study whose only image is damaged', function () {
  this.timeout(90_000);
  afterEach(cleanup);
  for (const study of cases.filter((c) => c.accession.endsWith('-ONLY'))) {
    it(`${study.codec} (${study.what}): ends in a fatal bad-data, never webgl, and never a ready black image`, async () => {
      const opened = await open({ accessionNumber: study.accession });
      expect(opened.outcome.type).to.equal('filmless-error');
      const detail = opened.outcome.detail as FilmlessErrorDetail;
      expect(detail.code).to.equal('bad-data');
      expect(detail.fatal).to.equal(true);
      expect(opened.viewer.status).to.equal('error');
      expect(opened.viewer.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain(en['error.bad-data']);
      expect(opened.errors.filter((e) => e.fatal).length).to.equal(1);
    });
  }
});

describe('the damaged image tile, looked at', function () {
  this.timeout(120_000);
  after(async () => {
    cleanup();
    await setViewport({ width: 800, height: 600 });
  });
  const study = () => cases.find((c) => c.codec === 'jpeg2000' && c.corruption === 'flipped')!;
  for (const [lang, table] of [['en', en], ['tr', tr], ['vi', vi]] as const) {
    it(`says in ${lang} which image cannot be shown and why (screenshot bad-data-tile-800x600-${lang})`, async () => {
      cleanup();
      await setViewport({ width: 800, height: 600 });
      const viewer = mountViewer({ dicomwebUrl: info.gatewayUrl, token: info.token, accessionNumber: study().accession }, 'position: fixed; left: 0; top: 0; width: 800px; height: 600px');
      viewer.setAttribute('lang', lang);
      await nextEvent(viewer, 'filmless-ready');
      await until(() => tile(viewer) !== null, 'the image tile');
      const text = tile(viewer)!.textContent!.replace(/\s+/g, ' ');
      expect(text).to.contain(table.imageErrorTitle.replace('{index}', String(study().badIndex + 1)));
      expect(text).to.contain(table['imageError.bad-data']);
      await new Promise((resolve) => requestAnimationFrame(resolve));
      await screenshot(`bad-data-tile-800x600-${lang}`);
    });
  }
});

describeOn('real', '../shared/dicom/bad-inputs through the viewer', () => {
  const table: string[] = [];
  afterEach(cleanup);
  after(() => console.log(`bad-inputs × outcome:\n${table.join('\n')}`));
  for (const input of info.badData?.inputs ?? []) {
    it(`${input.file}: ends in a documented outcome, nothing uncaught`, async function () {
      this.timeout(60_000);
      if (!input.studyInstanceUID) {
        // The PACS refused the file: nothing of it can be asked for.
        table.push(`${input.file} | refused by Orthanc (${input.upload.status}: ${input.upload.message})`);
        expect(input.upload.status).to.be.at.least(400);
        return;
      }
      const opened = await open(input.accession ? { accessionNumber: input.accession } : { studyUid: input.studyInstanceUID });
      const detail = opened.outcome.detail as FilmlessErrorDetail & FilmlessReadyDetail;
      const outcome = opened.outcome.type === 'filmless-ready' ? `ready (${detail.imageCount} image(s), ${detail.renderer})` : `${detail.code} (fatal)`;
      const notes = opened.errors.filter((e) => !e.fatal).map((e) => `${e.code} on image ${(e.imageIndex ?? 0) + 1}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      table.push(`${input.file} | ${outcome}${notes.length ? `; not fatal: ${notes.join(', ')}` : ''}${tile(opened.viewer) ? '; tile shown' : ''}`);
      expect(['filmless-ready', 'filmless-error']).to.include(opened.outcome.type);
      if (opened.outcome.type === 'filmless-error') expect(detail.code).to.not.be.oneOf(['webgl', 'internal']);
    });
  }
});

describe('a viewer removed while it loads a series with a damaged image', function () {
  this.timeout(60_000);
  afterEach(cleanup);
  const study = () => cases.find((c) => c.codec === 'jpeg-ls' && c.corruption === 'truncated')!;
  for (const moment of ['filmless-resolved', 'filmless-first-image', 'filmless-error'] as const) {
    it(`leaves nothing uncaught when removed at ${moment}`, async () => {
      const before = uncaught.length;
      const viewer = mountViewer({ dicomwebUrl: info.gatewayUrl, token: info.token, accessionNumber: study().accession });
      await nextEvent(viewer, moment);
      viewer.remove();
      // What was in flight (requests, decoding, Cornerstone's display) settles within a moment: give it one.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(uncaught.slice(before)).to.deep.equal([]);
    });
  }
});

describe('nothing uncaught', () => {
  it('no error reached the page as an uncaught exception or unhandled rejection', () => {
    expect(uncaught).to.deep.equal([]);
  });
});
