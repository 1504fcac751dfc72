/**
 * The first image's preview on a slow link (issue 11, P10; README, "A preview on a slow link"): when the
 * middle image's frame is slow to come, the viewer asks the server for that image rendered at the
 * viewport's size (WADO-RS `/rendered`), shows it labelled as a preview and without values, then the
 * image at full quality replaces it. A slow link is played by the fault proxy (test/support/fault-proxy.ts)
 * holding back the frame and metadata answers; each describe loads the generated CT once, under its
 * own token, which its proxy rules match.
 */
import { expect } from 'chai';
import { executeServerCommand, setViewport } from '@web/test-runner-commands';
import type { FilmlessErrorDetail, FilmlessFirstImageDetail, FilmlessPreviewDetail } from '../../src/index.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { FaultRule, ProxyLogEntry } from '../support/fault-proxy.js';
import { canvasGrey, cleanup, imageToCanvas, nextEvent, pacsInfo, storedPixel, until } from '../support/browser.js';

/** How long the proxy holds back the frame and the metadata: time enough to look at the preview. */
const SLOW_MS = 6000;

interface Load {
  viewer: FilmlessViewer;
  token: string;
  /** Events in the order they came. */
  events: string[];
  errors: FilmlessErrorDetail[];
  preview?: FilmlessPreviewDetail;
  /** Date.now() when `filmless-first-image` came. */
  firstImageAt?: number;
  /** The proxy's log of this load's requests (by its token). */
  requests(): Promise<ProxyLogEntry[]>;
}

const proxyLog = async (after: number) => (await executeServerCommand('fault-log', { after })) as ProxyLogEntry[];

/** Opens the CT through the fault proxy, 360×640 as a phone shows it, under a token of its own that `rules` match. */
async function openCt(name: string, rules: (token: string) => FaultRule[], firstImage?: (viewer: FilmlessViewer) => void): Promise<Load> {
  const pacs = await pacsInfo();
  const info = pacs as unknown as { faultProxyUrl: string };
  const token = `test-token-preview-${name}-${crypto.randomUUID()}`;
  const logStart = (await proxyLog(0)).length;
  await executeServerCommand('fault', { rules: rules(token) });
  const viewer = document.createElement('filmless-viewer');
  const load: Load = {
    viewer,
    token,
    events: [],
    errors: [],
    requests: async () => (await proxyLog(logStart)).filter((r) => r.authorization === `Bearer ${token}`),
  };
  viewer.addEventListener('filmless-error', (event) => load.errors.push(event.detail));
  viewer.addEventListener('filmless-preview', (event) => {
    load.events.push('preview');
    load.preview = event.detail;
  });
  viewer.addEventListener('filmless-first-image', (event: CustomEvent<FilmlessFirstImageDetail>) => {
    load.events.push('first-image');
    load.firstImageAt = Date.now();
    if (event.detail.viewportIndex === 0) firstImage?.(viewer);
  });
  viewer.setAttribute('style', 'display:block; position:fixed; inset:0; width:360px; height:640px');
  viewer.setAttribute('lang', 'en');
  Object.assign(viewer, { dicomwebUrl: info.faultProxyUrl, token, accessionNumber: pacs.accessions.ctPixels });
  document.body.append(viewer);
  return load;
}

/**
 * A slow link as the first image meets it: the middle image's frame comes `ms` late (its own metadata,
 * a few kilobytes, at once; the series metadata waits for the frame).
 */
const slowFirstImage = (ms: number) => (token: string): FaultRule[] => [{ kind: 'frames', token, times: 1, fault: { type: 'delay', ms } }];

const lean = (viewer: FilmlessViewer) => viewer.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.first-image')!;
const label = (viewer: FilmlessViewer) => viewer.shadowRoot!.querySelector('[part="preview-label"]')?.textContent?.trim();
/** Rendered-image requests sent before the first image came (series thumbnails come after it). */
const previewRequests = (log: ProxyLogEntry[], load: Load) => log.filter((r) => r.kind === 'rendered' && r.time <= (load.firstImageAt ?? Infinity));

