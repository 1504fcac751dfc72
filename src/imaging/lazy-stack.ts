import { type DisplayState, plainDisplay } from './display-state.js';
import type { PrimaryTool, StackController } from './stack-controller.js';
import type { MeasurementLayer } from './measurement-tools.js';
import { nextTask } from './next-task.js';

type ImagingModule = typeof import('./imaging-module.js');

let imaging: Promise<ImagingModule> | undefined;

/**
 * The Cornerstone part's packages in dependency order, the largest ones split at the seams of their own
 * module graphs: dcmjs (1.3 MB, building its DICOM dictionary maps), Cornerstone's metadata package
 * (which builds tag maps from dcmjs's dictionary at its top level), vtk.js's data model, rendering
 * core and WebGL back end, then Cornerstone's core, its tools and its DICOM image loader. Each import
 * evaluates only the modules earlier steps did not: the build gives every step its own chunk, and one
 * step's evaluation is one task (issue 11, P4). None of these modules is used before Cornerstone is.
 */
const IMPORT_STEPS: ReadonlyArray<() => Promise<unknown>> = [
  () => import('dcmjs'),
  () => import('@cornerstonejs/metadata'),
  () => import('@kitware/vtk.js/Common/DataModel/ImageData'),
  () => import('@kitware/vtk.js/Rendering/Core/Renderer'),
  () => import('@kitware/vtk.js/Rendering/OpenGL/RenderWindow'),
  () => import('@cornerstonejs/core'),
  () => import('@cornerstonejs/tools'),
  () => import('@cornerstonejs/dicom-image-loader'),
];

/**
 * Imports the Cornerstone part in steps, one task each (IMPORT_STEPS), then the module using them. The
 * megabytes of Cornerstone's code are evaluated in several tasks rather than one long one.
 */
async function importInSteps(): Promise<ImagingModule> {
  // Meanwhile Cornerstone's WebGL probe runs in a worker (texture-probe.ts; the engine's start waits for it).
  import('./texture-probe.js').then(({ probeTexturesOffMainThread }) => probeTexturesOffMainThread(), () => undefined);
  for (const step of IMPORT_STEPS) {
    await step();
    await nextTask();
  }
  return import('./imaging-module.js');
}

/** Loads the Cornerstone part once per page (the first viewer starts it; the others share it). */
export function loadImaging(): Promise<ImagingModule> {
  imaging ??= importInSteps().catch((error: unknown) => {
    imaging = undefined;
    throw error;
  });
  return imaging;
}

/**
 * The element's handle on its stack viewport before and after Cornerstone has loaded. Scrolling asked
 * for while a series is loading (the lean first image is on screen, Cornerstone is not yet) is kept
 * and applied once the stack is shown, so no wheel turn or key press is lost; other calls made before
 * the viewport exists are ignored, and `state()` answers a neutral view.
 */
export class LazyStack {
  private inner: StackController | undefined;
  private shown = false;
  private pendingSlices = 0;
  private pendingWheelPixels = 0;
  private primaryTool: PrimaryTool = 'windowLevel';
  /** Counts detaches: an attach that a detach overtook while it waited undoes itself. */
  private detaches = 0;
  onChange: (state: DisplayState) => void = () => undefined;
  onImageError: (imageId: string, error: unknown) => void = () => undefined;

  /**
   * Enables a Cornerstone viewport on the element. Detached while it waited (for the imaging chunk or the
   * shared engine), it leaves nothing on the engine (viewport, tool group, resize observer) and rejects
   * with an AbortError.
   */
  async attach(element: HTMLDivElement): Promise<void> {
    const detaches = this.detaches;
    const overtaken = () => detaches !== this.detaches;
    const { StackController } = await loadImaging();
    await nextTask(); // the imaging modules' evaluation and the engine's start-up: two tasks, not one
    if (overtaken()) throw new DOMException('The viewport was released while it was being attached', 'AbortError');
    const stack = new StackController();
    stack.onChange = (state) => this.onChange(state);
    stack.onImageError = (imageId, error) => this.onImageError(imageId, error);
    try {
      await stack.attach(element);
    } catch (error) {
      stack.detach();
      throw error;
    }
    if (overtaken()) {
      stack.detach();
      throw new DOMException('The viewport was released while it was being attached', 'AbortError');
    }
    // A tool chosen before Cornerstone was there (patient mode starts on scroll) applies now.
    if (this.primaryTool !== 'windowLevel') stack.setPrimaryTool(this.primaryTool);
    this.inner = stack;
  }

  /** Whether a series has been shown by Cornerstone in this viewport. */
  get isShowing(): boolean {
    return this.inner !== undefined && this.shownOnce;
  }
  private shownOnce = false;

  /** A new series is on its way: scrolling from now on waits for it. */
  beginLoading(): void {
    this.shown = false;
    this.pendingSlices = 0;
    this.pendingWheelPixels = 0;
  }

