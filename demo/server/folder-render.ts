/**
 * WADO-RS rendered images (PS3.18 9.5 and 8.3.5.1): which frame a series preview shows, the
 * `viewport` and `window` query parameters, and turning one native frame into an 8-bit image
 * (rescale, window, MONOCHROME1 inversion, area-averaged downscaling).
 */
import type { IndexedInstance, IndexedSeries } from './dicom-index.js';
import type { RenderedMediaType } from './folder-accept.js';
import { decodeFrame, DECODABLE_SYNTAXES, encodeJpeg } from './folder-codecs.js';
import type { DicomJsonDataset, DicomJsonValue } from './folder-dicom-json.js';
import { pixelLayoutOf, readGreyscale, readRgb, type PixelLayout } from './folder-pixels.js';
import { encodePng, type RasterImage } from './folder-png.js';

/** A `viewport` or `window` query parameter this server cannot read; answered with 400. */
export class RenderQueryError extends Error {}

/** VOI LUT Function (0028,1056), PS3.3 C.11.2.1.2. */
export type WindowFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export interface VoiWindow {
  readonly center: number;
  readonly width: number;
  readonly function: WindowFunction;
}

export interface RenderOptions {
  /** The box the image is fitted into, aspect ratio kept. */
  readonly viewport: { readonly width: number; readonly height: number };
  /** From the query; when absent, the file's first window, else the frame's value range. */
  readonly window?: VoiWindow;
}

/** The viewport when the request names none. */
const DEFAULT_VIEWPORT = { width: 128, height: 128 } as const;

/** Functional group macros (PS3.3 C.7.6.16) holding what a single-frame image has at top level. */
const PIXEL_VALUE_TRANSFORMATION = '00289145';
const FRAME_VOI_LUT = '00289132';
const PIXEL_MEASURES = '00289110';
const PER_FRAME_FUNCTIONAL_GROUPS = '52009230';
const SHARED_FUNCTIONAL_GROUPS = '52009229';

const VIEWPORT = /^([1-9]\d{0,4}),([1-9]\d{0,4})$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const QUERY_FUNCTIONS: Readonly<Record<string, WindowFunction>> = {
  linear: 'LINEAR',
  'linear-exact': 'LINEAR_EXACT',
  sigmoid: 'SIGMOID',
};

/**
 * Reads `viewport=vw,vh` and `window=center,width[,function]`; other rendering parameters
 * (quality, annotation, charset) are ignored, as the standard allows.
 * @throws RenderQueryError when either is malformed. The viewport's source-region form
 * (`vw,vh,sx,sy,sw,sh`) is not supported.
 */
export function parseRenderOptions(query: URLSearchParams): RenderOptions {
  const viewportText = query.get('viewport');
  let viewport: RenderOptions['viewport'] = DEFAULT_VIEWPORT;
  if (viewportText !== null) {
    const match = VIEWPORT.exec(viewportText);
    if (!match) throw new RenderQueryError(`viewport must be width,height in pixels, e.g. 96,96 (got "${viewportText}")`);
    viewport = { width: Number(match[1]), height: Number(match[2]) };
  }
  const windowText = query.get('window');
  if (windowText === null) return { viewport };
  const [center = '', width = '', functionName = 'linear', ...rest] = windowText.split(',');
  const windowFunction = QUERY_FUNCTIONS[functionName.toLowerCase()];
  const valid =
    DECIMAL.test(center) && DECIMAL.test(width) && windowFunction !== undefined && rest.length === 0 &&
    Number(width) >= (windowFunction === 'LINEAR' ? 1 : Number.MIN_VALUE);
  if (!valid) {
    throw new RenderQueryError(
      `window must be center,width[,linear|linear-exact|sigmoid] with a positive width (got "${windowText}")`,
    );
  }
  return { viewport, window: { center: Number(center), width: Number(width), function: windowFunction } };
}

/** A frame to render: an instance and a 0-based frame index. */
export interface FrameRef {
  readonly instance: IndexedInstance;
  readonly frameIndex: number;
}

/**
 * The frame a series preview shows: the middle image of the series in geometric order (along
 * the slice normal) when every image has a position and they share an orientation, else in
 * index order (InstanceNumber). A multi-frame middle instance shows its middle frame.
 * Undefined when no instance has pixel data.
 */
export function seriesPreviewFrame(series: IndexedSeries): FrameRef | undefined {
  const images = [...series.instances.values()].filter((instance) => instance.frames.length > 0);
  if (images.length === 0) return undefined;
  const ordered = geometricOrder(images) ?? images;
  const instance = ordered[Math.floor((ordered.length - 1) / 2)];
  return { instance, frameIndex: Math.floor((instance.frames.length - 1) / 2) };
}

