/**
 * Synchronised viewports (comparing a study with its prior):
 * - scroll: when one viewport moves to another slice, the others follow. Viewports with the same
 *   FrameOfReferenceUID and parallel slices follow by patient position along the slice normal (the
 *   nearest slice to the moved one's plane); others by relative position in the stack. Scrolling one
 *   viewport while holding Shift moves it alone and sets the offset between them (in mm or in stack
 *   fraction) that following keeps from then on;
 * - window/level (same modality) and zoom/pan, each an optional toggle.
 * A change this controller makes is recognised when it comes back, so viewports never chase each other.
 */
import type { ReactiveController } from 'lit';
import type { DisplayState } from '../../imaging/display-state.js';
import { frameOfReference, normalOf } from '../../study/priors.js';
import { frameGeometry } from '../../study/slice-order.js';
import type { LoadedSeries } from '../../viewport/viewport-load.js';
import type { ViewerContext } from './viewer-context.js';
import type { ViewportCell, ViewportGrid } from './viewport-grid.js';

type Vec3 = [number, number, number];

export type SyncKind = 'scroll' | 'windowLevel' | 'zoomPan';

/** Where a series' slices lie, when its metadata says. */
interface SeriesGeometry {
  frameOfReference: string;
  normal?: Vec3;
  /** ImagePositionPatient of every frame, in stack order (undefined when any frame lacks it). */
  positions?: Vec3[];
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** How long a change made here is expected back from Cornerstone (it arrives a frame or two later). */
const ECHO_MS = 1500;

function geometryOf(series: LoadedSeries): SeriesGeometry {
  const first = series.frames[0];
  const geometry: SeriesGeometry = { frameOfReference: frameOfReference(first?.instance) };
  const normal = first && normalOf({ '00200037': { vr: 'DS', Value: frameGeometry(first.instance, first.frameNumber - 1).iop } });
  if (normal) geometry.normal = normal;
  const positions: Vec3[] = [];
  for (const frame of series.frames) {
    const ipp = frameGeometry(frame.instance, frame.frameNumber - 1).ipp;
    if (ipp.length !== 3) return geometry;
    positions.push(ipp as Vec3);
  }
  geometry.positions = positions;
  return geometry;
}

export class ViewportSync implements ReactiveController {
  scroll = false;
  windowLevel = false;
  zoomPan = false;

  /** Each cell's last seen view and series (by cell id). */
  private readonly last = new Map<number, { series: LoadedSeries; display: DisplayState }>();
  /** Slices this controller moved a cell to, and until when the echo is expected. */
  private readonly echoes = new Map<number, { index: number; until: number }[]>();
  /** Offsets set with Shift: by pair `a:b` (cell ids, a < b), the coordinate of b minus that of a. */
  private readonly offsets = new Map<string, number>();
  /** Cells being scrolled with Shift (until when). */
  private readonly adjusting = new Map<number, number>();
  private readonly geometries = new WeakMap<LoadedSeries, SeriesGeometry>();
  private wheelRemainder = 0;

  constructor(
    private readonly context: ViewerContext,
    private readonly grid: ViewportGrid,
  ) {
    context.host.addController(this);
  }

  hostConnected(): void {
    this.context.host.addEventListener('wheel', this.captureShiftWheel, { capture: true, passive: false });
  }

  hostDisconnected(): void {
    this.context.host.removeEventListener('wheel', this.captureShiftWheel, { capture: true });
  }

  /** A comparison starts: scroll sync on, offsets from before forgotten. */
  startComparing(): void {
    this.scroll = true;
    this.offsets.clear();
    this.context.host.requestUpdate();
  }

  /** Turns one kind of sync on or off; turning scroll sync on aligns the others to the active viewport. */
  toggle(kind: SyncKind, on = !this[kind]): void {
    this[kind] = on;
    this.context.host.requestUpdate();
    const active = this.grid.active;
    if (!on || !active.load.series || !active.load.display) return;
    if (kind === 'scroll') this.followScroll(active);
    if (kind === 'windowLevel') this.followWindow(active, active.load.display);
    if (kind === 'zoomPan') this.followZoomPan(active, active.load.display);
  }

