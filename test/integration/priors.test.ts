// Priors: the patient's other studies found after the first image, compared side by side (1×2), and
// scrolling in sync. Where a viewport should land is computed here from ImagePositionPatient, read with
// dicom-parser from the files the PACS stores (fetched as Part 10 through the gateway), independently of
// the viewer's code.
import { expect } from 'chai';
import * as dicomParserModule from 'dicom-parser';
import type { FilmlessFirstImageDetail, FilmlessPriorsDetail, FilmlessReadyDetail } from '../../src/index.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { setViewport } from '@web/test-runner-commands';
import { cleanup, mountViewer, nextEvent, pacsInfo, patientStudies, readyOrError, screenshot, sleep, until } from '../support/browser.js';
import { PRIORS, PRIORS_PATIENT_ID, PRIORS_REFUSING_GATEWAY, SAME_FOR_SHIFT_MM } from '../support/prior-names.js';

const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;

interface FileSeries {
  seriesInstanceUID: string;
  localizer: boolean;
  frameOfReference: string;
  /** Position of each image along the slice normal (mm), ordered as a reader scrolls: lower InstanceNumber end first. */
  positions: number[];
}

function indexOf(bytes: Uint8Array, pattern: Uint8Array, from: number): number {
  outer: for (let i = from; i <= bytes.length - pattern.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

/** Every Part 10 file of a study, as the PACS stores them (WADO-RS, multipart/related application/dicom). */
async function studyFiles(gatewayUrl: string, token: string, studyUID: string): Promise<Uint8Array[]> {
  const response = await fetch(`${gatewayUrl}/studies/${studyUID}`, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
  });
  expect(response.status).to.equal(200);
  const boundary = /boundary="?([^";]+)"?/.exec(response.headers.get('content-type') ?? '')?.[1];
  if (!boundary) throw new Error('no multipart boundary');
  const bytes = new Uint8Array(await response.arrayBuffer());
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const headerEnd = new TextEncoder().encode('\r\n\r\n');
  const files: Uint8Array[] = [];
  for (let at = indexOf(bytes, delimiter, 0); at >= 0; ) {
    const next = indexOf(bytes, delimiter, at + delimiter.length);
    if (next < 0) break;
    const bodyStart = indexOf(bytes, headerEnd, at) + headerEnd.length;
    files.push(bytes.subarray(bodyStart, next - 2)); // the CRLF before the delimiter belongs to it
    at = next;
  }
  return files;
}

/** The study's series, each with its images' positions along the normal, from the files. */
async function seriesOfFiles(gatewayUrl: string, token: string, studyUID: string): Promise<FileSeries[]> {
  const bySeries = new Map<string, { position: number; number: number; frameOfReference: string; localizer: boolean }[]>();
  for (const file of await studyFiles(gatewayUrl, token, studyUID)) {
    const dataSet = dicomParser.parseDicom(file);
    const numbers = (tag: string) => (dataSet.string(tag) ?? '').split('\\').map(Number);
    const [r0, r1, r2, c0, c1, c2] = numbers('x00200037') as [number, number, number, number, number, number];
    const normal = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0] as const;
    const ipp = numbers('x00200032');
    const uid = dataSet.string('x0020000e') ?? '';
    bySeries.set(uid, [
      ...(bySeries.get(uid) ?? []),
      {
        position: normal[0] * ipp[0]! + normal[1] * ipp[1]! + normal[2] * ipp[2]!,
        number: Number(dataSet.string('x00200013')),
        frameOfReference: dataSet.string('x00200052') ?? '',
        localizer: /LOCALIZER/i.test(dataSet.string('x00080008') ?? ''),
      },
    ]);
  }
  return [...bySeries].map(([seriesInstanceUID, images]) => {
    images.sort((a, b) => a.position - b.position || a.number - b.number);
    if (images[0]!.number > images[images.length - 1]!.number) images.reverse();
    return { seriesInstanceUID, localizer: images[0]!.localizer, frameOfReference: images[0]!.frameOfReference, positions: images.map((i) => i.position) };
  });
}

const axialOf = (series: FileSeries[]) => series.filter((s) => !s.localizer).sort((a, b) => b.positions.length - a.positions.length)[0]!;

/** The index of the position nearest to `position`. */
function nearest(positions: number[], position: number): number {
  let best = 0;
  positions.forEach((p, index) => {
    if (Math.abs(p - position) < Math.abs(positions[best]! - position)) best = index;
  });
  return best;
}