function geometricOrder(images: readonly IndexedInstance[]): IndexedInstance[] | undefined {
  const orientations = images.map((image) => numbers(image.json, '00200037', 6));
  const positions = images.map((image) => numbers(image.json, '00200032', 3));
  const [first] = orientations;
  if (!first || orientations.some((o) => !o || o.some((value, i) => Math.abs(value - first[i]) > 1e-3))) return undefined;
  if (positions.some((p) => !p)) return undefined;
  const [rx, ry, rz, cx, cy, cz] = first;
  const normal = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
  const along = images.map((image, i) => {
    const [x, y, z] = positions[i] ?? [0, 0, 0];
    return { image, distance: x * normal[0] + y * normal[1] + z * normal[2] };
  });
  // Array.prototype.sort is stable: equal distances keep InstanceNumber order.
  along.sort((a, b) => a.distance - b.distance);
  return along.map((entry) => entry.image);
}

/**
 * One frame of an instance as an image file: decoded first when compressed, rendered, and encoded
 * as JPEG or PNG.
 * @throws NotRenderableError when the frame cannot be decoded or its pixel format is not rendered.
 */
export async function renderedFile(
  instance: IndexedInstance,
  frameIndex: number,
  frame: Uint8Array,
  options: RenderOptions,
  type: RenderedMediaType,
): Promise<Buffer> {
  let layout: PixelLayout;
  let samples = frame;
  if (DECODABLE_SYNTAXES.has(instance.transferSyntaxUID)) {
    const decoded = await decodeFrame(instance.json, instance.transferSyntaxUID, frame);
    layout = pixelLayoutOf(instance.json, instance.transferSyntaxUID, decoded);
    samples = decoded.bytes;
  } else {
    layout = pixelLayoutOf(instance.json, instance.transferSyntaxUID);
  }
  const image = renderFrame(instance.json, frameIndex, samples, layout, options);
  return type === 'image/jpeg' ? encodeJpeg(image) : encodePng(image);
}

/**
 * Renders one native frame fitted into the viewport: greyscale through Rescale Slope/Intercept
 * and a VOI window (inverted for MONOCHROME1), RGB as stored. The image is never enlarged beyond
 * its own resolution (browsers scale a thumbnail anyway); non-square pixels are corrected.
 */
export function renderFrame(
  json: DicomJsonDataset,
  frameIndex: number,
  frame: Uint8Array,
  layout: PixelLayout,
  options: RenderOptions,
): RasterImage {
  const { rows, columns } = layout;
  const size = outputSize(columns, rows, pixelAspect(json, frameIndex), options.viewport);
  if (layout.photometric === 'RGB') {
    const rgb = readRgb(frame, layout);
    return { ...size, channels: 3, pixels: toBytes(resample(Float32Array.from(rgb), columns, rows, 3, size)) };
  }
  const grey = windowed(json, frameIndex, readGreyscale(frame, layout), options.window);
  if (layout.photometric === 'MONOCHROME1') for (let i = 0; i < grey.length; i++) grey[i] = 255 - grey[i];
  return { ...size, channels: 1, pixels: toBytes(resample(grey, columns, rows, 1, size)) };
}

/** Modality values (stored × slope + intercept) through the window, as 0–255 floats. */
function windowed(json: DicomJsonDataset, frameIndex: number, stored: Int32Array, requested?: VoiWindow): Float32Array {
  const slope = frameNumbers(json, frameIndex, PIXEL_VALUE_TRANSFORMATION, '00281053')?.[0] ?? 1;
  const intercept = frameNumbers(json, frameIndex, PIXEL_VALUE_TRANSFORMATION, '00281052')?.[0] ?? 0;
  const values = new Float32Array(stored.length);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < stored.length; i++) {
    const value = stored[i] * slope + intercept;
    values[i] = value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const window =
    requested ??
    fileWindow(json, frameIndex) ??
    // Value range: min maps to black and max to white.
    { center: (min + max) / 2, width: Math.max(max - min, Number.MIN_VALUE), function: 'LINEAR_EXACT' };
  const apply = windowFunction(window);
  for (let i = 0; i < values.length; i++) values[i] = apply(values[i]);
  return values;
}

function fileWindow(json: DicomJsonDataset, frameIndex: number): VoiWindow | undefined {
  const center = frameNumbers(json, frameIndex, FRAME_VOI_LUT, '00281050')?.[0];
  const width = frameNumbers(json, frameIndex, FRAME_VOI_LUT, '00281051')?.[0];
  const named = frameValues(json, frameIndex, FRAME_VOI_LUT, '00281056')?.[0];
  const fn: WindowFunction = named === 'SIGMOID' || named === 'LINEAR_EXACT' ? named : 'LINEAR';
  if (center === undefined || width === undefined) return undefined;
  if (!(width >= (fn === 'LINEAR' ? 1 : Number.MIN_VALUE))) return undefined;
  return { center, width, function: fn };
}

/** The VOI LUT functions of PS3.3 C.11.2.1.2, to 0–255. */
function windowFunction({ center: c, width: w, function: fn }: VoiWindow): (x: number) => number {
  switch (fn) {
    case 'LINEAR':
      return (x) =>
        x <= c - 0.5 - (w - 1) / 2 ? 0
        : x > c - 0.5 + (w - 1) / 2 ? 255
        : ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
    case 'LINEAR_EXACT':
      return (x) => (x <= c - w / 2 ? 0 : x > c + w / 2 ? 255 : ((x - c) / w + 0.5) * 255);
    case 'SIGMOID':
      return (x) => 255 / (1 + Math.exp((-4 * (x - c)) / w));
  }
}

