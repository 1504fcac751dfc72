/**
 * The viewport grid: the layout (1×1, 1×2, 2×1, 2×2), which viewport is active, and one ViewportLoad
 * per cell. Every cell's load is its own: showing a series in one aborts that cell's work only. All cells
 * of all viewers share the page's one Cornerstone runtime and rendering engine (src/imaging/runtime.ts).
 */
import type { ReactiveController } from 'lit';
import { FilmlessError, toFilmlessError } from '../../errors.js';
import { chooseDefaultSeries, isImageSeries } from '../../study/series-selection.js';
import type { StudySummary } from '../../study/types.js';
import type { DicomwebClient } from '../../dicomweb/client.js';
import { type LoadOutcome, type SeriesCheck, ViewportLoad } from '../../viewport/viewport-load.js';
import type { FilmlessLayout, FilmlessViewportState } from '../events.js';
import type { ViewerContext } from './viewer-context.js';
import { imageErrorReason } from '../parts/viewport-cell.js';

export type Layout = FilmlessLayout;
export const LAYOUTS: readonly Layout[] = ['1x1', '1x2', '2x1', '2x2'];

/** Rows and columns of a layout: `1x2` is one row of two viewports side by side. */
export function layoutShape(layout: Layout): { rows: number; columns: number } {
  const [rows, columns] = layout.split('x').map(Number) as [number, number];
  return { rows, columns };
}

export interface ViewportCell {
  /** Stable across layout changes: the DOM of a cell (Cornerstone's element) lives as long as it does. */
  readonly id: number;
  readonly load: ViewportLoad;
}

export interface GridEvents {
  /** A cell's series is on screen with working tools (for series previews, which wait for the first). */
  seriesReady(cell: ViewportCell, study: StudySummary): void;
  /** The user changed the active cell's view (slice, window, zoom). */
  viewChanged(): void;
  /** Any cell's view changed in Cornerstone (slice, window, zoom), the user's doing or not (viewport sync). */
  cellChanged?(cell: ViewportCell): void;
  /** A cell read a series' metadata: its stacks and warnings are known. */
  seriesChecked?(check: SeriesCheck): void;
}

export class ViewportGrid implements ReactiveController {
  layout: Layout = '1x1';
  activeIndex = 0;
  /** The cell shown alone over the whole grid (double-click), if any; the layout is kept for its return. */
  maximized: number | undefined;
  cells: ViewportCell[] = [];
  private nextId = 0;

  constructor(
    private readonly context: ViewerContext,
    private readonly events: GridEvents,
  ) {
    context.host.addController(this);
    this.cells = [this.createCell()];
  }

  hostDisconnected(): void {
    for (const cell of this.cells) cell.load.detach();
  }

  /** The cell tools, keys and the series panel act on. */
  get active(): ViewportCell {
    return this.cells[this.activeIndex] ?? this.cells[0]!;
  }

  setLayout(layout: Layout): void {
    const { rows, columns } = layoutShape(layout);
    const count = rows * columns;
    this.layout = layout;
    while (this.cells.length < count) this.cells.push(this.createCell());
    for (const removed of this.cells.splice(count)) removed.load.detach();
    this.activeIndex = Math.min(this.activeIndex, count - 1);
    this.maximized = undefined;
    this.context.host.requestUpdate();
  }

  /** Shows one cell alone over the whole grid, or the grid again; the cell becomes the active one. */
  toggleMaximized(index: number): void {
    if (this.cells.length < 2 || !this.cells[index]) return;
    this.maximized = this.maximized === undefined ? index : undefined;
    this.activeIndex = index;
    this.context.host.requestUpdate();
  }

  activate(index: number): void {
    if (index < 0 || index >= this.cells.length || index === this.activeIndex) return;
    this.activeIndex = index;
    this.context.host.requestUpdate();
  }

  /** Stops every cell's load (a new study is on its way); the Cornerstone viewports stay for it. */
  releaseAll(): void {
    for (const cell of this.cells) cell.load.release();
    this.context.host.requestUpdate();
  }

