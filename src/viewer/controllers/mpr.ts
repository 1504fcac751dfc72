/**
 * MPR, the element's side: whether the active series can be shown in MPR (and why not), opening and
 * closing the axial/sagittal/coronal panel over the grid, the slab settings, and MPR's part of the view
 * state. The Cornerstone side (volume, volume viewports, crosshairs) is src/imaging/mpr.ts, loaded with
 * the imaging chunk; the qualifying rules are src/imaging/mpr-geometry.ts.
 */
import type { ReactiveController } from 'lit';
import { loadImaging } from '../../imaging/lazy-stack.js';
import type { MprView } from '../../imaging/mpr.js';
import { volumeGeometry } from '../../imaging/mpr-geometry.js';
import { getRendererPreference } from '../../imaging/renderer-preference.js';
import { onWebglAvailabilityChange, webglUnusable } from '../../imaging/webgl-availability.js';
import type { LoadedSeries, ViewportLoad } from '../../viewport/viewport-load.js';
import type { FilmlessMprState, FilmlessMprUnavailableReason, FilmlessSlabMode } from '../events.js';
import { MPR_PLANES, mprPanel } from '../parts/mpr-panel.js';
import type { ViewerContext } from './viewer-context.js';
import type { ViewportGrid } from './viewport-grid.js';

export type MprAvailability = { available: true } | { available: false; reason: FilmlessMprUnavailableReason };

const SLAB_MODES: readonly FilmlessSlabMode[] = ['mip', 'minip', 'average'];

export interface MprEvents {
  /** MPR opened, closed, or its view changed (crosshairs, window, zoom, slab). */
  changed(): void;
  /** Whether MPR is open now (the element's `mpr` property follows it). */
  openChanged(open: boolean): void;
  /** The user chose a slab in the panel (the element's slab properties follow it). */
  slabChosen(thickness: number, mode: FilmlessSlabMode): void;
}

export class MprController implements ReactiveController {
  /** MPR is shown (or being built) over the grid. */
  open = false;
  /** The volume is being built (the panel is there, its views not yet drawn). */
  building = false;
  slabThickness = 0;
  slabMode: FilmlessSlabMode = 'mip';
  /** Asked for before the series could be shown in MPR (e.g. `mpr` set with the accession number). */
  private wanted = false;
  private view: MprView | undefined;
  private series: LoadedSeries | undefined;
  private readonly geometry = new WeakMap<LoadedSeries, MprAvailability>();
  private resizeObserver: ResizeObserver | undefined;

  constructor(
    private readonly context: ViewerContext,
    private readonly grid: ViewportGrid,
    private readonly events: MprEvents,
    input: { windowMpr: (center: number, width: number) => boolean },
  ) {
    context.host.addController(this);
    input.windowMpr = (center, width) => this.setWindow(center, width);
  }

  /** Whether the active viewport's series can be shown in MPR now, and if not, why. */
  availability(): MprAvailability {
    if (getRendererPreference() === 'cpu') return { available: false, reason: 'needs-webgl' };
    if (webglUnusable()) return { available: false, reason: 'no-webgl' };
    const load = this.grid.active.load;
    const series = load.series;
    if (!series || series.frames.length === 0) return { available: false, reason: 'loading' };
    let known = this.geometry.get(series);
    if (!known) {
      const answer = volumeGeometry(series.frames);
      known = 'volume' in answer ? { available: true } : { available: false, reason: answer.reason };
      this.geometry.set(series, known);
    }
    if (!known.available) return known;
    if (series.imageIds.length === 0 || !load.stack.isShowing) return { available: false, reason: 'loading' };
    return known;
  }

  /** Opens MPR on the active series (or, while it loads, as soon as it can), or closes it. */
  setOpen(open: boolean): void {
    if (!open) {
      this.wanted = false;
      this.close();
      return;
    }
    if (this.open) return;
    const availability = this.availability();
    if (availability.available) void this.openNow();
    else if (availability.reason === 'loading') this.wanted = true;
    else this.events.openChanged(false);
  }

  setSlab(thickness: number, mode: FilmlessSlabMode): void {
    if (!Number.isFinite(thickness) || thickness < 0 || !SLAB_MODES.includes(mode)) return;
    this.slabThickness = Math.min(thickness, 500);
    this.slabMode = mode;
    this.view?.setSlab(this.slabThickness, mode);
    this.context.host.requestUpdate();
  }

  /** Whether the three views are on screen (the toolbar's windows then act on them). */
  get shown(): boolean {
    return this.view !== undefined;
  }

  /** Sets the three views' window; false when MPR is not shown. */
  setWindow(center: number, width: number): boolean {
    if (!this.view) return false;
    this.view.setWindow(center, width);
    return true;
  }

  /** Moves the crosshairs to a patient position (mm). */
  setCenter(point: [number, number, number]): void {
    if (!Array.isArray(point) || point.length !== 3 || !point.every((v) => typeof v === 'number' && Number.isFinite(v))) return;
    this.view?.setCenter(point);
  }

