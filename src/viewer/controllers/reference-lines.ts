/**
 * Reference lines: in a grid, the active viewport's slice plane drawn as a line across every other
 * viewport that shows another plane of the same frame of reference (an axial slice over the localizer
 * or a sagittal series). The line follows scrolling in the active viewport and zoom, pan, rotation and
 * flip in the other one.
 *
 * Computed here rather than with Cornerstone's ReferenceLinesTool: that tool takes one source viewport
 * per tool group and draws into Cornerstone's SVG layer of the viewports in that group, while each
 * Filmless viewport has its own tool group and the line must follow whichever viewport is active. The
 * geometry (plane against image rectangle, src/imaging/mpr-geometry.ts) is a few lines; Cornerstone
 * maps the two end points onto the screen (worldToCanvas, which both its renderers answer), and the line
 * is drawn on a canvas of its own over each viewport.
 */
import type { ReactiveController } from 'lit';
import { framePlane, planeIntersection } from '../../imaging/mpr-geometry.js';
import type { ViewportCell, ViewportGrid } from './viewport-grid.js';
import type { ViewerContext } from './viewer-context.js';

/** The line's colour (opaque, so a host or a test can find it on the canvas): a warm yellow, not a grey. */
export const REFERENCE_LINE_COLOUR: [number, number, number] = [255, 196, 0];

export class ReferenceLines implements ReactiveController {
  /** Drawn at all (the toolbar's toggle, the element's `referenceLines`). */
  enabled = true;
  /** What each cell's canvas shows now, to redraw only on change. */
  private drawn = new Map<number, string>();

  constructor(
    private readonly context: ViewerContext,
    private readonly grid: ViewportGrid,
  ) {
    context.host.addController(this);
  }

  /** The line on a cell, in CSS pixels of its viewport, or undefined when none is drawn there. */
  lineFor(cell: ViewportCell): [[number, number], [number, number]] | undefined {
    const active = this.grid.active;
    if (!this.enabled || this.grid.cells.length < 2 || cell === active || this.grid.maximized !== undefined) return undefined;
    const source = this.planeOf(active);
    const target = this.planeOf(cell);
    if (!source || !target) return undefined;
    const segment = planeIntersection(source, target);
    if (!segment) return undefined;
    const a = cell.load.stack.worldToCanvas(segment[0]);
    const b = cell.load.stack.worldToCanvas(segment[1]);
    return a && b ? [a, b] : undefined;
  }

  hostUpdated(): void {
    for (const cell of this.grid.cells) this.draw(cell);
  }

  private planeOf(cell: ViewportCell) {
    const { series, display } = cell.load;
    if (!series || !display || !cell.load.stack.isShowing) return undefined;
    const frame = series.frames[display.imageIndex];
    return frame ? framePlane(frame) : undefined;
  }

  private draw(cell: ViewportCell): void {
    const canvas = this.context.host.renderRoot.querySelector<HTMLCanvasElement>(`[data-cell="${cell.id}"] canvas.reference-lines`);
    if (!canvas) return;
    const line = this.lineFor(cell);
    if (!line) {
      // Nothing to draw: an empty canvas holds no bitmap (a 1x1 viewer never draws one).
      if (canvas.width !== 0 || canvas.height !== 0) {
        canvas.width = 0;
        canvas.height = 0;
      }
      canvas.dataset.line = '';
      this.drawn.delete(cell.id);
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    const key = `${width}x${height}:${line.flat().map((v) => v.toFixed(2)).join(',')}`;
    if (this.drawn.get(cell.id) === key && canvas.width === width && canvas.height === height) return;
    this.drawn.set(cell.id, key);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const context = canvas.getContext('2d');
    if (!context) return;
    context.clearRect(0, 0, canvas.width, canvas.height);
    canvas.dataset.line = line.flat().map((v) => v.toFixed(1)).join(' ');
    const [r, g, b] = REFERENCE_LINE_COLOUR;
    context.strokeStyle = `rgb(${r}, ${g}, ${b})`;
    context.lineWidth = Math.max(1, Math.round(1.5 * ratio));
    context.beginPath();
    context.moveTo(line[0][0] * ratio, line[0][1] * ratio);
    context.lineTo(line[1][0] * ratio, line[1][1] * ratio);
    context.stroke();
  }
}
