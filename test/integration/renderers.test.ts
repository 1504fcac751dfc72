// Cornerstone's two renderers, WebGL and CPU: `auto` picks by the WebGL rasterizer, and both draw the
// file's own pixels. Runs in a page of its own (the renderer is page-wide).
import { expect } from 'chai';
import type { FilmlessReadyDetail } from '../../src/index.js';
import { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { type DatasetUse, canvasGrey, cleanup, describeEachDataset, imageToCanvas, mountViewer, pacsInfo, readyOrError, storedPixel, until, viewerCanvas } from '../support/browser.js';

/** The WebGL renderer string, as the browser reports it. */
function webglRenderer(): string {
  const gl = document.createElement('canvas').getContext('webgl2');
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  const name = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
  gl?.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

async function showCt(use: DatasetUse): Promise<{ viewer: FilmlessViewer; ready: FilmlessReadyDetail }> {
  const pacs = await pacsInfo();
  const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: use.accessions.ctPixels });
  const event = (await readyOrError(viewer)) as CustomEvent<FilmlessReadyDetail>;
  expect(event.type, JSON.stringify(event.detail)).to.equal('filmless-ready');
  return { viewer, ready: event.detail };
}

/** Bone white, air black, and the probe answers the file's Hounsfield values: the same for every renderer. */
async function expectFilePixels(viewer: FilmlessViewer, { ct }: DatasetUse): Promise<void> {
  const canvas = viewerCanvas(viewer);
  const { columns, rows, middleFile } = ct.main;
  const { bone, outsideAir } = ct.landmarks!;
  expect(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ...bone), 1)).to.be.greaterThan(200);
  expect(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ...outsideAir))).to.be.lessThan(30);
  for (const [column, row] of [bone, [columns >> 1, rows >> 1], [(columns * 3) >> 3, rows >> 2]] as [number, number][]) {
    expect(viewer.probe(column, row), `HU at ${column},${row}`).to.equal((await storedPixel(middleFile, column, row)).modalityValue);
  }
}

describeEachDataset('the renderer', (use) => {
  afterEach(() => {
    cleanup();
    FilmlessViewer.renderer = 'auto';
  });

  it('is chosen by the rasterizer under auto: the CPU one where WebGL is software, WebGL on a GPU', async () => {
    const software = /swiftshader|llvmpipe|software|softpipe/i.test(webglRenderer());
    expect(FilmlessViewer.renderer).to.equal('auto');
    const { viewer, ready } = await showCt(use());
    expect(ready.renderer, `WebGL renderer: ${webglRenderer()}`).to.equal(software ? 'cpu' : 'gpu');
    await expectFilePixels(viewer, use());
  });

  it('draws the same pixels with WebGL when forced to the GPU, and switches back at run time', async () => {
    FilmlessViewer.renderer = 'gpu';
    const { viewer, ready } = await showCt(use());
    expect(ready.renderer).to.equal('gpu');
    await expectFilePixels(viewer, use());
    cleanup();
    FilmlessViewer.renderer = 'cpu';
    const again = await showCt(use());
    expect(again.ready.renderer).to.equal('cpu');
    await expectFilePixels(again.viewer, use());
  });

  it('shows each MR slice with its own window under both renderers, until the user changes it', async () => {
    const pacs = await pacsInfo();
    const { mr, accessions } = use();
    const windows: Record<string, { middle: [number, number]; slice9: [number, number] }> = {};
    for (const renderer of ['gpu', 'cpu'] as const) {
      FilmlessViewer.renderer = renderer;
      const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: accessions.mr });
      expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
      const middle = viewer.getViewState();
      viewer.scrollImages(9 - mr.main.middleIndex);
      await until(() => viewer.getViewState().imageIndex === 9, 'slice 9');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const slice9 = viewer.getViewState();
      windows[renderer] = { middle: [middle.windowCenter, middle.windowWidth], slice9: [slice9.windowCenter, slice9.windowWidth] };
      cleanup();
    }
    expect(windows.cpu, JSON.stringify(windows)).to.deep.equal(windows.gpu);
    // Where the files carry a window per slice (Siemens does), slice 9's is not the middle one's.
    if (mr.main.perSliceWindows) expect(windows.gpu!.slice9).to.not.deep.equal(windows.gpu!.middle);
    else expect(windows.gpu!.slice9).to.deep.equal(windows.gpu!.middle);
  });

  it('refuses a renderer it does not know', () => {
    expect(() => (FilmlessViewer.renderer = 'webgpu' as 'gpu')).to.throw(TypeError);
    expect(FilmlessViewer.renderer).to.equal('auto');
  });
});