  /** The modality value of the MPR volume at a patient position (default: where the crosshairs meet). */
  valueAt(point?: [number, number, number]): number | undefined {
    const at = point ?? this.view?.state()?.center;
    if (!at || !Array.isArray(at) || at.length !== 3) return undefined;
    return this.view?.valueAt(at);
  }

  state(): FilmlessMprState | undefined {
    const state = this.view?.state();
    if (!state || !this.series) return undefined;
    return { seriesInstanceUID: this.series.seriesInstanceUID, ...state };
  }

  hostUpdated(): void {
    if (this.open && getRendererPreference() === 'cpu') {
      // The page's renderer was forced to the CPU while MPR was open: the host wants no WebGL.
      this.close();
      return;
    }
    if (this.open && !this.building) this.toolsChanged();
    if (this.open && this.series && this.grid.active.load.series !== this.series) {
      // The active viewport shows another series now (or none): this volume is no longer what it shows.
      this.close();
    } else if (this.wanted && !this.open) {
      const availability = this.availability();
      if (availability.available) {
        this.wanted = false;
        void this.openNow();
      } else if (availability.reason !== 'loading') {
        this.wanted = false;
        this.events.openChanged(false);
      }
    }
  }

  /** WebGL went away (lost) or was found missing: MPR closes, and its button says why. */
  private stopWatchingWebgl: (() => void) | undefined;

  hostConnected(): void {
    this.stopWatchingWebgl ??= onWebglAvailabilityChange(() => {
      if (webglUnusable()) this.close();
      this.context.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.stopWatchingWebgl?.();
    this.stopWatchingWebgl = undefined;
    this.close();
  }

  render() {
    if (!this.open) return undefined;
    return mprPanel(this.context.localize, { building: this.building, slabThickness: this.slabThickness, slabMode: this.slabMode }, {
      setSlab: (thickness, mode) => this.events.slabChosen(thickness, mode),
      close: () => this.setOpen(false),
    });
  }

  private async openNow(): Promise<void> {
    const load = this.grid.active.load;
    const series = load.series;
    if (!series) return;
    this.open = true;
    this.building = true;
    this.series = series;
    this.events.openChanged(true);
    this.context.host.requestUpdate();
    try {
      const imaging = await loadImaging();
      // The volume is made of the stack's decoded images: opened while the series still streams in, it
      // waits for the stream rather than asking for each missing frame on its own (which would download
      // those frames twice: once alone, once in the stream).
      await this.whenDecoded(load, series);
      await this.context.host.updateComplete;
      if (!this.open || this.series !== series) return;
      const root = this.context.host.renderRoot;
      const elements = Object.fromEntries(MPR_PLANES.map((plane) => [plane, root.querySelector<HTMLDivElement>(`[data-mpr="${plane}"]`)]));
      if (MPR_PLANES.some((plane) => !elements[plane])) throw new Error('MPR views are not on screen');
      const view = new imaging.MprView();
      this.view = view;
      view.onChange = () => this.events.changed();
      // The views start with the window the stack shows (the file's, a preset or the user's).
      const display = load.display;
      const window = display && display.windowWidth > 0 ? { center: display.windowCenter, width: display.windowWidth } : undefined;
      await view.open(elements as Record<(typeof MPR_PLANES)[number], HTMLDivElement>, series.imageIds, load.stack.viewportId, window);
      if (this.view !== view) return;
      view.setSlab(this.slabThickness, this.slabMode);
      this.watchSize(Object.values(elements) as HTMLDivElement[]);
      this.building = false;
      this.context.host.requestUpdate();
      this.events.changed();
    } catch (error) {
      this.close();
      this.context.log('MPR failed', error);
      this.context.warn(error, this.context.localize.term('mprFailed'));
    }
  }

  /** Resolves once every image of the series has been decoded (or found undecodable), or MPR was closed. */
  private whenDecoded(load: ViewportLoad, series: LoadedSeries): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        const { loaded, total } = load.progress;
        if (!this.open || this.series !== series || load.series !== series || (total > 0 && loaded >= total)) resolve();
        else setTimeout(check, 100); // a timer, not animation frames: a hidden page must get there too
      };
      check();
    });
  }

  /** Takes over the tools chosen in the stack (e.g. a measurement tool on the left button). */
  toolsChanged(): void {
    this.view?.adoptTools(this.grid.active.load.stack.viewportId);
  }

  private watchSize(elements: HTMLDivElement[]): void {
    const sizes = new Map<Element, string>(elements.map((element) => [element, `${element.clientWidth}x${element.clientHeight}`]));
    this.resizeObserver = new ResizeObserver((entries) => {
      let changed = false;
      for (const entry of entries) {
        const element = entry.target as HTMLElement;
        const size = `${element.clientWidth}x${element.clientHeight}`;
        if (sizes.get(element) !== size) changed = true;
        sizes.set(element, size);
      }
      if (changed) this.view?.resize();
    });
    for (const element of elements) this.resizeObserver.observe(element);
  }

  private close(): void {
    const wasOpen = this.open;
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
    this.view?.close();
    this.view = undefined;
    this.series = undefined;
    this.open = false;
    this.building = false;
    if (wasOpen) {
      this.events.openChanged(false);
      this.events.changed();
      this.context.host.requestUpdate();
    }
  }
}