  /** Whether there is anything to sync: two viewports or more showing a series. */
  get available(): boolean {
    return this.grid.cells.filter((cell) => cell.load.series).length > 1;
  }

  /**
   * A series is on screen in Cornerstone in this cell (filmless-ready): with scroll sync on, it joins the
   * others where they are (the active viewport, else the first other one showing a series).
   */
  seriesShown(cell: ViewportCell): void {
    const { series, display } = cell.load;
    if (!series || !display) return;
    this.last.set(cell.id, { series, display: { ...display, pan: [...display.pan] } });
    if (!this.scroll) return;
    const active = this.grid.active;
    const reference = active !== cell && active.load.series && active.load.display ? active : this.others(cell)[0];
    if (reference) this.moveTo(reference, cell);
  }

  /** A cell's view changed (in Cornerstone): find out what, and let the others follow. */
  cellChanged(cell: ViewportCell): void {
    const { series, display } = cell.load;
    if (!series || !display || series.frames.length === 0) return;
    const before = this.last.get(cell.id);
    this.last.set(cell.id, { series, display: { ...display, pan: [...display.pan] } });
    if (!before || before.series !== series) return; // a new series: it joins the others once shown (seriesShown)
    if (display.imageIndex !== before.display.imageIndex && !this.isEcho(cell, display.imageIndex)) {
      if ((this.adjusting.get(cell.id) ?? 0) > performance.now()) {
        this.adjusting.delete(cell.id);
        this.recordOffsets(cell);
      } else if (this.scroll) this.followScroll(cell);
    }
    if (this.windowLevel && (display.windowCenter !== before.display.windowCenter || display.windowWidth !== before.display.windowWidth)) {
      this.followWindow(cell, display);
    }
    if (this.zoomPan && (display.zoom !== before.display.zoom || display.pan[0] !== before.display.pan[0] || display.pan[1] !== before.display.pan[1])) {
      this.followZoomPan(cell, display);
    }
  }

  private followScroll(source: ViewportCell): void {
    for (const cell of this.others(source)) this.moveTo(source, cell);
  }

  private moveTo(source: ViewportCell, follower: ViewportCell): void {
    const target = this.targetIndex(source, follower);
    if (target === undefined || target === follower.load.display?.imageIndex) return;
    const echoes = (this.echoes.get(follower.id) ?? []).filter((e) => e.until > performance.now());
    echoes.push({ index: target, until: performance.now() + ECHO_MS });
    this.echoes.set(follower.id, echoes);
    follower.load.stack.setImageIndex(target);
  }

  private followWindow(source: ViewportCell, display: DisplayState): void {
    for (const cell of this.others(source)) {
      const view = cell.load.display;
      if (!view || cell.load.series?.modality !== source.load.series?.modality) continue;
      if (Math.abs(view.windowCenter - display.windowCenter) < 0.5 && Math.abs(view.windowWidth - display.windowWidth) < 0.5) continue;
      cell.load.stack.setWindow(display.windowCenter, display.windowWidth);
    }
  }

  private followZoomPan(source: ViewportCell, display: DisplayState): void {
    for (const cell of this.others(source)) {
      const view = cell.load.display;
      if (!view) continue;
      if (Math.abs(view.zoom - display.zoom) > 1e-3) cell.load.stack.zoomBy(display.zoom / view.zoom);
      // The pan goes across in mm of the image plane: the same anatomy offset in both.
      const pan = source.load.stack.panWorld();
      const now = cell.load.stack.panWorld();
      if (pan && now && pan.some((value, axis) => Math.abs(value - now[axis]!) > 1e-3)) cell.load.stack.setPanWorld(pan);
    }
  }

  /** The other cells with a series on screen in Cornerstone (a loading one joins once shown). */
  private others(source: ViewportCell): ViewportCell[] {
    return this.grid.cells.filter((cell) => cell !== source && cell.load.series && cell.load.display && cell.load.stack.state().imageCount === cell.load.series.frames.length);
  }

  private isEcho(cell: ViewportCell, index: number): boolean {
    const now = performance.now();
    const echoes = (this.echoes.get(cell.id) ?? []).filter((e) => e.until > now);
    const at = echoes.findIndex((e) => e.index === index);
    this.echoes.set(cell.id, at >= 0 ? echoes.slice(at + 1) : echoes);
    return at >= 0;
  }

