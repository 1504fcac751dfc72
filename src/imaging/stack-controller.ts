import {
  Enums as CoreEnums,
  eventTarget,
  getShouldUseCPURendering,
  metaData,
  type RenderingEngine,
  StackViewport,
  type Types,
  utilities,
} from '@cornerstonejs/core';
import {
  Enums as ToolEnums,
  PanTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';
import { wadors } from '@cornerstonejs/dicom-image-loader';
import { FilmlessError } from '../errors.js';
import { type DicomJsonDataset, numberValue } from '../dicomweb/dicom-json.js';
import { autoWindow } from './auto-window.js';
import { modalityValueOf } from './modality-value.js';
import { loadAndCacheFrame } from './frame-loader.js';
import { getSharedEngine } from './runtime.js';
import { nextTask } from './next-task.js';
import { onRendererSwitch } from './renderer-fallback.js';
import { MEASUREMENT_TOOL_NAMES, MeasurementLayer, type MeasurementTool } from './measurement-tools.js';

/** What a left drag (or a one-finger drag) does. */
import { type DisplayState, plainDisplay } from './display-state.js';

export type { DisplayState } from './display-state.js';
export type PrimaryTool = 'windowLevel' | 'pan' | 'zoom' | 'scroll' | MeasurementTool;

const TOOL_NAMES: Record<PrimaryTool, string> = {
  windowLevel: WindowLevelTool.toolName,
  pan: PanTool.toolName,
  zoom: ZoomTool.toolName,
  scroll: StackScrollTool.toolName,
  ...MEASUREMENT_TOOL_NAMES,
};

let viewportSequence = 0;

// Cornerstone's StackViewport.scroll (its StackScrollTool: a drag with the scroll tool, patient mode's
// finger) leaves the promise of the slice it moves to unobserved; on the CPU renderer a damaged slice
// rejects it, which would reach the host page as an unhandled rejection. The failure is reported through
// IMAGE_LOAD_ERROR instead (handleLoadError); callers that await the promise still see it fail.
const setImageIdIndex = StackViewport.prototype.setImageIdIndex;
StackViewport.prototype.setImageIdIndex = function (this: StackViewport, index: number) {
  const moved = setImageIdIndex.call(this, index);
  moved.catch(() => undefined);
  return moved;
};

/** The first value of a number or a multi-valued number (DICOM window attributes may hold several). */
function firstNumber(value: number | number[] | undefined): number | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'number' && Number.isFinite(first) ? first : undefined;
}

/** A render that has not happened by then will not happen (lost context, hidden GPU failure). */
const RENDER_TIMEOUT_MS = 20_000;

function withTimeout<T>(promise: Promise<T>, ms: number, failure: () => Error): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(failure()), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

/**
 * One viewer's stack viewport on the shared rendering engine: creates it, binds the tools, and reports
 * what is displayed. The element talks to Cornerstone only through this class.
 */
export class StackController {
  readonly viewportId: string;
  private engine: RenderingEngine | undefined;
  private element: HTMLDivElement | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private readonly toolGroupId: string;
  /** The measurements drawn on this viewport (see measurement-tools.ts). */
  readonly measurements = new MeasurementLayer();
  private imageIds: string[] = [];
  /** The camera's focal point when the stack was shown (the origin of panWorld). */
  private initialFocalPoint: [number, number, number] | undefined;
  /** The window Cornerstone chose for the first image shown: what reset returns to when images carry none. */
  private initialVoiRange: Types.VOIRange | undefined;

  /** Called whenever what is displayed changes (slice, window/level, zoom). */
  onChange: (state: DisplayState) => void = () => undefined;
  /** Called when a slice the user asked for failed to load or decode. */
  onImageError: (imageId: string, error: unknown) => void = () => undefined;

  constructor() {
    viewportSequence += 1;
    this.viewportId = `filmless-viewport-${viewportSequence}`;
    this.toolGroupId = `filmless-tools-${viewportSequence}`;
  }

