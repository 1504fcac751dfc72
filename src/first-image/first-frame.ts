/**
 * Turns the first frame's bytes into grey values without Cornerstone: native (uncompressed)
 * little-endian frames on the main thread, compressed ones (JPEG-LS, baseline and lossless JPEG,
 * JPEG 2000, HTJ2K, RLE) in a small worker that loads only the codec it meets (codec-decoder.ts).
 * Anything else (colour, 12-bit DCT JPEG, big endian, enhanced images) answers `undefined` and the
 * first image waits for Cornerstone, which decodes everything.
 */
import { checkFrame } from '../dicomweb/frame-check.js';
import type { FrameBytes } from '../dicomweb/client.js';
import { type DicomJsonDataset, Tag, numberValue, numberValues, stringValue } from '../dicomweb/dicom-json.js';
import { FilmlessError } from '../errors.js';
import { autoWindow } from '../imaging/auto-window.js';
import { DecoderUnavailable, codecOf, decodeCompressedFrame } from './codec-decoder.js';

/** A greyscale frame ready to draw: stored values plus what turns them into modality values and grey. */
export interface GreyFrame {
  columns: number;
  rows: number;
  pixels: Int16Array | Uint16Array | Uint8Array | Int8Array;
  /** Smallest and largest stored value. */
  range: [number, number];
  slope: number;
  intercept: number;
  /** The window to show: the file's first one, else the full range of the frame's modality values. */
  windowCenter: number;
  windowWidth: number;
  /** MONOCHROME1: high values are dark. */
  invert: boolean;
  /** Physical width ÷ height of one pixel (PixelSpacing is row spacing \ column spacing). */
  pixelAspect: number;
}

const NATIVE_LITTLE_ENDIAN = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

const PixelTag = {
  SamplesPerPixel: '00280002',
  PhotometricInterpretation: '00280004',
  PixelSpacing: '00280030',
  BitsAllocated: '00280100',
  BitsStored: '00280101',
  PixelRepresentation: '00280103',
  PixelPaddingValue: '00280120',
  PixelPaddingRangeLimit: '00280121',
} as const;

interface PixelFormat {
  columns: number;
  rows: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  invert: boolean;
  slope: number;
  intercept: number;
  window: [number, number] | undefined;
  pixelAspect: number;
  /** Pixel Padding Value and Range Limit (stored units), left out of the auto-window. */
  paddingValue: number | undefined;
  paddingLimit: number | undefined;
}

/** The frame's format from its metadata, or undefined when the lean path cannot draw it. */
function pixelFormat(instance: DicomJsonDataset): PixelFormat | undefined {
  const columns = numberValue(instance, Tag.Columns) ?? 0;
  const rows = numberValue(instance, Tag.Rows) ?? 0;
  const bitsAllocated = numberValue(instance, PixelTag.BitsAllocated) ?? 0;
  const samples = numberValue(instance, PixelTag.SamplesPerPixel) ?? 1;
  const photometric = stringValue(instance, PixelTag.PhotometricInterpretation).trim();
  // Enhanced (multi-frame) images keep rescale and window per frame in functional groups: leave them to Cornerstone.
  if (instance[Tag.PerFrameFunctionalGroupsSequence]) return undefined;
  if (columns <= 0 || rows <= 0 || samples !== 1 || (bitsAllocated !== 8 && bitsAllocated !== 16)) return undefined;
  if (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') return undefined;
  const center = numberValue(instance, Tag.WindowCenter);
  const width = numberValue(instance, Tag.WindowWidth);
  const [rowSpacing, columnSpacing] = numberValues(instance, PixelTag.PixelSpacing);
  return {
    columns,
    rows,
    bitsAllocated,
    bitsStored: numberValue(instance, PixelTag.BitsStored) ?? bitsAllocated,
    signed: numberValue(instance, PixelTag.PixelRepresentation) === 1,
    invert: photometric === 'MONOCHROME1',
    slope: numberValue(instance, Tag.RescaleSlope) ?? 1,
    intercept: numberValue(instance, Tag.RescaleIntercept) ?? 0,
    window: center !== undefined && width !== undefined && width > 0 ? [center, width] : undefined,
    pixelAspect: rowSpacing && columnSpacing ? columnSpacing / rowSpacing : 1,
    paddingValue: numberValue(instance, PixelTag.PixelPaddingValue),
    paddingLimit: numberValue(instance, PixelTag.PixelPaddingRangeLimit),
  };
}

/** Whether the lean path can draw this frame (decided before its bytes arrive). */
export function canDrawLean(instance: DicomJsonDataset, transferSyntaxUID?: string): boolean {
  if (!pixelFormat(instance)) return false;
  return transferSyntaxUID === undefined || NATIVE_LITTLE_ENDIAN.has(transferSyntaxUID) || codecOf(transferSyntaxUID) !== undefined;
}

/** Views bytes as samples of the stored type; copies only when the bytes are not 2-byte aligned. */
function samplesOf(buffer: ArrayBuffer, byteOffset: number, count: number, format: PixelFormat) {
  if (format.bitsAllocated === 8) return format.signed ? new Int8Array(buffer, byteOffset, count) : new Uint8Array(buffer, byteOffset, count);
  if (byteOffset % 2 !== 0) {
    const aligned = new Uint8Array(buffer, byteOffset, count * 2).slice();
    return format.signed ? new Int16Array(aligned.buffer) : new Uint16Array(aligned.buffer);
  }
  return format.signed ? new Int16Array(buffer, byteOffset, count) : new Uint16Array(buffer, byteOffset, count);
}

/**
 * Values stored in fewer bits than allocated: the bits above BitsStored are not part of the value (devices
 * leave overlays or flags there). Signed values carry their sign in bit `bitsStored - 1`.
 */
function extendSign(pixels: GreyFrame['pixels'], format: PixelFormat): GreyFrame['pixels'] {
  if (format.bitsStored >= format.bitsAllocated || format.bitsStored < 1) return pixels;
  const shift = 32 - format.bitsStored;
  const mask = 2 ** format.bitsStored - 1;
  if (!format.signed && !pixels.some((value) => value > mask)) return pixels;
  const copy = pixels.slice();
  if (format.signed) for (let i = 0; i < copy.length; i++) copy[i] = (copy[i]! << shift) >> shift;
  else for (let i = 0; i < copy.length; i++) copy[i] = copy[i]! & mask;
  return copy;
}

/** The smallest and largest stored value of the frame. */
function storedRange(pixels: GreyFrame['pixels']): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const value = pixels[i]!;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}

