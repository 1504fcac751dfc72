/**
 * A first look on a slow link: the middle image rendered by the server (WADO-RS `/rendered`, a JPEG of a
 * few tens of kilobytes at the viewport's size) while its full-quality frame (hundreds of kilobytes on a
 * phone's link) is still on its way. Decoded by the browser's own image decoder (no WebAssembly, no
 * Cornerstone), drawn fitted as the real image will be, and never read for values: it is a picture of
 * the image, shown under a "preview" label until the frame itself replaces it.
 */
import type { DicomwebClient } from '../dicomweb/client.js';
import { type DicomJsonDataset, Tag, numberValue, stringValue } from '../dicomweb/dicom-json.js';
import { FilmlessError } from '../errors.js';

/**
 * How long the full frame (and its metadata) may take before a preview is asked for. On loopback and a
 * hospital LAN both have arrived long before (tens of milliseconds); on a phone's link the frame alone
 * takes seconds, and a rendered JPEG a few hundred milliseconds.
 */
export const PREVIEW_DELAY_MS = 350;

/** The preview's longest side, in pixels: a larger one costs bytes a slow link does not have. */
const MAX_PREVIEW_SIDE = 512;

/** Statuses with which a server says it does not render that resource: the instance-level one is tried. */
const NOT_RENDERED_HERE = new Set([400, 404, 406, 415, 501]);

export interface PreviewSize {
  width: number;
  height: number;
}

/**
 * The size to ask the server for: the image fitted into the viewport's device pixels (so no server has
 * to pad or stretch it), never larger than the image itself nor than MAX_PREVIEW_SIDE. Without the
 * image's size, the viewport's device pixels, capped. Undefined for a viewport not laid out.
 */
export function previewSize(box: { width: number; height: number }, ratio: number, image?: { columns: number; rows: number }): PreviewSize | undefined {
  let width = box.width * (ratio > 0 ? ratio : 1);
  let height = box.height * (ratio > 0 ? ratio : 1);
  if (!(width >= 1 && height >= 1)) return undefined;
  if (image && image.columns > 0 && image.rows > 0) {
    const scale = Math.min(width / image.columns, height / image.rows, 1);
    width = image.columns * scale;
    height = image.rows * scale;
  }
  const cap = Math.min(1, MAX_PREVIEW_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * cap)), height: Math.max(1, Math.round(height * cap)) };
}

/** A window for the server to render in (WADO-RS `window=center,width,function`). */
export interface RenderWindow {
  center: number;
  width: number;
  function: 'linear' | 'linear-exact' | 'sigmoid';
}

/**
 * The file's first window, as the full-quality image shows it, so that the preview has the same
 * contrast (servers differ in what they render without one: Orthanc 1.10 picks another). Undefined
 * without one in the file: the server chooses, as the viewer does then.
 */
export function fileWindow(instance: DicomJsonDataset | undefined): RenderWindow | undefined {
  if (!instance) return undefined;
  const center = numberValue(instance, Tag.WindowCenter);
  const width = numberValue(instance, Tag.WindowWidth);
  if (center === undefined || width === undefined || !Number.isFinite(center) || !(width > 0)) return undefined;
  const name = stringValue(instance, '00281056').trim().toUpperCase();
  return { center, width, function: name === 'SIGMOID' ? 'sigmoid' : name === 'LINEAR_EXACT' ? 'linear-exact' : 'linear' };
}

/**
 * Fetches the frame rendered at `size` (frame level; the instance level when the server refuses that)
 * and decodes it. Throws when the server renders neither, or the answer is not an image it can decode:
 * the caller then shows no preview.
 */
export async function fetchPreview(
  client: DicomwebClient,
  studyUID: string,
  seriesUID: string,
  sopInstanceUID: string,
  size: PreviewSize,
  window: RenderWindow | undefined,
  signal: AbortSignal,
): Promise<ImageBitmap> {
  let blob: Blob;
  try {
    blob = await client.retrieveRenderedImage(studyUID, seriesUID, { sopInstanceUID, frameNumber: 1 }, size, signal, window);
  } catch (error) {
    if (signal.aborted || !(error instanceof FilmlessError) || !NOT_RENDERED_HERE.has(error.status ?? 0)) throw error;
    blob = await client.retrieveRenderedImage(studyUID, seriesUID, { sopInstanceUID }, size, signal, window);
  }
  signal.throwIfAborted();
  return createImageBitmap(blob);
}

/**
 * Sizes the canvas to its box at the device's pixel ratio and draws the preview fitted and centred on
 * black, as the full image will be drawn. False when the canvas has no size yet or no 2D context.
 */
export function drawPreview(canvas: HTMLCanvasElement, bitmap: ImageBitmap): boolean {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round(canvas.clientWidth * ratio);
  const height = Math.round(canvas.clientHeight * ratio);
  const context = width > 0 && height > 0 && bitmap.width > 0 && bitmap.height > 0 ? canvas.getContext('2d', { alpha: false }) : null;
  if (!context) return false;
  canvas.width = width;
  canvas.height = height;
  context.fillStyle = '#000';
  context.fillRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  const scale = Math.min(width / bitmap.width, height / bitmap.height);
  const drawnWidth = bitmap.width * scale;
  const drawnHeight = bitmap.height * scale;
  context.drawImage(bitmap, (width - drawnWidth) / 2, (height - drawnHeight) / 2, drawnWidth, drawnHeight);
  return true;
}