describe('the first image on a slow link', () => {
  let load: Load;
  let columns: number;
  let rows: number;
  let box: DOMRect;
  let ratio: number;
  /** What was on screen while only the preview was: the label in each language, greys, the probe. */
  const seen: {
    labels: Record<string, string | undefined>;
    waitingMessage: boolean;
    greys: number[];
    bone: number;
    air: number;
    probe: number | undefined;
  } = { labels: {}, waitingMessage: false, greys: [], bone: NaN, air: NaN, probe: undefined };
  /** The full-quality image's greys at the same points, read as it is announced. */
  let fullGreys: number[] = [];
  let points: [number, number][] = [];

  before(async function () {
    this.timeout(120_000);
    const { data } = await pacsInfo();
    const ct = data.ct;
    ({ columns, rows } = ct.main);
    const [boneColumn, boneRow] = ct.landmarks!.bone;
    const [airColumn, airRow] = ct.landmarks!.outsideAir;
    // A coarse 5 × 5 grid over the image, in its own pixels.
    points = [];
    for (let i = 1; i <= 5; i++) for (let j = 1; j <= 5; j++) points.push([Math.floor((columns * i) / 6), Math.floor((rows * j) / 6)]);
    const greysOf = (canvas: HTMLCanvasElement) => points.map(([c, r]) => canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, c, r), 3));
    await setViewport({ width: 360, height: 640 });
    load = await openCt('slow', slowFirstImage(SLOW_MS), (viewer) => {
      fullGreys = greysOf(lean(viewer));
    });
    const { viewer } = load;
    await nextEvent(viewer, 'filmless-preview', 60_000);
    await viewer.updateComplete;
    const canvas = lean(viewer);
    box = viewer.shadowRoot!.querySelector('[part="viewport"]')!.getBoundingClientRect();
    ratio = window.devicePixelRatio || 1;
    seen.greys = greysOf(canvas);
    seen.bone = canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, boneColumn, boneRow), 2);
    seen.air = canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, airColumn, airRow), 2);
    seen.probe = viewer.probe(boneColumn, boneRow);
    seen.waitingMessage = viewer.shadowRoot!.querySelector('.message') !== null;
    for (const lang of ['en', 'tr', 'vi']) {
      viewer.setAttribute('lang', lang);
      await viewer.updateComplete;
      seen.labels[lang] = label(viewer);
      await executeServerCommand('screenshot', { name: `preview-${lang}-360x640` });
    }
    viewer.setAttribute('lang', 'en');
    await nextEvent(viewer, 'filmless-first-image', 60_000);
    await viewer.updateComplete;
  });

  after(async () => {
    await executeServerCommand('fault-clear');
    cleanup();
    await setViewport({ width: 800, height: 600 });
  });

  it('asks the server for the middle image rendered at the viewport size in the file window, with the token in the Authorization header only', async () => {
    const log = await load.requests();
    const rendered = previewRequests(log, load);
    expect(rendered, 'rendered requests before the first image').to.have.length(1);
    const request = rendered[0]!;
    const frame = log.find((r) => r.kind === 'frames')!;
    const sop = /\/instances\/([^/]+)\/frames\//.exec(frame.url)![1]!;
    expect(request.url).to.contain(`/instances/${sop}/frames/1/rendered?viewport=`);
    const [width, height] = /viewport=(\d+),(\d+)/.exec(request.url)!.slice(1).map(Number) as [number, number];
    // Within the viewport's device pixels, the image's shape, its longer side as large as the viewport allows (at most 512).
    expect(width, 'width').to.be.at.most(Math.ceil(box.width * ratio));
    expect(height, 'height').to.be.at.most(Math.ceil(box.height * ratio));
    expect(width / height).to.be.closeTo(columns / rows, 0.02);
    expect(Math.max(width, height)).to.be.at.least(Math.min(512, Math.floor(Math.min(box.width * ratio, box.height * ratio)), Math.max(columns, rows)) - 1);
    // In the file's window, as the image itself is shown.
    const { data } = await pacsInfo();
    expect(request.url).to.contain(`window=${data.ct.main.windowCenter},${data.ct.main.windowWidth},linear`);
    expect(request.status).to.equal(200);
    for (const r of log) expect(r.url, 'a token in a URL').not.to.contain(load.token);
  });

  it('announces the preview before the first image at full quality, with its size', () => {
    expect(load.events).to.deep.equal(['preview', 'first-image']);
    expect(load.preview!.width).to.be.greaterThan(0);
    expect(load.preview!.height).to.be.greaterThan(0);
    expect(load.preview!.timeToPreviewMs).to.be.greaterThan(0);
    expect(load.errors).to.deep.equal([]);
  });

  it('labels the preview in the viewer language, in place of the loading message', () => {
    expect(seen.labels).to.deep.equal({
      en: 'Preview: loading full quality…',
      tr: 'Önizleme: tam kalite yükleniyor…',
      vi: 'Xem trước: đang tải ảnh đầy đủ…',
    });
    expect(seen.waitingMessage, 'the loading message over the preview').to.equal(false);
  });

  it('draws a preview that resembles the image: bone white, air black, close to the full image everywhere', () => {
    expect(seen.bone - seen.air, `bone ${seen.bone}, air ${seen.air}`).to.be.greaterThan(100);
    const differences = seen.greys.map((grey, i) => Math.abs(grey - fullGreys[i]!));
    const mean = differences.reduce((a, b) => a + b, 0) / differences.length;
    expect(fullGreys).to.have.length(points.length);
    expect(mean, `preview ${seen.greys.map(Math.round).join(' ')} / full ${fullGreys.map(Math.round).join(' ')}`).to.be.below(25);
  });

  it('reports no pixel value while only the preview is shown', () => {
    expect(seen.probe).to.equal(undefined);
  });

  it('replaces the preview with the image at full quality: the label goes and values are the file’s', async () => {
    expect(label(load.viewer)).to.equal(undefined);
    const { data } = await pacsInfo();
    const [column, row] = data.ct.landmarks!.bone;
    const truth = await storedPixel(data.ct.main.middleFile, column, row);
    await until(() => load.viewer.probe(column, row) !== undefined, 'a pixel value');
    expect(load.viewer.probe(column, row)).to.equal(truth.modalityValue);
  });
});

