// MPR: the CT series as a volume in axial, sagittal and coronal views, checked against the files: the
// sagittal view's height against slices × spacing, the value under the crosshairs against the axial file's
// pixel, the slab modes against the single slice, the frames reused rather than downloaded again, and the
// localizer refused with its reason. Under `auto` (the CPU renderer for stacks on this machine's software
// WebGL) and forced `gpu` MPR works; forced `cpu` turns it off with `needs-webgl`.
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { cache } from '@cornerstonejs/core';
import type { FilmlessReadyDetail, FilmlessResolvedDetail } from '../../src/index.js';
import { en } from '../../src/i18n/messages.js';
import { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { FileGeometry } from '../support/dicom-geometry.js';
import type { RobustnessFolder } from '../support/robustness-studies.js';
import { type DatasetUse, cleanup, describeEachDataset, describeOn, gatewayRequests, mountViewer, nextEvent, pacsInfo, readyOrError, storedPixel, until } from '../support/browser.js';

type Vec3 = [number, number, number];

async function geometry(files: string[]): Promise<FileGeometry[]> {
  return (await executeServerCommand('dicom-geometry', { files })) as FileGeometry[];
}

const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
const cross = (a: number[], b: number[]): Vec3 => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];

/** The patient position of a pixel centre, from the file's position, orientation and spacing. */
function patientPoint(g: FileGeometry, column: number, row: number): Vec3 {
  const [rowSpacing, columnSpacing] = g.pixelSpacing as [number, number];
  const o = g.orientation;
  return [0, 1, 2].map((i) => g.position[i]! + column * columnSpacing * o[i]! + row * rowSpacing * o[3 + i]!) as Vec3;
}

function mprCanvas(viewer: FilmlessViewer, plane: string): HTMLCanvasElement {
  const canvas = viewer.shadowRoot!.querySelector<HTMLCanvasElement>(`[data-mpr="${plane}"] canvas`);
  if (!canvas) throw new Error(`no ${plane} canvas`);
  return canvas;
}

function pixels(canvas: HTMLCanvasElement): Uint8ClampedArray {
  return canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, canvas.width, canvas.height).data;
}

/**
 * The box of canvas pixels that are not the background colour (the volume's outside, the canvas's
 * corner pixel, which the fitted volume never covers in a square-ish view).
 */
function volumeBox(canvas: HTMLCanvasElement): { width: number; height: number; top: number; bottom: number } {
  const data = pixels(canvas);
  const background = [data[0]!, data[1]!, data[2]!];
  let top = Infinity, bottom = -1, left = Infinity, right = -1;
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      const i = (y * canvas.width + x) * 4;
      if (Math.abs(data[i]! - background[0]!) + Math.abs(data[i + 1]! - background[1]!) + Math.abs(data[i + 2]! - background[2]!) <= 6) continue;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  return { width: right - left + 1, height: bottom - top + 1, top, bottom };
}

function meanGrey(canvas: HTMLCanvasElement): number {
  const data = pixels(canvas);
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += data[i]! + data[i + 1]! + data[i + 2]!;
  return sum / (data.length / 4) / 3;
}

/** Pixel requests (frames or a series retrieval) among the gateway's requests since `from`. */
function pixelRequests(requests: { url: string }[], from: number): string[] {
  return requests.slice(from).map((r) => r.url).filter((url) => /\/series\/[^/?]+(\/instances\/[^/?]+(\/frames\/[\d,]+)?)?(\?|$)/.test(new URL(url, location.href).pathname + '?'));
}

/** Single frames a plain load (no MPR) asked for, by slice count: what MPR may not exceed. */
const plainLoadFrames = new Map<number, number>();

