/** Browser-side helpers shared by the element and integration tests. */
import '../../src/cdn.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { sendKeys } from '@web/test-runner-commands';
import { storedPixel } from './commands.js';
import type { StudyFacts } from './test-data.js';

export * from './commands.js';
import type {} from './commands.js';

/** Adds a viewer to the page with the given properties; removed again by `cleanup()`. */
export function mountViewer(props: Partial<FilmlessViewer> & Record<string, unknown> = {}, style = 'width: 640px; height: 560px'): FilmlessViewer {
  const viewer = document.createElement('filmless-viewer');
  viewer.setAttribute('style', `display:block; ${style}`);
  Object.assign(viewer, props);
  document.body.append(viewer);
  return viewer;
}

export function cleanup(): void {
  for (const viewer of document.querySelectorAll('filmless-viewer')) viewer.remove();
}

/** Resolves with the next event of that type, or rejects after `timeoutMs` (no test hangs). */
export function nextEvent<T = unknown>(target: EventTarget, type: string, timeoutMs = 45_000): Promise<CustomEvent<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No ${type} within ${timeoutMs} ms`)), timeoutMs);
    target.addEventListener(
      type,
      (event) => {
        clearTimeout(timer);
        resolve(event as CustomEvent<T>);
      },
      { once: true },
    );
  });
}

/** Resolves with whichever of the events comes first: `filmless-ready` or a fatal `filmless-error` (non-fatal ones, `fatal: false`, are passed over). */
export async function readyOrError(viewer: FilmlessViewer): Promise<CustomEvent> {
  return Promise.race([nextEvent(viewer, 'filmless-ready'), nextFatalError(viewer)]);
}

/** The next `filmless-error` that stopped the viewer (`fatal` not false), or a rejection after `timeoutMs`. */
export function nextFatalError<T = unknown>(target: EventTarget, timeoutMs = 45_000): Promise<CustomEvent<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No fatal filmless-error within ${timeoutMs} ms`)), timeoutMs);
    const listener = (event: Event) => {
      if ((event as CustomEvent<{ fatal?: boolean }>).detail?.fatal === false) return;
      clearTimeout(timer);
      target.removeEventListener('filmless-error', listener);
      resolve(event as CustomEvent<T>);
    };
    target.addEventListener('filmless-error', listener);
  });
}

/** The canvas a user sees in the viewer's image area. */
export function viewerCanvas(viewer: FilmlessViewer): HTMLCanvasElement {
  const canvas = viewer.shadowRoot?.querySelector<HTMLCanvasElement>('[part="viewport"] canvas');
  if (!canvas) throw new Error('no canvas in the viewport');
  return canvas;
}

/** Mean grey value (0–255) of a square of the canvas around (x, y) in canvas pixels. */
export function canvasGrey(canvas: HTMLCanvasElement, x: number, y: number, radius = 2): number {
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('canvas has no 2d context');
  const size = radius * 2 + 1;
  const data = context.getImageData(Math.round(x) - radius, Math.round(y) - radius, size, size).data;
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
  return sum / (data.length / 4);
}

/**
 * Where an image pixel lands on the canvas when the whole image is fitted, centred, in the viewport
 * (the initial view of every viewer): a fact of the display geometry, not of our code.
 */
export function imageToCanvas(canvas: HTMLCanvasElement, columns: number, rows: number, column: number, row: number): [number, number] {
  const scale = Math.min(canvas.width / columns, canvas.height / rows);
  const left = (canvas.width - columns * scale) / 2;
  const top = (canvas.height - rows * scale) / 2;
  return [left + (column + 0.5) * scale, top + (row + 0.5) * scale];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until a condition holds, polling each animation frame, or fails after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

/** Grey (0-255) the DICOM linear VOI function gives a modality value in a window. */
export function voiGrey(value: number, center: number, width: number): number {
  return Math.min(255, Math.max(0, ((value - (center - 0.5)) / (width - 1) + 0.5) * 255));
}

/**
 * Presses 8 in the viewport (the bone preset, 400 / 1800) and waits until the study's bone and outside-air
 * landmarks show, on the canvas, the greys that window gives their values in the middle file.
 */
export async function expectBonePresetGreys(viewer: FilmlessViewer, ct: StudyFacts): Promise<void> {
  viewer.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!.focus();
  await sendKeys({ press: '8' });
  await until(() => viewer.getViewState().windowCenter === 400 && viewer.getViewState().windowWidth === 1800, 'the bone preset');
  const canvas = viewerCanvas(viewer);
  const { columns, rows, middleFile } = ct.main;
  for (const point of [ct.landmarks!.bone, ct.landmarks!.outsideAir]) {
    const value = (await storedPixel(middleFile, ...point)).modalityValue;
    await until(() => Math.abs(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ...point), 0) - voiGrey(value, 400, 1800)) <= 8, `grey of ${value} under 400/1800`);
  }
}