/** The first filmless-first-image / filmless-ready of a study (e.g. the prior's), or rejects on filmless-error. */
function eventOfStudy<T extends { studyInstanceUID: string }>(viewer: FilmlessViewer, type: string, studyUID: string, timeoutMs = 90_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} of ${studyUID}`)), timeoutMs);
    viewer.addEventListener(type, (event) => {
      const detail = (event as CustomEvent<T>).detail;
      if (detail.studyInstanceUID !== studyUID) return;
      clearTimeout(timer);
      resolve(detail);
    });
    viewer.addEventListener('filmless-error', (event) => reject(new Error(JSON.stringify((event as CustomEvent).detail))), { once: true });
  });
}

/** Opens the series panel, where the priors list is, with the toolbar's button (as a user does). */
async function openPanel(viewer: FilmlessViewer): Promise<void> {
  const list = () => viewer.shadowRoot!.querySelector('[part="priors"]');
  await until(() => list() !== null, 'the priors list');
  const panel = () => viewer.shadowRoot!.querySelector('[part="series-list"]')!;
  expect(panel().contains(list()), 'the priors are in the series panel').to.equal(true);
  if (panel().classList.contains('open')) return;
  const toggle = viewer.shadowRoot!.querySelector<HTMLButtonElement>('[part="toolbar"] button[aria-controls="series"]');
  if (!toggle) throw new Error('no series panel button in the toolbar');
  toggle.click();
  await until(() => panel().classList.contains('open') && list()!.getBoundingClientRect().height > 0, 'the panel open');
}

function compareButton(viewer: FilmlessViewer, studyUID: string): HTMLButtonElement {
  const button = viewer.shadowRoot!.querySelector<HTMLButtonElement>(`[part="priors"] li[data-study="${studyUID}"] button`);
  if (!button) throw new Error(`no Compare button for ${studyUID}`);
  return button;
}

async function uids() {
  const pacs = await pacsInfo();
  const uid = (key: keyof typeof PRIORS) => pacs.studies[PRIORS[key].accession]![0]!;
  return { pacs, current: uid('current'), sameFor: uid('sameFor'), otherFor: uid('otherFor') };
}

/** Opens the priors patient's current study and waits for its first viewport and its priors. */
async function openCurrent(style?: string, props: Record<string, unknown> = {}) {
  const { pacs, ...studies } = await uids();
  const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: PRIORS.current.accession, lang: 'en', ...props }, style);
  const priors = nextEvent<FilmlessPriorsDetail>(viewer, 'filmless-priors', 90_000);
  expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
  return { pacs, viewer, priors: (await priors).detail, ...studies };
}

/** Compares with a prior by its button, and waits until both viewports are ready; returns the ms to the prior's first image. */
async function compareBy(viewer: FilmlessViewer, priorUID: string): Promise<{ firstImageMs: number; readyMs: number }> {
  await until(() => viewer.shadowRoot!.querySelector(`[part="priors"] li[data-study="${priorUID}"]`) !== null, 'the prior in the list');
  await openPanel(viewer);
  const started = performance.now();
  const firstImage = eventOfStudy<FilmlessFirstImageDetail>(viewer, 'filmless-first-image', priorUID);
  const ready = eventOfStudy<FilmlessReadyDetail>(viewer, 'filmless-ready', priorUID);
  compareButton(viewer, priorUID).click();
  await firstImage;
  const firstImageMs = performance.now() - started;
  await ready;
  const readyMs = performance.now() - started;
  await until(() => viewer.getViewState().viewports[1]?.imageCount > 0 && viewer.shadowRoot!.querySelectorAll('[part="study-badge"]').length === 2, 'both viewports shown with their dates');
  return { firstImageMs, readyMs };
}

const state = (viewer: FilmlessViewer) => viewer.getViewState().viewports;

/** Waits until no viewport has changed slice for 600 ms (a follow in flight has landed). */
async function settled(viewer: FilmlessViewer): Promise<void> {
  let last = '';
  let since = performance.now();
  await until(() => {
    const now = state(viewer).map((v) => v.imageIndex).join();
    if (now !== last) [last, since] = [now, performance.now()];
    return performance.now() - since > 600;
  }, 'the viewports settled');
}

describe('priors: the patient’s other studies, side by side', () => {
  afterEach(async () => {
    cleanup();
    await setViewport({ width: 800, height: 600 });
  });

  it('lists the other CT/MR studies newest first after the first image, in filmless-priors and on screen', async () => {
    const { viewer, priors, current, sameFor, otherFor } = await openCurrent();
    const held = await patientStudies(PRIORS_PATIENT_ID);
    expect([...held].sort(), 'the PACS holds the three studies').to.deep.equal([current, sameFor, otherFor].sort());
    expect(priors.priors.map((p) => p.studyInstanceUID), 'the others, newest first').to.deep.equal([sameFor, otherFor]);
    expect(priors.priors.map((p) => p.studyDate)).to.deep.equal(['20250615', '20250108']);
    for (const prior of priors.priors) {
      expect(prior.modalities).to.deep.equal(['CT']);
      expect(prior.description).to.equal('CT HEAD WITHOUT CONTRAST');
      expect(prior.sources).to.deep.equal([]);
    }
    const rows = [...viewer.shadowRoot!.querySelectorAll<HTMLElement>('[part="priors"] li')];
    expect(rows.map((row) => row.dataset['study'])).to.deep.equal([sameFor, otherFor]);
    expect(rows[0]!.textContent).to.contain('CT').and.to.contain('CT HEAD WITHOUT CONTRAST');
    expect(rows[0]!.querySelector('button')!.getAttribute('aria-label')).to.match(/^Compare with the study of .*2025/);
    expect(viewer.status).to.equal('ready');
  });

  it('compares: the prior opens beside the study (1×2), its matching series scrolled in sync by position along the normal', async () => {
    await setViewport({ width: 1296, height: 916 });
    const { pacs, viewer, current, sameFor } = await openCurrent('width: 1280px; height: 900px');
    const timing = await compareBy(viewer, sameFor);
    console.log(`priors: Compare → prior's first image ${Math.round(timing.firstImageMs)} ms, ready ${Math.round(timing.readyMs)} ms`);
    const view = viewer.getViewState();
    expect(view.layout).to.equal('1x2');
    expect(view.viewports.map((v) => v.studyInstanceUID)).to.deep.equal([current, sameFor]);
    const [currentFiles, priorFiles] = await Promise.all([seriesOfFiles(pacs.gatewayUrl, pacs.token, current), seriesOfFiles(pacs.gatewayUrl, pacs.token, sameFor)]);
    const [a, b] = [axialOf(currentFiles), axialOf(priorFiles)];
    expect(view.viewports[0]!.seriesInstanceUID).to.equal(a.seriesInstanceUID);
    expect(view.viewports[1]!.seriesInstanceUID, 'the prior’s axial series, not its scout').to.equal(b.seriesInstanceUID);
    expect(a.frameOfReference).to.equal(b.frameOfReference);
    expect(b.positions[0]! - a.positions[0]!, 'the files are shifted as made').to.be.closeTo(SAME_FOR_SHIFT_MM, 1e-3);
    // The dates, large, on each viewport.
    const badges = [...viewer.shadowRoot!.querySelectorAll<HTMLElement>('[part="study-badge"]')].map((b) => b.textContent!.replace(/\s+/g, ' ').trim());
    expect(badges[0]).to.match(/^Current .*2026/);
    expect(badges[1]).to.match(/^Prior .*2025/);
    await screenshot('priors-compare-1280x900');

    // Opened in sync: the prior's slice is the one nearest the current slice's plane.
    const expectAligned = async (what: string) => {
      const k = state(viewer)[0]!.imageIndex;
      const j = nearest(b.positions, a.positions[k]!);
      await until(() => state(viewer)[1]!.imageIndex === j, `${what}: prior at ${j} (nearest ${a.positions[k]} mm), is at ${state(viewer)[1]!.imageIndex}`);
      return { k, j };
    };
    await expectAligned('on opening');
    for (const delta of [7, -15, 30]) {
      const target = Math.min(a.positions.length - 1, Math.max(0, state(viewer)[0]!.imageIndex + delta));
      viewer.scrollImages(delta);
      await until(() => state(viewer)[0]!.imageIndex === target, `scrolled to ${target}`);
      const { k, j } = await expectAligned(`after scrolling ${delta}`);
      expect(Math.abs(b.positions[j]! - a.positions[k]!)).to.be.at.most(1.25 / 2 + 1e-6);
    }
    // The wheel over the current study's viewport does the same.
    const before = state(viewer)[0]!.imageIndex;
    viewer.shadowRoot!.querySelectorAll<HTMLElement>('[part="viewport"]')[0]!.dispatchEvent(new WheelEvent('wheel', { deltaY: 100, bubbles: true, composed: true, cancelable: true }));
    await until(() => state(viewer)[0]!.imageIndex === before + 1, 'the wheel scrolled one image');
    await expectAligned('after the wheel');
    expect(viewer.status).to.equal('ready');
  });

  it('with scroll sync off, the prior does not follow', async () => {
    const { pacs, viewer, current, sameFor } = await openCurrent();
    await compareBy(viewer, sameFor);
    const toggle = viewer.shadowRoot!.querySelector<HTMLButtonElement>('[part="compare"] .sync-scroll')!;
    expect(toggle.getAttribute('aria-pressed'), 'on by default when comparing').to.equal('true');
    // Once the prior has joined the current slice (it follows while sync is on)…
    const [a, b] = (await Promise.all([seriesOfFiles(pacs.gatewayUrl, pacs.token, current), seriesOfFiles(pacs.gatewayUrl, pacs.token, sameFor)])).map(axialOf) as [FileSeries, FileSeries];
    await until(() => state(viewer)[1]!.imageIndex === nearest(b.positions, a.positions[state(viewer)[0]!.imageIndex]!), 'the prior aligned');
    await settled(viewer);
    toggle.click();
    await until(() => toggle.getAttribute('aria-pressed') === 'false', 'sync off');
    const prior = state(viewer)[1]!.imageIndex;
    const start = state(viewer)[0]!.imageIndex;
    viewer.scrollImages(9);
    await until(() => state(viewer)[0]!.imageIndex === start + 9, 'the current study scrolled');
    await sleep(800);
    expect(state(viewer)[1]!.imageIndex).to.equal(prior);
  });

  it('window/level and zoom sync follow the active viewport when turned on, and only then', async () => {
    const { viewer, sameFor } = await openCurrent();
    await compareBy(viewer, sameFor);
    const bar = viewer.shadowRoot!.querySelector('[part="compare"]')!;
    const press = (key: string, shiftKey = false) =>
      viewer.shadowRoot!.querySelectorAll<HTMLElement>('[part="viewport"]')[0]!.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, composed: true, cancelable: true }));
    for (const kind of ['windowLevel', 'zoomPan']) expect(bar.querySelector(`.sync-${kind}`)!.getAttribute('aria-pressed'), `${kind} off by default`).to.equal('false');
    const width = state(viewer)[1]!.windowWidth;
    press(']');
    await until(() => state(viewer)[0]!.windowWidth > width, 'a wider window on the current study');
    await sleep(500);
    expect(state(viewer)[1]!.windowWidth, 'W/L sync off: the prior keeps its window').to.equal(width);

    bar.querySelector<HTMLButtonElement>('.sync-windowLevel')!.click();
    await until(() => state(viewer)[1]!.windowWidth === state(viewer)[0]!.windowWidth, 'turned on, the prior takes the window at once');
    press(']');
    await until(() => state(viewer)[0]!.windowWidth > width + 1 && Math.abs(state(viewer)[1]!.windowWidth - state(viewer)[0]!.windowWidth) < 0.5, 'the prior follows the next change');
    expect(state(viewer)[1]!.windowCenter).to.be.closeTo(state(viewer)[0]!.windowCenter, 0.5);

    bar.querySelector<HTMLButtonElement>('.sync-zoomPan')!.click();
    press('+');
    await until(() => state(viewer)[0]!.zoom > 1.2 && Math.abs(state(viewer)[1]!.zoom - state(viewer)[0]!.zoom) < 0.01, `the prior zooms too (${state(viewer)[1]!.zoom} vs ${state(viewer)[0]!.zoom})`);
    const before = state(viewer).map((v) => JSON.stringify(v.pan));
    press('ArrowRight', true);
    // (The pan's value is the renderer's; that it moves in both is what sync promises.)
    await until(() => state(viewer).every((v, i) => JSON.stringify(v.pan) !== before[i]), 'the prior pans too');
    expect(viewer.status).to.equal('ready');
  });

  it('another frame of reference: follows by relative position, with the offset set by Shift + wheel over one viewport', async () => {
    await setViewport({ width: 816, height: 616 });
    const { pacs, viewer, otherFor } = await openCurrent('width: 800px; height: 600px', { lang: 'tr' });
    await compareBy(viewer, otherFor);
    await screenshot('priors-compare-800x600-tr');
    const priorFiles = await seriesOfFiles(pacs.gatewayUrl, pacs.token, otherFor);
    const b = axialOf(priorFiles);
    expect(state(viewer)[1]!.seriesInstanceUID).to.equal(b.seriesInstanceUID);
    const n0 = state(viewer)[0]!.imageCount;
    const n1 = b.positions.length;
    const relative = (k: number, offset: number) => Math.min(n1 - 1, Math.max(0, Math.round((k / (n0 - 1) + offset) * (n1 - 1))));
    await until(() => state(viewer)[1]!.imageIndex === relative(state(viewer)[0]!.imageIndex, 0), 'aligned by relative position');
    const start = state(viewer)[0]!.imageIndex;
    viewer.scrollImages(-20);
    await until(() => state(viewer)[0]!.imageIndex === start - 20, 'scrolled');
    await until(() => state(viewer)[1]!.imageIndex === relative(start - 20, 0), `follows by relative position: expected ${relative(start - 20, 0)}`);

    // Shift + wheel over the prior: it moves alone, by two images.
    const k = state(viewer)[0]!.imageIndex;
    const j = state(viewer)[1]!.imageIndex;
    const priorViewport = viewer.shadowRoot!.querySelectorAll<HTMLElement>('[part="viewport"]')[1]!;
    for (let i = 0; i < 2; i++) {
      priorViewport.dispatchEvent(new WheelEvent('wheel', { deltaY: 100, shiftKey: true, bubbles: true, composed: true, cancelable: true }));
      await until(() => state(viewer)[1]!.imageIndex === j + i + 1, `shift-scrolled ${i + 1}`);
    }
    await sleep(300);
    expect(state(viewer)[0]!.imageIndex, 'the current study stays').to.equal(k);
    const offset = (j + 2) / (n1 - 1) - k / (n0 - 1);
    viewer.scrollImages(8);
    await until(() => state(viewer)[0]!.imageIndex === k + 8, 'scrolled');
    await until(() => state(viewer)[1]!.imageIndex === relative(k + 8, offset), `follows keeping the offset: expected ${relative(k + 8, offset)}`);
  });

  it('compare-prior opens the most recent prior by itself', async () => {
    const { pacs, current, sameFor } = await uids();
    const holder = document.createElement('div');
    holder.innerHTML = `<filmless-viewer compare-prior lang="en" style="display:block;width:900px;height:600px" dicomweb-url="${pacs.gatewayUrl}" accession-number="${PRIORS.current.accession}"></filmless-viewer>`;
    const viewer = holder.querySelector('filmless-viewer')!;
    viewer.token = pacs.token;
    document.body.append(holder);
    try {
      expect(viewer.compareWithPrior).to.equal(true);
      await eventOfStudy<FilmlessReadyDetail>(viewer, 'filmless-ready', sameFor);
      await until(() => viewer.getViewState().layout === '1x2', '1×2');
      expect(viewer.getViewState().viewports.map((v) => v.studyInstanceUID)).to.deep.equal([current, sameFor]);
    } finally {
      holder.remove();
    }
  });

  it('comparePrior() and showSeries() with a prior’s study UID', async () => {
    const { pacs, viewer, current, otherFor } = await openCurrent();
    viewer.comparePrior(otherFor);
    await eventOfStudy<FilmlessReadyDetail>(viewer, 'filmless-ready', otherFor);
    expect(state(viewer).map((v) => v.studyInstanceUID)).to.deep.equal([current, otherFor]);
    // The prior's scout in the left viewport: a series of another study, by its UID.
    const scout = (await seriesOfFiles(pacs.gatewayUrl, pacs.token, otherFor)).find((s) => s.localizer)!;
    viewer.showSeries(0, scout.seriesInstanceUID, otherFor);
    await until(() => state(viewer)[0]!.seriesInstanceUID === scout.seriesInstanceUID, 'the scout in viewport 0');
    expect(state(viewer)[0]!.studyInstanceUID).to.equal(otherFor);
  });

  it('a 403 on the priors search leaves the study ready, with no error and no priors list', async () => {
    const pacs = await pacsInfo();
    const refusing = pacs.studies[PRIORS_REFUSING_GATEWAY]![0]!;
    const seen: { url: string; status: number }[] = [];
    const events: string[] = [];
    const viewer = mountViewer({
      dicomwebUrl: refusing,
      token: pacs.token,
      accessionNumber: PRIORS.current.accession,
      // Observes what the viewer asks and what it is answered; the requests go to the network unchanged.
      fetch: async (input: string, init: RequestInit) => {
        const response = await fetch(input, init);
        seen.push({ url: input, status: response.status });
        return response;
      },
    });
    for (const type of ['filmless-error', 'filmless-priors']) viewer.addEventListener(type, () => events.push(type));
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
    await until(() => seen.some((r) => r.status === 403), 'the priors search refused');
    expect(seen.find((r) => r.status === 403)!.url).to.match(/\/studies\?(.*&)?00100020=FL-PRIORS-1(&|$)/);
    await sleep(1000);
    expect(events).to.deep.equal([]);
    expect(viewer.status).to.equal('ready');
    expect(viewer.shadowRoot!.querySelector('[part="priors"]')).to.equal(null);
    expect(viewer.shadowRoot!.querySelector('[part="error"]')).to.equal(null);
  });
});
