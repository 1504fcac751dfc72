// A WebGL context lost while a study is shown (a GPU reset, a driver crash), made to happen with
// WEBGL_lose_context on every WebGL context the page made: the viewer switches to the CPU renderer, the
// image stays on screen with the file's pixels, the stack tools keep working, and nothing fatal is
// reported. Runs in a page of its own (the renderer is page-wide), with WebGL forced (auto takes the CPU
// renderer on this machine's software WebGL anyway).
import { expect } from 'chai';
import { en } from '../../src/i18n/messages.js';
import { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { FilmlessReadyDetail } from '../../src/index.js';
import { canvasGrey, cleanup, expectBonePresetGreys, imageToCanvas, mountViewer, nextEvent, pacsInfo, storedPixel, until, viewerCanvas } from '../support/browser.js';
import type { StudyFacts } from '../support/test-data.js';

// Every WebGL context the page makes, to be lost as a GPU reset loses them.
const contexts = new Set<WebGLRenderingContext | WebGL2RenderingContext>();
const getContext = HTMLCanvasElement.prototype.getContext;
HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, type: string, ...rest: unknown[]) {
  const context = (getContext as (type: string, ...rest: unknown[]) => RenderingContext | null).call(this, type, ...rest);
  if (context && (type === 'webgl2' || type === 'webgl')) contexts.add(context as WebGL2RenderingContext);
  return context;
} as typeof getContext;

describe('a WebGL context lost while a study is shown', () => {
  let viewer: FilmlessViewer;
  let ct: StudyFacts;
  let ready: FilmlessReadyDetail;
  const errors: { fatal?: boolean; code: string }[] = [];

  before(async function () {
    this.timeout(120_000);
    const pacs = await pacsInfo();
    ct = pacs.data.ct;
    FilmlessViewer.renderer = 'gpu';
    viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.contextLoss });
    viewer.addEventListener('filmless-error', (event) => errors.push((event as CustomEvent<{ fatal?: boolean; code: string }>).detail));
    ready = (await nextEvent<FilmlessReadyDetail>(viewer, 'filmless-ready', 90_000)).detail;
  });

  after(() => {
    cleanup();
    FilmlessViewer.renderer = 'auto';
    HTMLCanvasElement.prototype.getContext = getContext;
  });

  it('switches to the CPU renderer and keeps the image, the slice and the window on screen', async () => {
    expect(ready.renderer, 'drawn with WebGL before the loss').to.equal('gpu');
    expect(viewer.getMprAvailability().available).to.equal(true);
    const before = viewer.getViewState();
    const live = [...contexts].filter((gl) => !gl.isContextLost());
    expect(live.length, 'WebGL contexts in use').to.be.greaterThan(0);
    for (const gl of live) gl.getExtension('WEBGL_lose_context')!.loseContext();
    // The page knows WebGL is gone: MPR is off, with its reason.
    await until(() => (viewer.getMprAvailability() as { reason?: string }).reason === 'no-webgl', 'MPR turned off');
    await viewer.updateComplete;
    expect(viewer.shadowRoot!.querySelector<HTMLElement>('[data-item="mpr"]')!.title).to.contain(en['mprReason.no-webgl']);
    const canvas = viewerCanvas(viewer);
    const { columns, rows, middleFile } = ct.main;
    const { bone, outsideAir } = ct.landmarks!;
    await until(() => canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ...bone), 1) > 200, 'bone white again');
    expect(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ...outsideAir))).to.be.lessThan(30);
    const after = viewer.getViewState();
    expect([after.imageIndex, after.windowCenter, after.windowWidth, after.zoom]).to.deep.equal([before.imageIndex, before.windowCenter, before.windowWidth, before.zoom]);
    expect(viewer.probe(...bone)).to.equal((await storedPixel(middleFile, ...bone)).modalityValue);
    expect(viewer.status).to.equal('ready');
    expect(errors.filter((error) => error.fatal !== false), 'nothing fatal').to.deep.equal([]);
  });

  it('keeps scrolling and windowing after the loss, drawn by the CPU renderer', async () => {
    const start = viewer.getViewState().imageIndex;
    viewer.scrollImages(1);
    await until(() => viewer.getViewState().imageIndex === start + 1, 'the next slice');
    const [column, row] = ct.landmarks!.bone;
    expect(viewer.probe(column, row)).to.equal((await storedPixel(ct.main.files[start + 1]!, column, row)).modalityValue);
    viewer.scrollImages(-1);
    await until(() => viewer.getViewState().imageIndex === start, 'back');
    await expectBonePresetGreys(viewer, ct);
    expect(errors.filter((error) => error.fatal !== false), 'nothing fatal').to.deep.equal([]);
  });
});
