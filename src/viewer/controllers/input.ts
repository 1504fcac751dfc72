/**
 * Input: wheel, keys, mouse tools, touch gestures and the shortcut help, each acting on the active
 * viewport. Keys act only while an image area has focus; one table (shortcuts.ts) drives the keys and
 * the help overlay alike.
 */
import type { ReactiveController } from 'lit';
import type { PrimaryTool } from '../../imaging/stack-controller.js';
import { actionForKey, type ShortcutAction } from '../parts/shortcuts.js';
import { TouchGestures } from '../parts/touch-gestures.js';
import { CT_PRESETS, PATIENT_PRESETS } from '../parts/window-presets.js';
import type { CineController } from './cine.js';
import type { ViewerContext } from './viewer-context.js';
import type { ViewportGrid } from './viewport-grid.js';

/** The element's properties input reads and writes. */
export interface InputSettings {
  touchMode: 'scroll' | 'windowLevel';
  /** Patient mode's number keys pick its four named windows. */
  mode: 'clinician' | 'patient';
}

export class InputController implements ReactiveController {
  /** What the left mouse button does. */
  tool: PrimaryTool = 'windowLevel';
  helpOpen = false;
  /** The overlay's text is hidden (key I or the toolbar's button). */
  overlayHidden = false;
  /**
   * While MPR is open its three views cover the grid: a window preset goes to them. Set by the MPR
   * controller's wiring; answers false when MPR is not shown.
   */
  windowMpr: (center: number, width: number) => boolean = () => false;
  /** Key C: the cursor readout's toggle (set by its controller). */
  toggleCursorInfo: () => void = () => undefined;

  private touchScrollRemainder = 0;
  private readonly gestures = new TouchGestures({
    drag: (dx, dy) => this.touchDrag(dx, dy),
    pinch: (factor, dx, dy) => {
      this.stack.zoomBy(factor);
      this.stack.panBy(dx, dy);
    },
    doubleTap: () => this.stack.reset(),
  });

  constructor(
    private readonly context: ViewerContext,
    private readonly grid: ViewportGrid,
    private readonly settings: InputSettings,
    private readonly cine: CineController,
  ) {
    context.host.addController(this);
  }

  hostConnected(): void {}

  /** The active viewport's stack. */
  private get stack() {
    return this.grid.active.load.stack;
  }

  private get hasSeries(): boolean {
    return this.grid.active.load.series !== undefined;
  }

  /** The user is reading: background decoding gives way for a moment. */
  noteInteraction(): void {
    this.grid.active.load.noteInteraction();
  }

  readonly handleWheel = (event: WheelEvent): void => {
    if (!this.hasSeries) return;
    event.preventDefault();
    this.noteInteraction();
    this.cine.stop();
    this.stack.scrollByWheel(event);
  };

  readonly handleKeydown = (event: KeyboardEvent): void => {
    const action = actionForKey(event);
    if (!action || !this.hasSeries) return;
    // Escape is the page's (a dialog of the host's, leaving full screen) unless it stops a cine.
    if (action.type === 'cineStop' && !this.cine.playing) return;
    event.preventDefault();
    this.noteInteraction();
    this.perform(action);
  };

  /** Runs a shortcut action; keys, buttons and the help overlay all go through here. */
  perform(action: ShortcutAction): void {
    const stack = this.stack;
    // Moving through the stack by hand stops a cine.
    if (action.type === 'scroll' || action.type === 'first' || action.type === 'last') this.cine.stop();
    switch (action.type) {
      case 'scroll':
        return stack.scroll(action.delta);
      case 'first':
        return stack.setImageIndex(0);
      case 'last':
        return stack.setImageIndex((this.grid.active.load.series?.frames.length ?? 1) - 1);
      case 'zoom':
        return stack.zoomBy(action.factor);
      case 'pan':
        return stack.panBy(action.dx, action.dy);
      case 'window':
        return stack.adjustWindow(action.widthDelta, action.centerDelta);
      case 'preset': {
        const preset = (this.settings.mode === 'patient' ? PATIENT_PRESETS : CT_PRESETS)[action.index];
        if (preset && this.grid.active.load.series?.modality === 'CT' && !this.windowMpr(preset.center, preset.width)) stack.setWindow(preset.center, preset.width);
        return;
      }
      case 'rotate':
        return stack.rotate(action.degrees);
      case 'flip':
        return stack.flip(action.direction);
      case 'invert':
        return stack.setInvert();
      case 'fit':
        return stack.zoomToFit();
      case 'actualSize':
        return stack.zoomToActualSize();
      case 'cine':
        return this.cine.toggle();
      case 'cineStop':
        return this.cine.stop();
      case 'reset':
        return stack.reset();
      case 'overlay':
        return this.toggleOverlay();
      case 'cursorInfo':
        return this.toggleCursorInfo();
      case 'help':
        return void this.toggleHelp();
    }
  }

  /** The left mouse button's tool, for every viewport. */
  selectTool(tool: PrimaryTool): void {
    this.tool = tool;
    for (const cell of this.grid.cells) cell.load.stack.setPrimaryTool(tool);
    this.context.host.requestUpdate();
  }

  /** Hides or shows the overlay's text in every viewport. */
  toggleOverlay(): void {
    this.overlayHidden = !this.overlayHidden;
    this.context.host.requestUpdate();
  }

  async toggleHelp(): Promise<void> {
    this.helpOpen = !this.helpOpen;
    this.context.host.requestUpdate();
    await this.context.host.updateComplete;
    const root = this.context.host.renderRoot;
    const target = this.helpOpen ? root.querySelector<HTMLElement>('.help-close') : root.querySelector<HTMLElement>('[part="viewport"]');
    target?.focus();
  }

  readonly handlePointer = (event: PointerEvent): void => {
    if (event.buttons) this.noteInteraction(); // a drag: window/level, pan, zoom or scroll
    if (event.pointerType !== 'touch' || !this.hasSeries) return;
    const handled =
      event.type === 'pointerdown'
        ? this.gestures.down(event)
        : event.type === 'pointermove'
          ? this.gestures.move(event)
          : event.type === 'pointerup'
            ? this.gestures.up(event)
            : (this.gestures.cancel(event), true);
    if (handled) event.preventDefault();
  };

  /** Touch belongs to our gestures: keep Cornerstone's own touch tools from acting on the same fingers. */
  readonly captureTouch = (event: TouchEvent): void => {
    event.stopPropagation();
    if (event.cancelable) event.preventDefault();
  };

  /** One finger: scroll 1 slice per 12 px of vertical travel, or window/level like a mouse drag. */
  private touchDrag(dx: number, dy: number): void {
    if (this.settings.touchMode === 'windowLevel') {
      this.stack.adjustWindow(dx * 2, dy * 2);
      return;
    }
    this.touchScrollRemainder += dy;
    const steps = Math.trunc(this.touchScrollRemainder / 12);
    if (steps !== 0) {
      this.cine.stop();
      this.touchScrollRemainder -= steps * 12;
      this.stack.scroll(steps);
    }
  }
}
