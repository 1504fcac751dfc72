import type { DisplayState, PrimaryTool, StackController } from './stack-controller.js';

type ImagingModule = typeof import('./imaging-module.js');

let imaging: Promise<ImagingModule> | undefined;

/** Loads the Cornerstone part once per page (the first viewer starts it; the others share it). */
export function loadImaging(): Promise<ImagingModule> {
  imaging ??= import('./imaging-module.js').catch((error: unknown) => {
    imaging = undefined;
    throw error;
  });
  return imaging;
}

/**
 * The element's handle on its stack viewport before and after Cornerstone has loaded: calls made before
 * the viewport exists are ignored (there is nothing to scroll yet), `state()` answers a neutral view.
 */
export class LazyStack {
  private inner: StackController | undefined;
  onChange: (state: DisplayState) => void = () => undefined;
  onImageError: (imageId: string, error: unknown) => void = () => undefined;

  async attach(element: HTMLDivElement): Promise<void> {
    const { StackController } = await loadImaging();
    const stack = new StackController();
    stack.onChange = (state) => this.onChange(state);
    stack.onImageError = (imageId, error) => this.onImageError(imageId, error);
    await stack.attach(element);
    this.inner = stack;
  }

  show(imageIds: string[], initialIndex: number): Promise<void> {
    if (!this.inner) return Promise.reject(new Error('viewport is not attached'));
    return this.inner.show(imageIds, initialIndex);
  }

  detach(): void {
    this.inner?.detach();
    this.inner = undefined;
  }

  state(): DisplayState {
    return this.inner?.state() ?? { imageIndex: 0, imageCount: 0, windowCenter: 0, windowWidth: 0, zoom: 1 };
  }

  scroll(delta: number): void {
    this.inner?.scroll(delta);
  }

  scrollByWheel(event: WheelEvent): void {
    this.inner?.scrollByWheel(event);
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

  setWindow(center: number, width: number): void {
    this.inner?.setWindow(center, width);
  }

  adjustWindow(widthDelta: number, centerDelta: number): void {
    this.inner?.adjustWindow(widthDelta, centerDelta);
  }

  setPrimaryTool(tool: PrimaryTool): void {
    this.inner?.setPrimaryTool(tool);
  }

  reset(): void {
    this.inner?.reset();
  }

  modalityValueAt(column: number, row: number): number | undefined {
    return this.inner?.modalityValueAt(column, row);
  }
}