  /** Enables the viewport on an element of the shadow root. */
  async attach(element: HTMLDivElement): Promise<void> {
    this.engine = await getSharedEngine();
    await nextTask(); // the engine's start-up and this viewport's: two tasks (next-task.ts)
    this.element = element;
    this.engine.enableElement({
      viewportId: this.viewportId,
      type: CoreEnums.ViewportType.STACK,
      element,
      defaultOptions: { background: [0, 0, 0] as Types.Point3 },
    });
    await nextTask(); // the viewport's creation and its tool group's set-up (tools, cursors): two tasks
    this.bindTools();
    this.stopFollowingRenderer = onRendererSwitch(this.keepViewAcrossRenderers);
    this.measurements.attach(() => this.viewportOrUndefined(), this.toolGroupId);
    for (const event of [CoreEnums.Events.STACK_NEW_IMAGE, CoreEnums.Events.VOI_MODIFIED, CoreEnums.Events.CAMERA_MODIFIED]) {
      element.addEventListener(event, this.emitChange);
    }
    element.addEventListener(CoreEnums.Events.IMAGE_LOAD_ERROR, this.handleLoadError as EventListener);
    // Cornerstone sends a slice's load error on its global event target, not on the viewport's element.
    eventTarget.addEventListener(CoreEnums.Events.IMAGE_LOAD_ERROR, this.handleLoadError as EventListener);
    element.addEventListener(CoreEnums.Events.STACK_NEW_IMAGE, this.followImageWindow);
    element.addEventListener(CoreEnums.Events.VOI_MODIFIED, this.noteWindowChange);
    // The observer reports the current size once at the start: the viewport was just made at that size,
    // and resizing the engine costs 150–250 ms of software WebGL on the first-image path.
    let size = `${element.clientWidth}x${element.clientHeight}`;
    this.resizeObserver = new ResizeObserver(() => {
      const now = `${element.clientWidth}x${element.clientHeight}`;
      if (now === size) return;
      size = now;
      this.engine?.resize(true, true);
    });
    this.resizeObserver.observe(element);
  }

  /** Shows a stack and resolves once its first image is drawn (pixels on the canvas, not just requested). */
  async show(imageIds: string[], initialIndex: number): Promise<void> {
    const viewport = this.viewport();
    this.imageIds = imageIds;
    // Load the first image ourselves: a frame that fails to fetch or decode then rejects here, with our
    // error, instead of leaving Cornerstone's setStack waiting forever on an image that will never come.
    await loadAndCacheFrame(imageIds[initialIndex]!);
    await viewport.setStack(imageIds, initialIndex);
    // Listen only now: a render fired before the image was set (a resize, the empty viewport) drew no pixels.
    const rendered = new Promise<void>((resolve) => {
      const element = this.element!;
      const done = () => {
        element.removeEventListener(CoreEnums.Events.IMAGE_RENDERED, done);
        resolve();
      };
      element.addEventListener(CoreEnums.Events.IMAGE_RENDERED, done);
    });
    // A new series starts upright, fitted, as the file displays it: Cornerstone's WebGL path would keep
    // the previous series' rotation, flips and zoom.
    this.userInvert = false;
    if (!getShouldUseCPURendering()) viewport.resetCamera();
    this.applyAutoWindowIfNone(viewport);
    viewport.render();
    await withTimeout(rendered, RENDER_TIMEOUT_MS, () => new FilmlessError('webgl', 'The first image was not drawn'));
    this.fileInvert = this.rendererInvert(viewport);
    this.initialVoiRange = viewport.getProperties().voiRange;
    const focalPoint = viewport.getCamera().focalPoint;
    this.initialFocalPoint = focalPoint ? [focalPoint[0], focalPoint[1], focalPoint[2]] : undefined;
    this.windowChangedByUser = false;
    this.emitChange();
  }