async function openCt(use: DatasetUse, props: Partial<FilmlessViewer> = {}): Promise<{ viewer: FilmlessViewer; ready: FilmlessReadyDetail; resolved: FilmlessResolvedDetail }> {
  const pacs = await pacsInfo();
  const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: use.accessions.mpr, ...props }, 'width: 800px; height: 700px');
  const resolved = nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
  const event = (await readyOrError(viewer)) as CustomEvent<FilmlessReadyDetail>;
  expect(event.type, JSON.stringify(event.detail)).to.equal('filmless-ready');
  return { viewer, ready: event.detail, resolved: (await resolved).detail };
}

/** Opens MPR and waits until its three views are drawn. */
async function openMpr(viewer: FilmlessViewer): Promise<void> {
  viewer.mpr = true;
  await until(() => {
    const panel = viewer.shadowRoot!.querySelector('[part="mpr"]');
    return panel?.getAttribute('aria-busy') === 'false' && viewer.getViewState().mpr !== undefined;
  }, 'MPR on screen', 60_000);
  // Every slice in the volume: the views are final.
  await until(() => viewer.probeMpr() !== undefined, 'the volume answers');
}

describeEachDataset('MPR', (use) => {
  let viewer: FilmlessViewer;
  let ready: FilmlessReadyDetail;
  let resolved: FilmlessResolvedDetail;
  let requestsBefore = 0;
  let slices: FileGeometry[];
  let spacing = 0;

  before(async function () {
    this.timeout(180_000);
    const { ct } = use();
    const mountedAt = (await gatewayRequests()).length;
    ({ viewer, ready, resolved } = await openCt(use()));
    // The whole series decoded by the stack first: MPR must then build its volume from those frames.
    await until(() => !viewer.shadowRoot!.querySelector('[part="progress"]'), 'the series decoded', 120_000);
    const requests = await gatewayRequests();
    requestsBefore = requests.length;
    plainLoadFrames.set(ct.main.count, pixelRequests(requests, mountedAt).filter((url) => url.includes('/frames/')).length);
    const bytesBefore = cache.getCacheSize();
    const started = performance.now();
    await openMpr(viewer);
    // Measured, not asserted (timing varies with the machine): reported in the run's console log.
    console.log(`MPR measure (${ct.main.count} slices, stacks on ${ready.renderer}): open to drawn ${Math.round(performance.now() - started)} ms; `
      + `Cornerstone cache ${(bytesBefore / 2 ** 20).toFixed(1)} MiB before, ${(cache.getCacheSize() / 2 ** 20).toFixed(1)} MiB with the volume`);
    await executeServerCommand('screenshot', { name: `mpr-${ct.main.count}-slices` });
    slices = await geometry(ct.main.files);
    const normal = cross(slices[0]!.orientation.slice(0, 3), slices[0]!.orientation.slice(3, 6));
    spacing = Math.abs(dot(normal, slices.at(-1)!.position) - dot(normal, slices[0]!.position)) / (slices.length - 1);
  });

  after(() => {
    cleanup();
  });

  it('builds the volume from the frames the viewer already loaded, without downloading them again', async () => {
    expect(viewer.getMprAvailability()).to.deep.equal({ available: true });
    const state = viewer.getViewState().mpr!;
    expect(state.seriesInstanceUID).to.equal(viewer.getViewState().seriesInstanceUID);
    expect(state.viewports.map((v) => v.plane)).to.deep.equal(['axial', 'sagittal', 'coronal']);
    const again = pixelRequests(await gatewayRequests(), requestsBefore);
    expect(again, `pixel requests after opening MPR (renderer of the stacks: ${ready.renderer})`).to.deep.equal([]);
    expect(viewer.shadowRoot!.querySelector('[data-item="mpr"]')!.getAttribute('aria-pressed')).to.equal('true');
  });

  it('shows the sagittal view as tall as slices × spacing, at the scale of its front-to-back width', () => {
    const { ct } = use();
    const canvas = mprCanvas(viewer, 'sagittal');
    const box = volumeBox(canvas);
    expect(box.height, 'the volume is not cut by the view').to.be.lessThan(canvas.height);
    // Front to back is the axial images' column direction: rows × the spacing between rows.
    const depthMm = ct.main.rows * slices[0]!.pixelSpacing[0]!;
    const pixelsPerMm = box.width / depthMm;
    const heightMm = box.height / pixelsPerMm;
    expect(heightMm, `${box.height} px at ${pixelsPerMm.toFixed(3)} px/mm; ${slices.length} slices × ${spacing} mm`).to.be.closeTo(slices.length * spacing, 2 / pixelsPerMm + 0.01 * slices.length * spacing);
  });

  it('answers at the crosshairs the axial file value of the same patient position', async () => {
    const { ct } = use();
    const [column, row] = ct.landmarks!.bone;
    const middle = slices[ct.main.middleIndex]!;
    const point = patientPoint(middle, column, row);
    viewer.setMprCenter(point);
    await until(() => {
      const center = viewer.getViewState().mpr!.center;
      return center.every((v, i) => Math.abs(v - point[i]!) < 1e-3);
    }, 'the crosshairs at the point');
    const axial = viewer.getViewState().mpr!.viewports.find((v) => v.plane === 'axial')!;
    expect(dot(axial.normal, axial.focalPoint), 'the axial view shows the slice through the point').to.be.closeTo(dot(axial.normal, point), 1e-3);
    expect(viewer.probeMpr(), `HU at column ${column}, row ${row} of ${ct.main.middleFile}`).to.equal((await storedPixel(ct.main.middleFile, column, row)).modalityValue);
  });

  it('combines a slab by maximum, minimum or average intensity', async () => {
    const canvas = mprCanvas(viewer, 'coronal');
    const single = meanGrey(canvas);
    const element = canvas.closest('[data-mpr]')!;
    const rendered = () => new Promise((resolve) => element.addEventListener('CORNERSTONE_IMAGE_RENDERED', resolve, { once: true }));
    const means: Record<string, number> = {};
    for (const mode of ['mip', 'minip', 'average'] as const) {
      const drawn = rendered();
      viewer.mprSlabThickness = 20;
      viewer.mprSlabMode = mode;
      await drawn;
      await until(() => viewer.getViewState().mpr!.slabMode === mode && viewer.getViewState().mpr!.slabThickness === 20, `slab ${mode}`);
      means[mode] = meanGrey(canvas);
    }
    expect(means.mip, JSON.stringify({ single, ...means })).to.be.greaterThan(single);
    expect(means.minip, JSON.stringify({ single, ...means })).to.be.lessThan(single);
    expect(means.average).to.be.within(means.minip!, means.mip!);
    const drawn = rendered();
    viewer.mprSlabThickness = 0;
    await drawn;
  });

  it('applies a window preset chosen in the toolbar to the three views, leaving the hidden stack as it was', async () => {
    const root = viewer.shadowRoot!;
    const stackWindow = () => ({ center: viewer.getViewState().windowCenter, width: viewer.getViewState().windowWidth });
    const before = stackWindow();
    root.querySelector<HTMLButtonElement>('[data-menu-trigger="presets"]')!.click();
    await until(() => root.querySelector('[data-entry="preset-7"]') !== null, 'the presets menu');
    root.querySelector<HTMLButtonElement>('[data-entry="preset-7"]')!.click();
    // Bone, as the README's preset table gives it: W 1800 / L 400.
    await until(() => viewer.getViewState().mpr!.viewports.every((v) => Math.abs(v.windowWidth - 1800) < 1e-6 && Math.abs(v.windowCenter - 400) < 1e-6), 'the bone window in the three views');
    expect(stackWindow()).to.deep.equal(before);
  });

  it('measures a length in the sagittal view with the toolbar\'s length tool, in mm of the volume', async () => {
    const { ct } = use();
    const root = viewer.shadowRoot!;
    root.querySelector<HTMLButtonElement>('[data-menu-trigger="measure"]')!.click();
    await until(() => root.querySelector('[data-entry="tool-length"]') !== null, 'the measurement menu');
    root.querySelector<HTMLButtonElement>('[data-entry="tool-length"]')!.click();
    await viewer.updateComplete;
    const canvas = mprCanvas(viewer, 'sagittal');
    const element = canvas.closest<HTMLElement>('[data-mpr]')!;
    const box = volumeBox(canvas);
    const pixelsPerMm = box.width / (ct.main.rows * slices[0]!.pixelSpacing[0]!);
    // A vertical drag of 80 canvas pixels inside the volume, as a user's mouse makes it.
    const rect = canvas.getBoundingClientRect();
    const x = rect.left + canvas.width / 2 + 20;
    const y0 = rect.top + box.top + 10;
    const mouse = (target: EventTarget, type: string, y: number) =>
      target.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, composed: true, clientX: x, clientY: y, button: 0, buttons: type === 'mouseup' ? 0 : 1 }));
    mouse(canvas, 'mousedown', y0);
    for (let step = 1; step <= 8; step++) mouse(document, 'mousemove', y0 + step * 10);
    mouse(document, 'mouseup', y0 + 80);
    await until(() => [...element.querySelectorAll('svg text')].some((text) => /mm/.test(text.textContent ?? '')), 'the length drawn');
    const text = [...element.querySelectorAll('svg text')].map((t) => t.textContent ?? '').find((t) => /mm/.test(t))!;
    const mm = Number(/([\d.]+)\s*mm/.exec(text)![1]);
    expect(mm, `"${text}" for 80 px at ${pixelsPerMm.toFixed(3)} px/mm`).to.be.closeTo(80 / pixelsPerMm, 0.03 * (80 / pixelsPerMm));
    root.querySelector<HTMLButtonElement>('[data-item="tool-windowLevel"]')!.click();
    await viewer.updateComplete;
  });

  it('gives the grid back when closed, its stack still scrolling', async () => {
    viewer.mpr = false;
    await until(() => !viewer.shadowRoot!.querySelector('[part="mpr"]'), 'MPR closed');
    expect(viewer.getViewState().mpr).to.equal(undefined);
    const before = viewer.getViewState().imageIndex;
    viewer.scrollImages(1);
    await until(() => viewer.getViewState().imageIndex === before + 1, 'the stack scrolls');
  });

  it('refuses the localizer, and the MPR button says why', async () => {
    // The test PACS holds copies with new UIDs: the localizer is the series of fewer than 3 images.
    const localizer = resolved.series.find((s) => s.imageCount < 3);
    if (!localizer) throw new Error('the study has no localizer of fewer than 3 images');
    viewer.showSeries(0, localizer.seriesInstanceUID);
    await until(() => viewer.getViewState().seriesInstanceUID === localizer.seriesInstanceUID && viewer.getMprAvailability().available === false
      && (viewer.getMprAvailability() as { reason: string }).reason !== 'loading', 'the localizer shown');
    expect(viewer.getMprAvailability()).to.deep.equal({ available: false, reason: 'too-few-slices' });
    await viewer.updateComplete;
    const button = viewer.shadowRoot!.querySelector<HTMLButtonElement>('[data-item="mpr"]')!;
    expect(button.getAttribute('aria-disabled')).to.equal('true');
    expect(button.title).to.contain(en['mprReason.too-few-slices']);
    button.click();
    await viewer.updateComplete;
    expect(viewer.mpr, 'a click on the disabled button opens nothing').to.equal(false);
    viewer.mpr = true;
    await viewer.updateComplete;
    await viewer.updateComplete;
    expect(viewer.mpr, 'nor does the property').to.equal(false);
  });
});