  private geometry(series: LoadedSeries): SeriesGeometry {
    let geometry = this.geometries.get(series);
    if (!geometry) {
      geometry = geometryOf(series);
      this.geometries.set(series, geometry);
    }
    return geometry;
  }

  /**
   * How two cells are synchronised: by position along the normal of the pair's first cell, when both
   * share a frame of reference and lie in parallel planes; else by relative position in the stack.
   */
  private pairMode(a: ViewportCell, b: ViewportCell): { normal: Vec3 } | 'stack' {
    const ga = this.geometry(a.load.series!);
    const gb = this.geometry(b.load.series!);
    if (!ga.frameOfReference || ga.frameOfReference !== gb.frameOfReference || !ga.normal || !gb.normal || !ga.positions || !gb.positions) return 'stack';
    return Math.abs(dot(ga.normal, gb.normal)) > 0.99 ? { normal: ga.normal } : 'stack';
  }

  /** A cell's coordinate in its pair's terms: mm along the normal, or the fraction of its stack. */
  private coordinate(cell: ViewportCell, mode: { normal: Vec3 } | 'stack', index = cell.load.display!.imageIndex): number {
    const count = cell.load.series!.frames.length;
    if (mode === 'stack') return count > 1 ? index / (count - 1) : 0;
    return dot(mode.normal, this.geometry(cell.load.series!).positions![index]!);
  }

  private pair(a: ViewportCell, b: ViewportCell): { first: ViewportCell; second: ViewportCell; key: string } {
    const [first, second] = a.id < b.id ? [a, b] : [b, a];
    return { first, second, key: `${first.id}:${second.id}` };
  }

  private targetIndex(source: ViewportCell, follower: ViewportCell): number | undefined {
    const { first, key } = this.pair(source, follower);
    const mode = this.pairMode(first, first === source ? follower : source);
    const offset = this.offsets.get(key) ?? 0;
    const wanted = this.coordinate(source, mode) + (follower === first ? -offset : offset);
    const count = follower.load.series!.frames.length;
    if (mode === 'stack') return Math.min(count - 1, Math.max(0, Math.round(wanted * (count - 1))));
    let best = 0;
    let distance = Infinity;
    for (let index = 0; index < count; index++) {
      const d = Math.abs(this.coordinate(follower, mode, index) - wanted);
      if (d < distance) [best, distance] = [index, d];
    }
    return best;
  }

  /** Shift-scrolled alone: what now lies between this cell and each other is the offset kept from now on. */
  private recordOffsets(cell: ViewportCell): void {
    for (const other of this.others(cell)) {
      const { first, second, key } = this.pair(cell, other);
      const mode = this.pairMode(first, second);
      this.offsets.set(key, this.coordinate(second, mode) - this.coordinate(first, mode));
    }
  }

  /**
   * Shift + wheel over a viewport while scroll sync is on: that viewport moves alone (whichever is
   * active), and the offset follows. Browsers turn Shift + wheel into horizontal scrolling, so either
   * delta counts.
   */
  private readonly captureShiftWheel = (event: WheelEvent): void => {
    if (!event.shiftKey || !this.scroll || !this.available) return;
    const element = event.composedPath().find((target): target is HTMLElement => target instanceof HTMLElement && target.dataset['cell'] !== undefined);
    const cell = element && this.grid.cells.find((c) => String(c.id) === element.dataset['cell']);
    if (!cell?.load.series) return;
    event.preventDefault();
    event.stopPropagation();
    const delta = event.deltaY || event.deltaX;
    const pixels = event.deltaMode === WheelEvent.DOM_DELTA_LINE ? delta * 33 : event.deltaMode === WheelEvent.DOM_DELTA_PAGE ? delta * 100 : delta;
    this.wheelRemainder += pixels;
    const steps = Math.trunc(this.wheelRemainder / 100) || (Math.abs(this.wheelRemainder) >= 50 ? Math.sign(this.wheelRemainder) : 0);
    if (steps === 0) return;
    this.wheelRemainder = 0;
    this.adjusting.set(cell.id, performance.now() + ECHO_MS);
    cell.load.noteInteraction();
    cell.load.stack.scroll(steps);
  };
}