  /**
   * Shows a series in a cell, aborting only that cell's previous load. A series that turns out to be a
   * localizer gives way to the study's main series.
   */
  async show(index: number, study: StudySummary, seriesUID: string, client: DicomwebClient, startedAt: number, chosenByViewer = false, stack?: number): Promise<void> {
    const cell = this.cells[index];
    // Removed from the page (by a listener of the event that led here): nothing loads until it is back.
    if (!cell || !this.context.host.isConnected) return;
    if (index === this.activeIndex) this.context.setStatus('loading');
    this.context.host.requestUpdate();
    let outcome: LoadOutcome;
    try {
      outcome = await cell.load.show(study, seriesUID, { client, startedAt, chosenByViewer, ...(stack === undefined ? {} : { stack }) });
    } catch (error) {
      this.context.fail(error);
      return;
    }
    if ('instead' in outcome) await this.show(index, study, outcome.instead, client, startedAt, true);
  }

  /**
   * Shows a study: its main series (the largest CT/MR, never a localizer) in the active viewport, its
   * other image series in the other viewports. Fails `unsupported` when it has no image series.
   */
  showStudy(study: StudySummary, client: DicomwebClient, startedAt: number): void {
    this.releaseAll();
    const main = chooseDefaultSeries(study.series);
    if (!main) {
      this.context.fail(new FilmlessError('unsupported', 'The study has no image series'));
      return;
    }
    void this.show(this.activeIndex, study, main.seriesInstanceUID, client, startedAt, true);
    this.fillEmpty(study, client);
  }

  /** Viewports that show nothing get the study's image series not shown yet, largest first. */
  fillEmpty(study: StudySummary, client: DicomwebClient): void {
    const shown = new Set(this.cells.map((cell) => cell.load.series?.seriesInstanceUID));
    const waiting = study.series.filter((s) => isImageSeries(s) && !shown.has(s.seriesInstanceUID)).sort((a, b) => b.imageCount - a.imageCount);
    this.cells.forEach((cell, index) => {
      if (cell.load.series) return;
      const next = waiting.shift();
      if (next) void this.show(index, study, next.seriesInstanceUID, client, performance.now());
    });
  }

  /** Every cell's view, in cell order. */
  viewportStates(): FilmlessViewportState[] {
    return this.cells.map(({ load }) => {
      const display = load.display ?? load.stack.state();
      return {
        studyInstanceUID: load.series?.study.studyInstanceUID ?? '',
        seriesInstanceUID: load.series?.seriesInstanceUID ?? '',
        ...display,
        pan: [...display.pan],
        orientation: load.orientation(),
        stackIndex: load.series?.stackIndex ?? 0,
      };
    });
  }

  private createCell(): ViewportCell {
    const id = this.nextId++;
    const cell: ViewportCell = {
      id,
      load: new ViewportLoad(
        async () => {
          await this.context.host.updateComplete;
          const element = this.context.host.renderRoot.querySelector<HTMLElement>(`[data-cell="${id}"]`);
          const viewport = element?.querySelector<HTMLDivElement>('.viewport');
          const firstImage = element?.querySelector<HTMLCanvasElement>('canvas.first-image');
          if (!viewport || !firstImage) throw new Error(`viewport cell ${id} is not on screen`);
          return { viewport, firstImage };
        },
        {
          firstImage: (detail) => this.context.emit('filmless-first-image', { ...detail, viewportIndex: this.cells.indexOf(cell) }),
          preview: (detail) => this.context.emit('filmless-preview', { ...detail, viewportIndex: this.cells.indexOf(cell) }),
          ready: (detail) => {
            if (this.active === cell) this.context.setStatus('ready');
            this.context.emit('filmless-ready', { ...detail, viewportIndex: this.cells.indexOf(cell) });
            if (cell.load.series) this.events.seriesReady(cell, cell.load.series.study);
          },
          progress: (detail) => this.context.emit('filmless-progress', detail),
          seriesChecked: (check) => this.events.seriesChecked?.(check),
          changed: () => this.context.host.requestUpdate(),
          viewChanged: () => {
            this.events.cellChanged?.(cell);
            if (this.active === cell) this.events.viewChanged();
          },
          badFrame: (error, imageIndex) => {
            // Not fatal: the image's tile says why, and the series' other images stay on offer.
            const t = this.context.localize;
            const message = `${t.term('imageErrorTitle', { index: imageIndex + 1 })}. ${t.term(imageErrorReason(toFilmlessError(error).code))}`;
            this.context.warn(error, message, { seriesInstanceUID: cell.load.series?.seriesInstanceUID ?? '', imageIndex });
          },
          log: (message, ...details) => this.context.log(message, ...details),
        },
      ),
    };
    return cell;
  }
}
