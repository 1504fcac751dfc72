/**
 * Cine: plays a viewport's stack as a loop at a frame rate, driven by requestAnimationFrame. Frames are
 * due by the clock (one every 1000 / fps ms on a fixed schedule, so the rate does not drift with the
 * display's refresh); each frame is waited for (loaded, decoded, drawn) before the next is asked for,
 * so a slow decode slows the cine down rather than skipping slices, and the schedule then restarts
 * from that frame instead of racing to catch up. The achieved rate is measured and reported.
 *
 * It stops on Escape or Space (InputController), when the user moves through the stack in any other
 * way (the shown slice is not the one cine showed), when the viewport gets another series or goes.
 */
import type { ReactiveController } from 'lit';
import { type DicomJsonDataset, numberValue } from '../../dicomweb/dicom-json.js';
import type { LoadedSeries } from '../../viewport/viewport-load.js';
import type { ViewerContext } from './viewer-context.js';
import type { ViewportCell, ViewportGrid } from './viewport-grid.js';

/** The rate used when neither the user nor the series gives one. */
export const DEFAULT_CINE_FPS = 15;
export const MIN_CINE_FPS = 1;
export const MAX_CINE_FPS = 60;
/** The rates offered in the toolbar's menu. */
export const CINE_RATES = [5, 10, 15, 20, 25, 30] as const;

const RecommendedDisplayFrameRate = '00082144';
const CineRate = '00180040';
const FrameTime = '00181063';

/**
 * The series' own display rate (frames per second), if it gives one: RecommendedDisplayFrameRate, else
 * CineRate, else 1000 / FrameTime (ms). Out-of-range values are ignored.
 */
export function seriesFrameRate(instance: DicomJsonDataset | undefined): number | undefined {
  const valid = (fps: number | undefined) => (fps !== undefined && Number.isFinite(fps) && fps >= MIN_CINE_FPS && fps <= 1000 ? fps : undefined);
  const frameTime = numberValue(instance, FrameTime);
  return (
    valid(numberValue(instance, RecommendedDisplayFrameRate)) ??
    valid(numberValue(instance, CineRate)) ??
    valid(frameTime !== undefined && frameTime > 0 ? 1000 / frameTime : undefined)
  );
}

export function clampFps(fps: number): number {
  return Math.min(MAX_CINE_FPS, Math.max(MIN_CINE_FPS, fps));
}

/** What a viewport's cine is doing, as `getViewState()` reports it. */
export interface CineState {
  playing: boolean;
  /** The rate asked for (frames per second). */
  fps: number;
  /** The rate measured over the last second of frames shown (0 before two frames). */
  achievedFps: number;
}

export class CineController implements ReactiveController {
  /** The user's choice of rate; undefined: the series' own rate, else DEFAULT_CINE_FPS. */
  chosenFps: number | undefined;
  /** The cell playing, if any. */
  private cell: ViewportCell | undefined;
  private run = 0;
  private fps = DEFAULT_CINE_FPS;
  private shownAt: number[] = [];
  private frame = 0;

  constructor(
    private readonly context: ViewerContext,
    private readonly grid: ViewportGrid,
  ) {
    context.host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Whether the active viewport is playing. */
  get playing(): boolean {
    return this.cell !== undefined && this.cell === this.grid.active;
  }

  /** The rate a play of the active viewport's series would use. */
  rateFor(series: LoadedSeries | undefined): number {
    return clampFps(this.chosenFps ?? seriesFrameRate(series?.frames[0]?.instance) ?? DEFAULT_CINE_FPS);
  }

  /** The state of a cell's cine, for the view state; undefined when that cell is not playing. */
  stateOf(cell: ViewportCell): CineState | undefined {
    if (cell !== this.cell) return undefined;
    return { playing: true, fps: this.fps, achievedFps: this.achievedFps() };
  }

  /** Plays the active viewport's stack (from the slice shown, looping) at `fps`, or at the chosen/series rate. */
  play(fps?: number): void {
    if (fps !== undefined) {
      if (!Number.isFinite(fps) || fps <= 0) return;
      this.chosenFps = clampFps(fps);
    }
    const cell = this.grid.active;
    const series = cell.load.series;
    this.stop();
    if (!series || series.frames.length < 2 || !cell.load.stack.isShowing) return;
    this.cell = cell;
    this.fps = this.rateFor(series);
    this.shownAt = [];
    const run = ++this.run;
    void this.loop(run, cell, series);
    this.context.host.requestUpdate();
  }

  /** Stops playing (the slice shown stays). */
  stop(): void {
    if (!this.cell) return;
    this.run++;
    cancelAnimationFrame(this.frame);
    this.cell = undefined;
    this.context.host.requestUpdate();
  }

  toggle(): void {
    if (this.playing) this.stop();
    else this.play();
  }

  /** Changes the rate; a playing cine goes on at the new one. `undefined`: the series' own rate. */
  setRate(fps: number | undefined): void {
    if (fps !== undefined && (!Number.isFinite(fps) || fps <= 0)) return;
    this.chosenFps = fps === undefined ? undefined : clampFps(fps);
    if (this.cell) {
      const cell = this.cell;
      this.grid.activate(this.grid.cells.indexOf(cell));
      this.play();
    } else this.context.host.requestUpdate();
  }

  private achievedFps(): number {
    const times = this.shownAt;
    if (times.length < 2) return 0;
    const span = times[times.length - 1]! - times[0]!;
    return span > 0 ? Math.round(((times.length - 1) * 1000 * 10) / span) / 10 : 0;
  }

  private nextFrame(): Promise<number> {
    return new Promise((resolve) => {
      this.frame = requestAnimationFrame(resolve);
    });
  }

  private async loop(run: number, cell: ViewportCell, series: LoadedSeries): Promise<void> {
    const interval = 1000 / this.fps;
    const count = series.frames.length;
    let shown = cell.load.stack.state().imageIndex;
    let due = performance.now() + interval;
    while (run === this.run) {
      const now = await this.nextFrame();
      if (run !== this.run) return;
      if (cell.load.series !== series || !this.grid.cells.includes(cell)) return this.stop();
      // The user moved through the stack (wheel, keys, drag, another viewer's sync): cine gives way.
      if (cell.load.stack.state().imageIndex !== shown) return this.stop();
      if (now < due) continue;
      const next = (shown + 1) % count;
      const ok = await cell.load.stack.showImage(next);
      if (run !== this.run) return;
      // A slice that cannot be shown (damaged): stop on the last good one rather than loop over a gap.
      if (!ok) return this.stop();
      shown = next;
      const at = performance.now();
      this.shownAt.push(at);
      while (this.shownAt.length > 2 && at - this.shownAt[0]! > 1000) this.shownAt.shift();
      due += interval;
      // Slower than the rate (decoding): the next frame is due one interval after this one, no burst.
      if (at > due) due = at + interval;
    }
  }
}
