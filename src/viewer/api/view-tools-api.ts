/**
 * `<filmless-viewer>`'s public methods for view tools: scrolling, view reset, rotation and flips,
 * inversion, zoom, cine and the probe. The behaviour is in the controllers these methods call
 * (controllersOf).
 */
import { LitElement } from 'lit';
import { controllersOf } from '../controllers/viewer-controllers.js';

/**
 * The view tools of the active viewport: one link of the element's class chain (LitElement, view tools,
 * measurements, MPR, navigation, then `FilmlessViewer` with its properties and lifecycle), documented on
 * the element.
 */
export class ViewToolsApi extends LitElement {
  /** Moves by `delta` images (negative: towards the first) in the active viewport. */
  scrollImages(delta: number): void {
    controllersOf(this).input.noteInteraction();
    controllersOf(this).cine.stop();
    controllersOf(this).grid.active.load.stack.scroll(delta);
  }

  /** Restores the initial zoom, pan, window/level, rotation, flips and inversion of the active viewport. */
  resetView(): void {
    controllersOf(this).grid.active.load.stack.reset();
  }

  /**
   * Rotates the active viewport's image by `degrees`, a multiple of 90 (others are rounded to one):
   * positive turns clockwise, negative counter-clockwise, about the viewport's centre. The view state's
   * `rotation` then says the total, 0–270 (applied after `flipH`/`flipV`, which mirror the image itself).
   */
  rotate(degrees: number): void {
    controllersOf(this).grid.active.load.stack.rotate(degrees);
  }

  /**
   * Mirrors the active viewport's image as the user sees it: `horizontal` swaps left and right on the
   * screen, `vertical` top and bottom (whatever the rotation). Other values are ignored.
   */
  flip(direction: 'horizontal' | 'vertical'): void {
    controllersOf(this).grid.active.load.stack.flip(direction);
  }

  /**
   * Shows the active viewport's greys inverted (a negative of how the file displays: a MONOCHROME1
   * image shown dark-on-light counts as not inverted): `invert(true)`, back with `invert(false)`;
   * without an argument it toggles. The view state's `invert` says which.
   */
  invert(on: boolean | undefined = undefined): void {
    controllersOf(this).grid.active.load.stack.setInvert(typeof on === 'boolean' ? on : undefined);
  }

  /** Sets the active viewport's zoom as the view state reports it: 1 = fitted, 2 = twice as large (0.05–40). */
  setZoom(zoom: number): void {
    controllersOf(this).grid.active.load.stack.setZoom(zoom);
  }

  /** Fits the whole image (as rotated) in the active viewport and centres it; window, rotation and flips stay. */
  zoomToFit(): void {
    controllersOf(this).grid.active.load.stack.zoomToFit();
  }

  /**
   * Zoom 1:1: one image pixel per device pixel of the screen (a canvas pixel, i.e. CSS pixels ×
   * `devicePixelRatio`), along the image's columns; rows keep the pixel aspect ratio. The centre stays.
   */
  zoomToActualSize(): void {
    controllersOf(this).grid.active.load.stack.zoomToActualSize();
  }

  /**
   * Plays the active viewport's stack as a loop (cine), from the slice shown, at `fps` frames per second
   * (1–60); without it at the last rate chosen, else the series' own (RecommendedDisplayFrameRate,
   * CineRate or FrameTime), else 15. Each frame is waited for, never skipped. Stops with `stopCine()`,
   * Space or Escape, any other scrolling, or another series in that viewport. The view state's
   * `viewports[i].cine` reports the rate asked for and the rate achieved.
   */
  playCine(fps: number | undefined = undefined): void {
    controllersOf(this).cine.play(fps);
  }

  /** Stops the cine (the slice shown stays). */
  stopCine(): void {
    controllersOf(this).cine.stop();
  }

  /**
   * The modality value (CT: Hounsfield units) of the active viewport's image at pixel (column, row), as
   * a probe tool shows it; undefined outside the image or before an image is shown. The first image
   * (`filmless-first-image`) answers already, before the tools are ready.
   */
  probe(column: number, row: number): number | undefined {
    return controllersOf(this).grid.active.load.modalityValueAt(column, row);
  }
}