  /** Moves by `delta` slices, clamped to the stack. */
  scroll(delta: number): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport || this.imageIds.length === 0) return;
    const target = Math.min(this.imageIds.length - 1, Math.max(0, viewport.getCurrentImageIdIndex() + delta));
    void viewport.setImageIdIndex(target).catch(() => undefined); // a slice that fails is reported by handleLoadError
  }

  private wheelRemainder = 0;

  /** Scrolls one slice per notch (100 px of wheel delta, or one line/page step); down means next. */
  scrollByWheel(event: WheelEvent): void {
    const pixels = event.deltaMode === WheelEvent.DOM_DELTA_LINE ? event.deltaY * 33 : event.deltaMode === WheelEvent.DOM_DELTA_PAGE ? event.deltaY * 100 : event.deltaY;
    this.wheelRemainder += pixels;
    const steps = Math.trunc(this.wheelRemainder / 100) || (Math.abs(pixels) >= 1 && Math.abs(this.wheelRemainder) >= 50 ? Math.sign(this.wheelRemainder) : 0);
    if (steps !== 0) {
      this.wheelRemainder = 0;
      this.scroll(steps);
    }
  }

  /**
   * Shows a slice and resolves once it is on the canvas (loaded, decoded and drawn): cine waits for each
   * frame instead of skipping it. Resolves false when the slice could not be shown.
   */
  async showImage(index: number): Promise<boolean> {
    const viewport = this.viewportOrUndefined();
    if (!viewport || !Number.isInteger(index) || index < 0 || index >= this.imageIds.length) return false;
    try {
      await viewport.setImageIdIndex(index);
      return viewport.getCurrentImageIdIndex() === index;
    } catch {
      return false;
    }
  }

  /** Jumps to a slice (0-based). */
  setImageIndex(index: number): void {
    this.scroll(index - (this.viewportOrUndefined()?.getCurrentImageIdIndex() ?? 0));
  }

  /** Multiplies the zoom (2 = twice as large), keeping the image centre where it is. */
  zoomBy(factor: number): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport || !Number.isFinite(factor) || factor <= 0) return;
    const zoom = this.relativeZoom(viewport);
    const target = Math.min(40, Math.max(0.05, zoom * factor));
    viewport.setZoom(viewport.getZoom() * (target / zoom));
    viewport.render();
  }

  /** Moves the image by a distance in CSS pixels of the canvas. */
  panBy(dx: number, dy: number): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport) return;
    const ratio = window.devicePixelRatio || 1;
    const origin = viewport.canvasToWorld([0, 0]);
    const moved = viewport.canvasToWorld([dx * ratio, dy * ratio]);
    const delta = [moved[0] - origin[0], moved[1] - origin[1], moved[2] - origin[2]];
    const { focalPoint, position } = viewport.getCamera();
    if (!focalPoint || !position) return;
    viewport.setCamera({
      focalPoint: [focalPoint[0] - delta[0]!, focalPoint[1] - delta[1]!, focalPoint[2] - delta[2]!] as Types.Point3,
      position: [position[0] - delta[0]!, position[1] - delta[1]!, position[2] - delta[2]!] as Types.Point3,
    });
    viewport.render();
  }

  /**
   * How far the view has moved from where the stack was first shown, in world units (mm), for another
   * viewport to take (zoom/pan sync). From the camera's focal point: Cornerstone's getPan/setPan do not
   * agree with each other on its CPU path.
   */
  panWorld(): [number, number, number] | undefined {
    const focalPoint = this.viewportOrUndefined()?.getCamera().focalPoint;
    const start = this.initialFocalPoint;
    if (!focalPoint || !start) return undefined;
    return [focalPoint[0] - start[0], focalPoint[1] - start[1], focalPoint[2] - start[2]];
  }

  /** Moves the view to `panWorld()`'s offset from where this stack was first shown. */
  setPanWorld(offset: [number, number, number]): void {
    const viewport = this.viewportOrUndefined();
    const start = this.initialFocalPoint;
    if (!viewport || !start) return;
    const { focalPoint, position } = viewport.getCamera();
    if (!focalPoint || !position) return;
    const target = [start[0] + offset[0], start[1] + offset[1], start[2] + offset[2]];
    const delta = [target[0]! - focalPoint[0], target[1]! - focalPoint[1], target[2]! - focalPoint[2]];
    viewport.setCamera({
      focalPoint: target as Types.Point3,
      position: [position[0] + delta[0]!, position[1] + delta[1]!, position[2] + delta[2]!] as Types.Point3,
    });
    viewport.render();
  }

  /** Sets window centre and width (modality units, e.g. HU). */
  setWindow(center: number, width: number): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport || !(width > 0)) return;
    viewport.setProperties({ voiRange: utilities.windowLevel.toLowHighRange(width, center) });
    viewport.render();
    this.emitChange();
  }

  /** Changes window width and centre by the given amounts. */
  adjustWindow(widthDelta: number, centerDelta: number): void {
    const { windowCenter, windowWidth } = this.state();
    this.setWindow(windowCenter + centerDelta, Math.max(1, windowWidth + widthDelta));
  }

  /** Chooses what the primary (left) mouse button does; middle pans and right zooms always. */
  setPrimaryTool(tool: PrimaryTool): void {
    const group = ToolGroupManager.getToolGroup(this.toolGroupId);
    if (!group) return;
    const { MouseBindings } = ToolEnums;
    // Bindings accumulate in Cornerstone; clear them all, then bind the fixed buttons and the chosen tool.
    for (const name of Object.values(TOOL_NAMES)) group.setToolPassive(name, { removeAllBindings: true });
    this.bindDefaults(group);
    group.setToolActive(TOOL_NAMES[tool], { bindings: [{ mouseButton: MouseBindings.Primary }] });
  }

  /** Back to the initial camera and the image's own window/level. */
  reset(): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport) return;
    viewport.resetCamera();
    // Cornerstone's CPU path keeps the rotation through resetCamera.
    if (getShouldUseCPURendering()) this.applyOrientation(viewport, 0, false, false);
    // The image's own window. Cornerstone's resetProperties does that on its WebGL path; on its CPU path
    // (see renderer-preference.ts) it reads an image only the WebGL path keeps, so it is done here.
    if (getShouldUseCPURendering()) this.applyImageWindow(viewport);
    else {
      viewport.resetProperties();
      // Without a window in the file, Cornerstone's is the full range: back to the auto-window instead.
      if (!this.imageHasWindow(viewport)) this.applyImageWindow(viewport);
    }
    this.userInvert = false;
    viewport.setProperties({ invert: this.fileInvert });
    this.windowChangedByUser = false;
    viewport.render();
    this.emitChange();
  }

  /**
   * The user's inversion of the greys, on top of how the file asks to be shown (MONOCHROME1 is drawn
   * inverted by Cornerstone from the start: that is not the user's inversion).
   */
  private userInvert = false;
  /** Whether the renderer inverts the greys for the file itself (MONOCHROME1). */
  private fileInvert = false;

  /** Cornerstone's own inversion flag as the renderer applies it. */
  private rendererInvert(viewport: StackViewport): boolean {
    // The CPU path inverts what the image asks (image.invert) without telling its `invert` property.
    if (getShouldUseCPURendering()) return Boolean(viewport.getCornerstoneImage()?.invert);
    return Boolean(viewport.getProperties().invert);
  }

  /** Inverts the greys (on = shown as a negative of the file's own display), or toggles without argument. */
  setInvert(on = !this.userInvert): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport || this.imageIds.length === 0) return;
    this.userInvert = on;
    viewport.setProperties({ invert: this.fileInvert !== on });
    viewport.render();
    this.emitChange();
  }

  /**
   * Rotates the view by a multiple of 90 degrees, clockwise for positive values, about the viewport's
   * centre. Rotation and flips are kept as Cornerstone's view presentation (flips applied to the image
   * first, then the rotation on screen), so they survive scrolling on both renderers.
   */
  rotate(degrees: number): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport || this.imageIds.length === 0 || !Number.isFinite(degrees)) return;
    const quarter = Math.round(degrees / 90) * 90;
    if (quarter % 360 === 0) return;
    const { rotation, flipH, flipV } = this.state();
    this.applyOrientation(viewport, rotation + quarter, flipH, flipV);
    viewport.render();
    this.emitChange();
  }

  /** Mirrors the view as the user sees it: `horizontal` swaps left and right on screen, `vertical` top and bottom. */
  flip(direction: 'horizontal' | 'vertical'): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport || this.imageIds.length === 0 || (direction !== 'horizontal' && direction !== 'vertical')) return;
    const { rotation, flipH, flipV } = this.state();
    // A mirror on screen after rotation r equals the image's own mirror followed by rotation -r.
    if (direction === 'horizontal') this.applyOrientation(viewport, -rotation, !flipH, flipV);
    else this.applyOrientation(viewport, -rotation, flipH, !flipV);
    viewport.render();
    this.emitChange();
  }

  /**
   * Sets rotation (clockwise, degrees) and flips (of the image, before the rotation) as absolute values,
   * the same way on both renderers: Cornerstone's WebGL flips mirror the screen as it is, so the rotation
   * is taken off first, the flips set on the upright image, and the rotation put back.
   */
  private applyOrientation(viewport: StackViewport, rotation: number, flipHorizontal: boolean, flipVertical: boolean): void {
    const degrees = (((Math.round(rotation / 90) * 90) % 360) + 360) % 360;
    if (getShouldUseCPURendering()) {
      viewport.setViewPresentation({ rotation: degrees });
      // setCamera recomputes the CPU path's transform (a rotation alone does not).
      viewport.setCamera({ flipHorizontal, flipVertical });
      return;
    }
    viewport.setViewPresentation({ rotation: 0 });
    viewport.setCamera({ flipHorizontal, flipVertical });
    viewport.setViewPresentation({ rotation: degrees });
  }

  /**
   * Device pixels of the canvas per image column and per image row, measured through the renderer's own
   * world-to-canvas mapping: the same answer on both renderers, whatever the rotation.
   */
  private screenScale(viewport: StackViewport): { column: [number, number]; row: [number, number] } | undefined {
    const data = viewport.getImageData();
    const { canvas } = viewport;
    if (!data || !canvas.clientWidth) return undefined;
    const { origin, spacing, direction } = data;
    const ratio = canvas.width / canvas.clientWidth;
    const at = (i: number, j: number) =>
      viewport.worldToCanvas([0, 1, 2].map((k) => origin[k]! + direction[k]! * i * spacing[0]! + direction[3 + k]! * j * spacing[1]!) as Types.Point3);
    const o = at(0, 0);
    const c = at(1, 0);
    const r = at(0, 1);
    return { column: [(c[0] - o[0]) * ratio, (c[1] - o[1]) * ratio], row: [(r[0] - o[0]) * ratio, (r[1] - o[1]) * ratio] };
  }

  /** Multiplies Cornerstone's zoom (proportional to the scale on both renderers) and draws. */
  private scaleBy(viewport: StackViewport, factor: number): void {
    if (!Number.isFinite(factor) || factor <= 0) return;
    viewport.setZoom(viewport.getZoom() * factor);
  }

  /**
   * Fits the whole image (as rotated) in the viewport and centres it; rotation, flips and window stay.
   */
  zoomToFit(): void {
    const viewport = this.viewportOrUndefined();
    const image = viewport?.getCornerstoneImage();
    if (!viewport || !image) return;
    const scale = this.screenScale(viewport);
    if (!scale) return;
    const width = Math.abs(scale.column[0]) * image.columns + Math.abs(scale.row[0]) * image.rows;
    const height = Math.abs(scale.column[1]) * image.columns + Math.abs(scale.row[1]) * image.rows;
    if (!(width > 0 && height > 0)) return;
    this.scaleBy(viewport, Math.min(viewport.canvas.width / width, viewport.canvas.height / height));
    this.setPanWorld([0, 0, 0]);
  }

  /**
   * One image pixel per device pixel of the screen (a canvas pixel: CSS pixels × devicePixelRatio), along
   * the image's columns; rows follow the pixel aspect ratio. The centre of the view stays where it is.
   */
  zoomToActualSize(): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport || this.imageIds.length === 0) return;
    const scale = this.screenScale(viewport);
    const perColumn = scale ? Math.hypot(...scale.column) : 0;
    if (!(perColumn > 0)) return;
    this.scaleBy(viewport, 1 / perColumn);
    viewport.render();
  }

  /** Sets the zoom as the view state reports it (1 = the image fitted when the series was shown). */
  setZoom(zoom: number): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport || this.imageIds.length === 0 || !Number.isFinite(zoom) || zoom <= 0) return;
    const target = Math.min(40, Math.max(0.05, zoom));
    this.scaleBy(viewport, target / this.relativeZoom(viewport));
    viewport.render();
  }

  /** The user changed the window (drag, keys, preset) since the series was shown or reset. */
  private windowChangedByUser = false;
  private applyingImageWindow = false;

  /** Sets the displayed image's own window (else the one first shown), as a change that is not the user's. */
  private applyImageWindow(viewport: StackViewport): void {
    const image = viewport.getCornerstoneImage();
    // Without a window in the file, the series' initial (auto) window, not the loader's full range.
    const own = this.imageHasWindow(viewport);
    const center = own ? firstNumber(image?.windowCenter) : undefined;
    const width = own ? firstNumber(image?.windowWidth) : undefined;
    const voiRange = width !== undefined && width > 0 && center !== undefined ? utilities.windowLevel.toLowHighRange(width, center) : this.initialVoiRange;
    if (!voiRange) return;
    this.applyingImageWindow = true;
    try {
      viewport.setProperties({ voiRange });
    } finally {
      this.applyingImageWindow = false;
    }
  }

  /**
   * Whether the displayed image's file carries a window (WindowCenter/WindowWidth, or its functional
   * group's). Not the image's own fields: Cornerstone's loader fills those with the pixels' full range.
   */
  private imageHasWindow(viewport: StackViewport): boolean {
    const imageId = viewport.getCornerstoneImage()?.imageId;
    const voi = imageId ? (metaData.get('voiLutModule', imageId) as { windowCenter?: number | number[]; windowWidth?: number | number[] } | undefined) : undefined;
    const width = firstNumber(voi?.windowWidth);
    return width !== undefined && width > 0 && firstNumber(voi?.windowCenter) !== undefined;
  }

  /**
   * A greyscale image without a window of its own is shown with one from its histogram (1st–99th
   * percentile, pixel padding left out: auto-window.ts) instead of Cornerstone's full range, which a few
   * bright pixels can turn into a grey fog. Used for the whole series, as the series' initial window.
   */
  private applyAutoWindowIfNone(viewport: StackViewport): void {
    const image = viewport.getCornerstoneImage();
    if (!image || image.color || this.imageHasWindow(viewport)) return;
    const instance = wadors.metaDataManager.get(image.imageId) as unknown as DicomJsonDataset | undefined;
    const pixels = image.voxelManager?.getScalarData() ?? image.getPixelData();
    const window = autoWindow(pixels, {
      slope: image.slope,
      intercept: image.intercept,
      scaled: Boolean(image.preScale?.scaled),
      paddingValue: numberValue(instance, '00280120'),
      paddingLimit: numberValue(instance, '00280121'),
    });
    if (!window) return;
    this.applyingImageWindow = true;
    try {
      viewport.setProperties({ voiRange: { lower: window.lower, upper: window.upper } });
    } finally {
      this.applyingImageWindow = false;
    }
  }

  private readonly noteWindowChange = (): void => {
    if (!this.applyingImageWindow && this.imageIds.length > 0) this.windowChangedByUser = true;
  };

  /**
   * Until the user changes the window, each image is shown with its own (MR series often carry one per
   * slice). Cornerstone's WebGL path does this itself; its CPU path keeps the first image's window, so
   * the element applies it there, and both renderers behave alike.
   */
  private readonly followImageWindow = (): void => {
    const viewport = this.viewportOrUndefined();
    if (!viewport || this.windowChangedByUser || !getShouldUseCPURendering()) return;
    this.applyImageWindow(viewport);
    viewport.render();
  };

  /** The modality value (e.g. Hounsfield units) of the displayed image at a pixel (column, row). */
  modalityValueAt(column: number, row: number): number | undefined {
    const viewport = this.viewportOrUndefined();
    const image = viewport?.getCornerstoneImage();
    return image ? modalityValueOf(image, column, row) : undefined;
  }

  /** A patient position (mm) on the displayed image to CSS pixels of the viewport (reference lines). */
  worldToCanvas(point: [number, number, number]): [number, number] | undefined {
    const viewport = this.viewportOrUndefined();
    if (!viewport || this.imageIds.length === 0) return undefined;
    const [x, y] = viewport.worldToCanvas(point as Types.Point3);
    return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : undefined;
  }

  state(): DisplayState {
    const viewport = this.viewportOrUndefined();
    if (!viewport || this.imageIds.length === 0) return plainDisplay(0, this.imageIds.length, 0, 0);
    const { voiRange } = viewport.getProperties();
    const { windowCenter, windowWidth } = voiRange
      ? utilities.windowLevel.toWindowLevel(voiRange.lower, voiRange.upper)
      : { windowCenter: 0, windowWidth: 0 };
    const presentation = viewport.getViewPresentation();
    return {
      imageIndex: viewport.getCurrentImageIdIndex(),
      imageCount: this.imageIds.length,
      windowCenter,
      windowWidth,
      zoom: this.relativeZoom(viewport),
      pan: this.viewPan(viewport),
      // Cornerstone's WebGL path measures the rotation from the camera (89.99999…): whole degrees, 0–359.
      rotation: ((Math.round(presentation.rotation ?? 0) % 360) + 360) % 360,
      flipH: presentation.flipHorizontal ?? false,
      flipV: presentation.flipVertical ?? false,
      invert: this.userInvert,
    };
  }

  /**
   * Zoom as the element reports it, 1 = the whole image fitted. Cornerstone's WebGL path answers that
   * itself; its CPU path answers the absolute scale (canvas pixels per image pixel), so it is divided by
   * the fitted scale, computed as that path computes it.
   */
  private relativeZoom(viewport: StackViewport): number {
    const zoom = viewport.getZoom();
    if (!getShouldUseCPURendering()) return zoom;
    const image = viewport.getCornerstoneImage();
    const { canvas } = viewport;
    if (!image || !canvas.width || !canvas.height) return zoom;
    const rowSpacing = image.rowPixelSpacing || 1;
    const columnSpacing = image.columnPixelSpacing || 1;
    const horizontal = rowSpacing < columnSpacing ? columnSpacing / rowSpacing : 1;
    const vertical = rowSpacing < columnSpacing ? 1 : rowSpacing / columnSpacing;
    const fit = Math.min(canvas.width / image.columns / horizontal, canvas.height / image.rows / vertical);
    return fit > 0 ? zoom / fit : zoom;
  }

  /**
   * Pan from where the stack was first shown, as fractions of the viewport's width and height (the
   * image moved right or down: positive), from the camera's focal point through the renderer's own
   * world-to-canvas mapping: the same on both renderers (Cornerstone's getPan is not usable on its CPU
   * path) and on screens of any size or pixel ratio (teleconsultation copies it between them).
   */
  private viewPan(viewport: StackViewport): [number, number] {
    const start = this.initialFocalPoint;
    const focalPoint = viewport.getCamera().focalPoint;
    const { clientWidth, clientHeight } = viewport.canvas;
    if (!start || !focalPoint || !clientWidth || !clientHeight) return [0, 0];
    const from = viewport.worldToCanvas(focalPoint);
    const to = viewport.worldToCanvas(start as Types.Point3);
    const pan: [number, number] = [(to[0] - from[0]) / clientWidth, (to[1] - from[1]) / clientHeight];
    return Number.isFinite(pan[0]) && Number.isFinite(pan[1]) ? pan : [0, 0];
  }

  /** Sets the pan `state()` reports (fractions of the viewport's width and height). */
  setViewPan(pan: [number, number]): void {
    const viewport = this.viewportOrUndefined();
    if (!viewport || this.imageIds.length === 0 || !pan.every(Number.isFinite)) return;
    const [x, y] = this.viewPan(viewport);
    const { clientWidth, clientHeight } = viewport.canvas;
    const { focalPoint, position } = viewport.getCamera();
    if (!focalPoint || !position) return;
    // Moving the image by d CSS pixels moves the camera by the world distance of -d.
    const origin = viewport.canvasToWorld([0, 0]);
    const moved = viewport.canvasToWorld([(pan[0] - x) * clientWidth, (pan[1] - y) * clientHeight]);
    const delta = [moved[0] - origin[0], moved[1] - origin[1], moved[2] - origin[2]] as const;
    viewport.setCamera({
      focalPoint: [focalPoint[0] - delta[0], focalPoint[1] - delta[1], focalPoint[2] - delta[2]] as Types.Point3,
      position: [position[0] - delta[0], position[1] - delta[1], position[2] - delta[2]] as Types.Point3,
    });
    viewport.render();
  }

  /** A point of the viewport (CSS pixels) to the displayed image's pixel coordinates (column, row). */
  canvasToImage(x: number, y: number): [number, number] | undefined {
    const viewport = this.viewportOrUndefined();
    const data = viewport?.getImageData();
    if (!viewport || !data || this.imageIds.length === 0) return undefined;
    const world = viewport.canvasToWorld([x, y]);
    const { origin, spacing, direction } = data;
    const d = [world[0] - origin[0], world[1] - origin[1], world[2] - origin[2]];
    const column = (d[0]! * direction[0]! + d[1]! * direction[1]! + d[2]! * direction[2]!) / spacing[0]!;
    const row = (d[0]! * direction[3]! + d[1]! * direction[4]! + d[2]! * direction[5]!) / spacing[1]!;
    return Number.isFinite(column) && Number.isFinite(row) ? [column, row] : undefined;
  }

  /** The displayed image's pixel coordinates (column, row) to a point of the viewport (CSS pixels). */
  imageToCanvas(column: number, row: number): [number, number] | undefined {
    const viewport = this.viewportOrUndefined();
    const data = viewport?.getImageData();
    if (!viewport || !data || this.imageIds.length === 0) return undefined;
    const { origin, spacing, direction } = data;
    const world = [0, 1, 2].map((k) => origin[k]! + direction[k]! * column * spacing[0]! + direction[3 + k]! * row * spacing[1]!) as Types.Point3;
    const [x, y] = viewport.worldToCanvas(world);
    return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : undefined;
  }

  private stopFollowingRenderer: (() => void) | undefined;

  /**
   * The page's renderer changes (WebGL lost, or the host chose another): notes the view under the old
   * renderer, then shows the same slice with the same window, inversion, rotation, flips, zoom and pan
   * under the new one (each renderer keeps its own image and camera, so the stack is set again).
   */
  private readonly keepViewAcrossRenderers = () => {
    const before = this.imageIds.length > 0 && this.viewportOrUndefined() ? this.state() : undefined;
    return async () => {
      const viewport = this.viewportOrUndefined();
      if (!before || !viewport) return;
      this.applyingImageWindow = true;
      try {
        await viewport.setStack(this.imageIds, before.imageIndex);
        if (!getShouldUseCPURendering()) viewport.resetCamera();
        this.fileInvert = this.rendererInvert(viewport);
        const focalPoint = viewport.getCamera().focalPoint;
        this.initialFocalPoint = focalPoint ? [focalPoint[0], focalPoint[1], focalPoint[2]] : undefined;
        this.applyOrientation(viewport, before.rotation, before.flipH, before.flipV);
        if (before.windowWidth > 0) viewport.setProperties({ voiRange: utilities.windowLevel.toLowHighRange(before.windowWidth, before.windowCenter) });
        viewport.setProperties({ invert: this.fileInvert !== before.invert });
      } finally {
        this.applyingImageWindow = false;
      }
      this.setZoom(before.zoom);
      this.setViewPan(before.pan);
      viewport.render();
      this.emitChange();
    };
  };

  /** Releases the viewport and tool group; the shared engine stays for the other viewers. */
  detach(): void {
    if (this.element) {
      for (const event of [CoreEnums.Events.STACK_NEW_IMAGE, CoreEnums.Events.VOI_MODIFIED, CoreEnums.Events.CAMERA_MODIFIED]) {
        this.element.removeEventListener(event, this.emitChange);
      }
      this.element.removeEventListener(CoreEnums.Events.IMAGE_LOAD_ERROR, this.handleLoadError as EventListener);
      eventTarget.removeEventListener(CoreEnums.Events.IMAGE_LOAD_ERROR, this.handleLoadError as EventListener);
      this.element.removeEventListener(CoreEnums.Events.STACK_NEW_IMAGE, this.followImageWindow);
      this.element.removeEventListener(CoreEnums.Events.VOI_MODIFIED, this.noteWindowChange);
    }
    this.resizeObserver?.disconnect();
    this.stopFollowingRenderer?.();
    this.stopFollowingRenderer = undefined;
    this.measurements.detach();
    ToolGroupManager.destroyToolGroup(this.toolGroupId);
    if (this.engine?.getViewport(this.viewportId)) this.engine.disableElement(this.viewportId);
    this.imageIds = [];
    this.element = undefined;
  }

  private bindTools(): void {
    const group = ToolGroupManager.createToolGroup(this.toolGroupId);
    if (!group) return;
    for (const name of Object.values(TOOL_NAMES)) group.addTool(name);
    this.bindDefaults(group);
    group.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
    group.addViewport(this.viewportId, this.engine!.id);
  }

  /** Bindings that do not change with the chosen tool: middle button pans, right button zooms. */
  private bindDefaults(group: NonNullable<ReturnType<typeof ToolGroupManager.getToolGroup>>): void {
    const { MouseBindings } = ToolEnums;
    group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
    group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
    // Wheel scrolling is the element's own (see scrollByWheel): Cornerstone's StackScroll steps along the
    // camera normal, which can run against our slice order; keys, buttons and wheel must agree.
  }

  private viewport(): StackViewport {
    const viewport = this.viewportOrUndefined();
    if (!viewport) throw new Error('viewport is not attached');
    return viewport;
  }

  private viewportOrUndefined(): StackViewport | undefined {
    return this.engine?.getViewport(this.viewportId) as StackViewport | undefined;
  }

  private readonly emitChange = (): void => {
    this.onChange(this.state());
  };

  private readonly handleLoadError = (event: CustomEvent<{ imageId: string; error: unknown }>): void => {
    if (!this.imageIds.includes(event.detail?.imageId)) return;
    this.onImageError(event.detail.imageId, event.detail.error);
    // Cornerstone is at the slice now (its index), with the previous pixels: the element shows the slice's tile.
    this.emitChange();
  };
}