describeEachDataset('MPR under a forced renderer', (use) => {
  afterEach(() => {
    cleanup();
    FilmlessViewer.renderer = 'auto';
  });

  it('works with WebGL forced, opening by itself when mpr is set with the accession number, the probe matching the file', async () => {
    FilmlessViewer.renderer = 'gpu';
    const { ct } = use();
    const requestsBefore = (await gatewayRequests()).length;
    const { viewer, ready } = await openCt(use(), { mpr: true });
    expect(ready.renderer).to.equal('gpu');
    await openMpr(viewer);
    // Asked for while the series was still streaming in: no frame is downloaded twice for the volume.
    const requested = pixelRequests(await gatewayRequests(), requestsBefore);
    const frames = requested.filter((url) => url.includes('/frames/')).length;
    console.log(`MPR measure (${ct.main.count} slices, MPR asked for with the accession number): ${requested.length} pixel requests, ${frames} of them single frames; a plain load: ${plainLoadFrames.get(ct.main.count)} single frames`);
    expect(new Set(requested).size, requested.join('\n')).to.equal(requested.length);
    expect(frames, 'single frames asked for: no more than a plain load of the series').to.be.at.most(plainLoadFrames.get(ct.main.count)!);
    const [column, row] = ct.landmarks!.bone;
    const [middle] = await geometry([ct.main.middleFile]);
    viewer.setMprCenter(patientPoint(middle!, column, row));
    expect(viewer.probeMpr()).to.equal((await storedPixel(ct.main.middleFile, column, row)).modalityValue);
  });

  it('is off with the CPU renderer forced, and says it needs WebGL', async () => {
    FilmlessViewer.renderer = 'cpu';
    const { viewer } = await openCt(use());
    expect(viewer.getMprAvailability()).to.deep.equal({ available: false, reason: 'needs-webgl' });
    await viewer.updateComplete;
    const button = viewer.shadowRoot!.querySelector<HTMLButtonElement>('[data-item="mpr"]')!;
    expect(button.getAttribute('aria-disabled')).to.equal('true');
    expect(button.title).to.contain(en['mprReason.needs-webgl']);
  });
});