describe('the first image on a fast link', () => {
  let load: Load;

  before(async function () {
    this.timeout(60_000);
    load = await openCt('fast', () => []);
    await nextEvent(load.viewer, 'filmless-first-image', 45_000);
  });

  after(async () => {
    await executeServerCommand('fault-clear');
    cleanup();
  });

  it('asks for no preview when the image itself comes at once', async function () {
    const log = await load.requests();
    const slowest = Math.max(...log.filter((r) => r.kind === 'frames' || r.kind === 'metadata').slice(0, 2).map((r) => (r.ended ?? Infinity) - r.time));
    // On a machine so loaded that the server took longer than the preview's delay, a preview is right.
    if (slowest > 300) this.skip();
    expect(previewRequests(log, load)).to.deep.equal([]);
    expect(load.events).to.deep.equal(['first-image']);
  });
});

describe('the first image on a slow link from a server without rendered images', () => {
  let load: Load;

  before(async function () {
    this.timeout(60_000);
    load = await openCt('refused', (token) => [...slowFirstImage(2000)(token), { kind: 'rendered', token, fault: { type: 'status', status: 404 } }]);
    await nextEvent(load.viewer, 'filmless-first-image', 45_000);
    await load.viewer.updateComplete;
  });

  after(async () => {
    await executeServerCommand('fault-clear');
    cleanup();
  });

  it('shows the image itself without a preview and without an error', async () => {
    const refused = previewRequests(await load.requests(), load);
    expect(refused.length, 'rendered requests').to.be.within(1, 2);
    for (const r of refused) expect(r.status).to.equal(404);
    expect(load.events).to.deep.equal(['first-image']);
    expect(load.errors).to.deep.equal([]);
    expect(label(load.viewer)).to.equal(undefined);
  });
});

describe('the first image on a slow link when its frame never comes', () => {
  let load: Load;

  before(async function () {
    this.timeout(90_000);
    // The server fails every frame (503, retried, then given up): the preview shows while it retries.
    load = await openCt('failing', (token) => [{ kind: ['frames', 'series', 'instance'], token, fault: { type: 'status', status: 503 } }]);
    await nextEvent(load.viewer, 'filmless-preview', 45_000);
    await until(() => load.errors.length > 0, 'the error', 60_000);
    await load.viewer.updateComplete;
  });

  after(async () => {
    await executeServerCommand('fault-clear');
    cleanup();
  });

  it('takes the preview away and shows the error instead of it', () => {
    expect(load.errors[0]!.code).to.equal('server');
    expect(label(load.viewer), 'the preview label').to.equal(undefined);
    expect(lean(load.viewer).hidden, 'the preview canvas hidden').to.equal(true);
    expect(load.viewer.shadowRoot!.querySelector('[part="error"], [part="image-error"]'), 'an error shown').not.to.equal(null);
    expect(load.events).to.deep.equal(['preview']);
  });
});