/**
 * Output size: the image at its natural display size (the finer pixel axis keeps its pixel count),
 * shrunk to fit the viewport if larger, aspect ratio kept.
 */
function outputSize(
  columns: number,
  rows: number,
  aspect: number,
  viewport: RenderOptions['viewport'],
): { width: number; height: number } {
  const naturalWidth = aspect >= 1 ? columns * aspect : columns;
  const naturalHeight = aspect >= 1 ? rows : rows / aspect;
  const scale = Math.min(1, viewport.width / naturalWidth, viewport.height / naturalHeight);
  return {
    width: Math.max(1, Math.round(naturalWidth * scale)),
    height: Math.max(1, Math.round(naturalHeight * scale)),
  };
}

/** Width over height of one pixel, from PixelSpacing or PixelAspectRatio; 1 when unknown or absurd. */
function pixelAspect(json: DicomJsonDataset, frameIndex: number): number {
  const spacing = frameNumbers(json, frameIndex, PIXEL_MEASURES, '00280030');
  const ratio = numbers(json, '00280034', 2);
  const [vertical, horizontal] = spacing?.length === 2 ? spacing : ratio ?? [1, 1];
  const aspect = horizontal / vertical;
  return Number.isFinite(aspect) && aspect >= 1 / 16 && aspect <= 16 ? aspect : 1;
}

/**
 * Area-averaging resize, one axis after the other: each output pixel is the mean of the source
 * area it covers, partly covered source pixels weighted by the covered fraction. Downscaling
 * 512 → 96 thus averages about 5.3 × 5.3 pixels per output pixel instead of picking one.
 */
function resample(
  source: Float32Array,
  width: number,
  height: number,
  channels: number,
  size: { width: number; height: number },
): Float32Array {
  if (size.width === width && size.height === height) return source;
  const across = coverage(width, size.width);
  const down = coverage(height, size.height);

  const wide = new Float32Array(size.width * height * channels);
  for (let y = 0; y < height; y++) {
    for (const [x, { start, weights }] of across.entries()) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * source[((y * width) + start + k) * channels + c];
        wide[(y * size.width + x) * channels + c] = sum;
      }
    }
  }
  const result = new Float32Array(size.width * size.height * channels);
  for (const [y, { start, weights }] of down.entries()) {
    for (let x = 0; x < size.width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * wide[((start + k) * size.width + x) * channels + c];
        result[(y * size.width + x) * channels + c] = sum;
      }
    }
  }
  return result;
}

/** For each of `target` output pixels, the source pixels it covers and their weights (summing to 1). */
function coverage(source: number, target: number): { start: number; weights: Float64Array }[] {
  const scale = source / target;
  return Array.from({ length: target }, (_, i) => {
    const from = i * scale;
    const to = Math.min((i + 1) * scale, source);
    const start = Math.floor(from);
    const end = Math.min(Math.ceil(to), source);
    const weights = new Float64Array(end - start);
    for (let s = start; s < end; s++) weights[s - start] = (Math.min(to, s + 1) - Math.max(from, s)) / (to - from);
    return { start, weights };
  });
}

function toBytes(values: Float32Array): Uint8Array {
  // Uint8ClampedArray rounds half to even and clamps to 0–255.
  return new Uint8Array(Uint8ClampedArray.from(values).buffer);
}

/**
 * An attribute of one frame: from its per-frame functional group, else the shared group (both
 * inside the given macro sequence), else the top-level dataset.
 */
function frameValues(json: DicomJsonDataset, frameIndex: number, macro: string, tag: string): DicomJsonValue[] | undefined {
  const groups = [json[PER_FRAME_FUNCTIONAL_GROUPS]?.Value?.[frameIndex], json[SHARED_FUNCTIONAL_GROUPS]?.Value?.[0]];
  for (const group of groups) {
    if (!isDataset(group)) continue;
    const item = group[macro]?.Value?.[0];
    const value = isDataset(item) ? item[tag]?.Value : undefined;
    if (value && value.length > 0) return value;
  }
  return json[tag]?.Value;
}

function frameNumbers(json: DicomJsonDataset, frameIndex: number, macro: string, tag: string): number[] | undefined {
  const values = frameValues(json, frameIndex, macro, tag);
  return values?.every((value) => typeof value === 'number') ? (values as number[]) : undefined;
}

function numbers(json: DicomJsonDataset, tag: string, count: number): number[] | undefined {
  const values = json[tag]?.Value;
  if (!values || values.length !== count || !values.every((value) => typeof value === 'number')) return undefined;
  return values as number[];
}

function isDataset(value: DicomJsonValue | undefined): value is DicomJsonDataset {
  return typeof value === 'object' && value !== null && !('Alphabetic' in value || 'Ideographic' in value || 'Phonetic' in value);
}
