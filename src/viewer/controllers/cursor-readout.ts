/**
 * The cursor's readout, on demand (toolbar toggle, key C through the input controller's shortcuts): while on, moving the pointer over a viewport
 * shows the patient position under it (mm) and the modality value there, in that viewport's overlay.
 * The conversion is Cornerstone's (src/imaging/cursor-info.ts), loaded with the rest of the imaging part.
 */
import type { ReactiveController } from 'lit';
import { loadImaging } from '../../imaging/lazy-stack.js';
import type { CursorReadout } from '../parts/geometry-overlay.js';
import type { ViewportCell } from './viewport-grid.js';
import type { ViewerContext } from './viewer-context.js';

export class CursorReadoutController implements ReactiveController {
  /** Whether the readout is shown. */
  enabled = false;
  /** The readout of the cell the pointer is over (by cell id), if any. */
  readout: { cell: number; value: CursorReadout } | undefined;
  private pending = 0;

  constructor(
    private readonly context: ViewerContext,
    /** The input controller: its shortcut C toggles the readout. */
    input: { toggleCursorInfo: () => void },
  ) {
    context.host.addController(this);
    input.toggleCursorInfo = () => this.toggle();
  }

  hostDisconnected(): void {
    this.pending++;
    this.readout = undefined;
  }

  toggle(on = !this.enabled): void {
    this.enabled = on;
    if (!on) this.readout = undefined;
    this.context.host.requestUpdate();
  }

  /** The readout to draw on a cell. */
  at(cellId: number): CursorReadout | undefined {
    return this.enabled && this.readout?.cell === cellId ? this.readout.value : undefined;
  }

  /** The pointer moved over a cell's image area. */
  readonly move = (cell: ViewportCell, event: PointerEvent): void => {
    if (!this.enabled) return;
    const viewportId = cell.load.stack.viewportId;
    const element = event.currentTarget as HTMLElement | null;
    if (!viewportId || !element) return;
    const box = element.getBoundingClientRect();
    const [x, y] = [event.clientX - box.left, event.clientY - box.top];
    const request = ++this.pending;
    void loadImaging().then((imaging) => {
      if (request !== this.pending || !this.enabled) return;
      const info = imaging.cursorInfo(viewportId, x, y);
      this.readout = info ? { cell: cell.id, value: { position: info.position, ...(info.value === undefined ? {} : { value: info.value }) } } : undefined;
      this.context.host.requestUpdate();
    }, (error: unknown) => this.context.log('no cursor readout', error));
  };

  /** The pointer left a cell. */
  readonly leave = (): void => {
    this.pending++;
    if (!this.readout) return;
    this.readout = undefined;
    this.context.host.requestUpdate();
  };
}