  async show(imageIds: string[], initialIndex: number): Promise<void> {
    if (!this.inner) throw new Error('viewport is not attached');
    await this.inner.show(imageIds, initialIndex);
    this.shown = true;
    this.shownOnce = true;
  }

  /** Applies the scrolling asked for while the series was loading. */
  applyPendingInput(): void {
    const slices = this.pendingSlices + Math.trunc(this.pendingWheelPixels / 100);
    this.pendingSlices = 0;
    this.pendingWheelPixels = 0;
    if (slices !== 0) this.inner?.scroll(slices);
  }

  detach(): void {
    this.detaches += 1;
    this.inner?.detach();
    this.inner = undefined;
    this.shown = false;
    this.shownOnce = false;
  }

  state(): DisplayState {
    return this.inner?.state() ?? plainDisplay(0, 0, 0, 0);
  }

  scroll(delta: number): void {
    if (this.shown) this.inner?.scroll(delta);
    else this.pendingSlices += delta;
  }

  scrollByWheel(event: WheelEvent): void {
    if (this.shown) {
      this.inner?.scrollByWheel(event);
      return;
    }
    const lines = event.deltaMode === WheelEvent.DOM_DELTA_LINE ? 33 : event.deltaMode === WheelEvent.DOM_DELTA_PAGE ? 100 : 1;
    this.pendingWheelPixels += event.deltaY * lines;
  }

  setImageIndex(index: number): void {
    this.inner?.setImageIndex(index);
  }

  zoomBy(factor: number): void {
    this.inner?.zoomBy(factor);
  }

  panBy(dx: number, dy: number): void {
    this.inner?.panBy(dx, dy);
  }

  panWorld(): [number, number, number] | undefined {
    return this.inner?.panWorld();
  }

  setPanWorld(pan: [number, number, number]): void {
    this.inner?.setPanWorld(pan);
  }

  setWindow(center: number, width: number): void {
    this.inner?.setWindow(center, width);
  }

  adjustWindow(widthDelta: number, centerDelta: number): void {
    this.inner?.adjustWindow(widthDelta, centerDelta);
  }

  setPrimaryTool(tool: PrimaryTool): void {
    this.primaryTool = tool;
    this.inner?.setPrimaryTool(tool);
  }

  reset(): void {
    this.inner?.reset();
  }

  /** Rotates by a multiple of 90 degrees, clockwise for positive values. */
  rotate(degrees: number): void {
    this.inner?.rotate(degrees);
  }

  /** Mirrors the view as the user sees it. */
  flip(direction: 'horizontal' | 'vertical'): void {
    this.inner?.flip(direction);
  }

  /** Shows the greys inverted (or toggles without argument). */
  setInvert(on?: boolean): void {
    this.inner?.setInvert(on);
  }

  zoomToFit(): void {
    this.inner?.zoomToFit();
  }

  zoomToActualSize(): void {
    this.inner?.zoomToActualSize();
  }

  setZoom(zoom: number): void {
    this.inner?.setZoom(zoom);
  }

  /** Shows a slice and resolves once it is drawn (cine waits for each frame); false if it was not. */
  showImage(index: number): Promise<boolean> {
    return this.shown && this.inner ? this.inner.showImage(index) : Promise.resolve(false);
  }

  /** A patient position (mm) on the displayed image to CSS pixels of the viewport; undefined before Cornerstone shows it. */
  worldToCanvas(point: [number, number, number]): [number, number] | undefined {
    return this.shown ? this.inner?.worldToCanvas(point) : undefined;
  }

  /** Cornerstone's id of this viewport (its tool group is found by it), once attached. */
  get viewportId(): string | undefined {
    return this.inner?.viewportId;
  }

  /** Sets the pan as `state()` reports it (fractions of the viewport's width and height). */
  setViewPan(pan: [number, number]): void {
    this.inner?.setViewPan(pan);
  }

  /** A point of the viewport (CSS pixels) to image pixel coordinates (column, row); undefined before Cornerstone shows it. */
  canvasToImage(x: number, y: number): [number, number] | undefined {
    return this.shown ? this.inner?.canvasToImage(x, y) : undefined;
  }

  /** Image pixel coordinates (column, row) to a point of the viewport (CSS pixels); undefined before Cornerstone shows it. */
  imageToCanvas(column: number, row: number): [number, number] | undefined {
    return this.shown ? this.inner?.imageToCanvas(column, row) : undefined;
  }

  modalityValueAt(column: number, row: number): number | undefined {
    return this.inner?.modalityValueAt(column, row);
  }

  /** The measurements drawn on this viewport, once Cornerstone is there. */
  get measurements(): MeasurementLayer | undefined {
    return this.inner?.measurements;
  }
}