describeOn('real', 'MPR on series that are not a volume', () => {
  afterEach(cleanup);

  /** Why the files are not a volume, from their geometry: a gap off the median spacing, or slices off their normal. */
  function reasonFromFiles(files: FileGeometry[]): 'uneven-spacing' | 'tilted' | undefined {
    const normal = cross(files[0]!.orientation.slice(0, 3), files[0]!.orientation.slice(3, 6));
    const sorted = [...files].sort((a, b) => dot(normal, a.position) - dot(normal, b.position));
    const steps = sorted.slice(1).map((g, i) => dot(normal, g.position) - dot(normal, sorted[i]!.position));
    const median = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)]!;
    if (steps.some((step) => Math.abs(step - median) > 0.1 * median)) return 'uneven-spacing';
    const first = sorted[0]!.position;
    const last = sorted.at(-1)!.position;
    const offset = [0, 1, 2].map((i) => last[i]! - first[i]!);
    const along = dot(normal, offset);
    const across = Math.hypot(...offset.map((v, i) => v - along * normal[i]!));
    return across > Math.tan((0.5 * Math.PI) / 180) * Math.abs(along) ? 'tilted' : undefined;
  }

  for (const folderPath of ['robustness/ct-gantry-tilt-d2n', 'robustness/ct-missing-slice-d2n']) {
    it(`refuses ${folderPath} with the reason its files give`, async () => {
      const pacs = await pacsInfo();
      const folder = pacs.robustness?.[folderPath] as RobustnessFolder | undefined;
      expect(folder, `${folderPath} is loaded`).to.not.equal(undefined);
      const expected = reasonFromFiles(await geometry(folder!.files));
      expect(expected, 'the files are not a volume').to.not.equal(undefined);
      const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: folder!.accession });
      expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
      await until(() => (viewer.getMprAvailability() as { reason?: string }).reason !== 'loading', 'the series on screen');
      expect(viewer.getMprAvailability()).to.deep.equal({ available: false, reason: expected });
      await viewer.updateComplete;
      const button = viewer.shadowRoot!.querySelector<HTMLButtonElement>('[data-item="mpr"]')!;
      expect(button.getAttribute('aria-disabled')).to.equal('true');
      expect(button.title).to.contain(en[`mprReason.${expected!}`]);
    });
  }
});
