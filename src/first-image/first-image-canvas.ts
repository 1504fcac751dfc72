/**
 * Draws the first image on a plain 2D canvas: the frame's stored values go through the modality rescale
 * and the linear window (the same mapping Cornerstone applies, so the hand-over is seamless) into an
 * 8-bit lookup table, then the image is fitted and centred in the canvas as a stack viewport fits it.
 * No WebGL context and no renderer library: a few milliseconds for a 512×512 frame.
 */
import type { GreyFrame } from './first-frame.js';

/** Grey (0–255) for every stored value in [offset, offset + length): one multiply per value, not per pixel. */
function windowTable(frame: GreyFrame, offset: number, length: number): Uint8ClampedArray {
  const { slope, intercept, windowCenter, windowWidth, invert } = frame;
  // DICOM's linear VOI function (PS3.3 C.11.2.1.2), as Cornerstone's toLowHighRange applies it.
  const lower = windowCenter - 0.5 - (windowWidth - 1) / 2;
  const range = Math.max(1e-6, windowWidth - 1);
  const table = new Uint8ClampedArray(length);
  for (let i = 0; i < length; i++) {
    const grey = (((offset + i) * slope + intercept - lower) / range) * 255;
    table[i] = invert ? 255 - grey : grey;
  }
  return table;
}

/** The frame as an RGBA bitmap of its own size. */
function frameBitmap(frame: GreyFrame): ImageData {
  const { pixels, columns, rows } = frame;
  const [min, max] = frame.range;
  const table = windowTable(frame, min, max - min + 1);
  const image = new ImageData(columns, rows);
  // One 32-bit write per pixel (little-endian RGBA: alpha in the top byte).
  const out = new Uint32Array(image.data.buffer);
  for (let i = 0; i < pixels.length; i++) {
    const grey = table[pixels[i]! - min]!;
    out[i] = 0xff000000 | (grey << 16) | (grey << 8) | grey;
  }
  return image;
}

/** Where the fitted image lies on a canvas of that size, in canvas pixels. */
export function fittedRect(frame: GreyFrame, width: number, height: number): { x: number; y: number; width: number; height: number } {
  const imageWidth = frame.columns * frame.pixelAspect;
  const scale = Math.min(width / imageWidth, height / frame.rows);
  const drawnWidth = imageWidth * scale;
  const drawnHeight = frame.rows * scale;
  return { x: (width - drawnWidth) / 2, y: (height - drawnHeight) / 2, width: drawnWidth, height: drawnHeight };
}

/**
 * Sizes the canvas to its box at the device's pixel ratio and draws the frame, fitted and centred on
 * black. Returns false when the canvas has no size yet (not laid out) or no 2D context.
 */
export function drawFirstImage(canvas: HTMLCanvasElement, frame: GreyFrame): boolean {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round(canvas.clientWidth * ratio);
  const height = Math.round(canvas.clientHeight * ratio);
  const context = width > 0 && height > 0 ? canvas.getContext('2d', { alpha: false }) : null;
  if (!context) return false;
  canvas.width = width;
  canvas.height = height;
  const source = document.createElement('canvas');
  source.width = frame.columns;
  source.height = frame.rows;
  source.getContext('2d')!.putImageData(frameBitmap(frame), 0, 0);
  context.fillStyle = '#000';
  context.fillRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  const rect = fittedRect(frame, width, height);
  context.drawImage(source, rect.x, rect.y, rect.width, rect.height);
  return true;
}

/** Frees the canvas's backing store once Cornerstone shows the image. */
export function releaseCanvas(canvas: HTMLCanvasElement): void {
  canvas.width = 0;
  canvas.height = 0;
}