/** The range of modality values in the frame, as a window: what viewers show when the file has none. */
function fullRangeWindow([min, max]: [number, number], slope: number, intercept: number): [number, number] {
  const low = Math.min(min * slope + intercept, max * slope + intercept);
  const high = Math.max(min * slope + intercept, max * slope + intercept);
  return [(low + high) / 2, Math.max(1, high - low)];
}

/**
 * Decodes the first frame for the lean renderer. Undefined: not a format the lean path draws (the
 * caller waits for Cornerstone). Throws `bad-data` for a frame that is short or does not decode: a
 * damaged frame is reported, never drawn black.
 */
export async function decodeFirstFrame(instance: DicomJsonDataset, frame: FrameBytes, signal?: AbortSignal): Promise<GreyFrame | undefined> {
  const format = pixelFormat(instance);
  if (!format || !canDrawLean(instance, frame.transferSyntaxUID)) return undefined;
  const count = format.columns * format.rows;
  const bytesPerSample = format.bitsAllocated / 8;
  let pixels: GreyFrame['pixels'];
  const codec = codecOf(frame.transferSyntaxUID);
  if (codec) {
    checkFrame(frame.bytes, frame.transferSyntaxUID, { columns: format.columns, rows: format.rows, samplesPerPixel: 1, bitsAllocated: format.bitsAllocated });
    let decoded;
    try {
      decoded = await decodeCompressedFrame(codec, frame.bytes, { columns: format.columns, rows: format.rows, bitsAllocated: format.bitsAllocated }, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof DecoderUnavailable) return undefined; // Cornerstone decodes it instead
      throw new FilmlessError('bad-data', `The first image did not decode (${codec})`, { cause: error });
    }
    // A colour codestream under a greyscale header, or 16-bit samples in 8 allocated bits: Cornerstone's to judge.
    if (decoded.components !== 1 || decoded.bytesPerSample > bytesPerSample) return undefined;
    if (decoded.width !== format.columns || decoded.height !== format.rows || decoded.pixels.byteLength < count * decoded.bytesPerSample) {
      throw new FilmlessError('bad-data', `The first image decoded to ${decoded.width}×${decoded.height}, its header says ${format.columns}×${format.rows}`);
    }
    // Decoders answer one byte per sample up to 8 bits of precision, two above, whatever the header allocated.
    pixels =
      decoded.bytesPerSample === bytesPerSample
        ? samplesOf(decoded.pixels, 0, count, format)
        : format.signed
          ? Int16Array.from(new Int8Array(decoded.pixels, 0, count))
          : Uint16Array.from(new Uint8Array(decoded.pixels, 0, count));
  } else {
    if (frame.bytes.byteLength < count * bytesPerSample) {
      throw new FilmlessError('bad-data', `The first frame holds ${frame.bytes.byteLength} bytes, the image needs ${count * bytesPerSample}`);
    }
    pixels = samplesOf(frame.bytes.buffer as ArrayBuffer, frame.bytes.byteOffset, count, format);
  }
  pixels = extendSign(pixels, format);
  const range = storedRange(pixels);
  // Without a window in the file, the same auto-window Cornerstone's stack gets at the hand-over (the
  // histogram's 1st–99th percentile, padding left out), so the image does not change contrast then.
  const auto = format.window ? undefined : autoWindow(pixels, { slope: format.slope, intercept: format.intercept, paddingValue: format.paddingValue, paddingLimit: format.paddingLimit });
  const [windowCenter, windowWidth] = format.window ?? (auto ? [auto.center, auto.width] : fullRangeWindow(range, format.slope, format.intercept));
  return {
    columns: format.columns,
    rows: format.rows,
    pixels,
    range,
    slope: format.slope,
    intercept: format.intercept,
    windowCenter,
    windowWidth,
    invert: format.invert,
    pixelAspect: format.pixelAspect,
  };
}

/** The modality value of a pixel of the decoded first frame (as `probe()` reads Cornerstone's image); undefined outside it. */
export function frameModalityValue(frame: GreyFrame, column: number, row: number): number | undefined {
  if (!Number.isInteger(column) || !Number.isInteger(row) || column < 0 || row < 0 || column >= frame.columns || row >= frame.rows) return undefined;
  return frame.pixels[row * frame.columns + column]! * frame.slope + frame.intercept;
}
