/**
 * Reads the numbers out of a native (uncompressed or already decoded) frame: stored values for
 * greyscale, 8-bit samples for RGB. A colour model other than RGB, or a compressed frame nobody
 * decoded, is refused with {@link NotRenderableError}, never guessed.
 */
import type { DicomJsonDataset } from './folder-dicom-json.js';

/** The frame exists but this server cannot turn it into pixels; answered with 406. */
export class NotRenderableError extends Error {}

export type Photometric = 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';

/** The Image Pixel module of an instance, checked to be one this module can read. */
export interface PixelLayout {
  readonly rows: number;
  readonly columns: number;
  readonly photometric: Photometric;
  readonly bitsAllocated: 8 | 16;
  readonly bitsStored: number;
  readonly highBit: number;
  readonly signed: boolean;
  /** RGB stored as three planes (RRR…GGG…BBB) rather than interleaved (RGBRGB…). */
  readonly planar: boolean;
  readonly bigEndian: boolean;
}

/** Transfer syntaxes whose frames are the raw samples (deflated ones are inflated when read). */
const NATIVE_SYNTAXES: ReadonlyMap<string, { bigEndian: boolean }> = new Map([
  ['1.2.840.10008.1.2', { bigEndian: false }],
  ['1.2.840.10008.1.2.1', { bigEndian: false }],
  ['1.2.840.10008.1.2.1.99', { bigEndian: false }],
  ['1.2.840.10008.1.2.2', { bigEndian: true }],
]);

/**
 * The layout of an instance's frames, as stored or (with `decoded`) as a codec returned them:
 * little-endian, interleaved, and RGB where the decoder converted a YBR colour model.
 * @throws NotRenderableError for compressed transfer syntaxes (unless decoded) and unsupported pixel formats.
 */
export function pixelLayoutOf(json: DicomJsonDataset, transferSyntaxUID: string, decoded?: { photometric?: 'RGB' }): PixelLayout {
  const syntax = decoded ? { bigEndian: false } : NATIVE_SYNTAXES.get(transferSyntaxUID);
  if (!syntax) {
    throw new NotRenderableError(
      `frames in transfer syntax ${transferSyntaxUID} are compressed; this server has no codec to render them`,
    );
  }
  const rows = numberOf(json, '00280010');
  const columns = numberOf(json, '00280011');
  const samplesPerPixel = numberOf(json, '00280002') ?? 1;
  const bitsAllocated = numberOf(json, '00280100');
  const bitsStored = numberOf(json, '00280101') ?? bitsAllocated;
  const highBit = numberOf(json, '00280102') ?? (bitsStored === undefined ? undefined : bitsStored - 1);
  const photometric = decoded?.photometric ?? json['00280004']?.Value?.[0];
  if (!rows || !columns || bitsAllocated === undefined || bitsStored === undefined || highBit === undefined) {
    throw new NotRenderableError('Rows, Columns or BitsAllocated is missing');
  }
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw new NotRenderableError(`BitsAllocated ${bitsAllocated} is not rendered (only 8 and 16)`);
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit >= bitsAllocated || highBit < bitsStored - 1) {
    throw new NotRenderableError(`BitsStored ${bitsStored} / HighBit ${highBit} do not fit BitsAllocated ${bitsAllocated}`);
  }
  const grey = photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2';
  const rgb = photometric === 'RGB' && samplesPerPixel === 3 && bitsAllocated === 8;
  if (!(grey && samplesPerPixel === 1) && !rgb) {
    throw new NotRenderableError(
      `${String(photometric)} with ${samplesPerPixel} sample(s) of ${bitsAllocated} bits is not rendered ` +
        '(only MONOCHROME1/2 and 8-bit RGB)',
    );
  }
  return {
    rows,
    columns,
    photometric,
    bitsAllocated,
    bitsStored,
    highBit,
    signed: numberOf(json, '00280103') === 1,
    planar: rgb && !decoded && numberOf(json, '00280006') === 1,
    // Explicit VR Big Endian swaps 16-bit words; 8-bit samples are taken to be OB (byte order as
    // written), which is how that retired syntax is written in practice.
    bigEndian: syntax.bigEndian,
  };
}

/**
 * The stored values of a greyscale frame, row by row: bits outside BitsStored masked off, sign
 * extended when PixelRepresentation is 1. No rescale is applied.
 */
export function readGreyscale(frame: Uint8Array, layout: PixelLayout): Int32Array {
  const count = layout.rows * layout.columns;
  const bytesPerSample = layout.bitsAllocated / 8;
  assertLength(frame, count * bytesPerSample);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const shift = layout.highBit + 1 - layout.bitsStored;
  const mask = 2 ** layout.bitsStored - 1;
  const signBit = 2 ** (layout.bitsStored - 1);
  const range = 2 ** layout.bitsStored;
  const values = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const raw = bytesPerSample === 1 ? view.getUint8(i) : view.getUint16(i * 2, !layout.bigEndian);
    const value = (raw >>> shift) & mask;
    values[i] = layout.signed && value >= signBit ? value - range : value;
  }
  return values;
}

/** An 8-bit RGB frame as interleaved R G B samples, whichever planar configuration it is stored in. */
export function readRgb(frame: Uint8Array, layout: PixelLayout): Uint8Array {
  const count = layout.rows * layout.columns;
  assertLength(frame, count * 3);
  if (!layout.planar) return frame.subarray(0, count * 3);
  const interleaved = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    interleaved[i * 3] = frame[i];
    interleaved[i * 3 + 1] = frame[count + i];
    interleaved[i * 3 + 2] = frame[2 * count + i];
  }
  return interleaved;
}

function assertLength(frame: Uint8Array, needed: number): void {
  if (frame.length < needed) {
    throw new NotRenderableError(`the frame holds ${frame.length} bytes, its header needs ${needed}`);
  }
}

function numberOf(json: DicomJsonDataset, tag: string): number | undefined {
  const value = json[tag]?.Value?.[0];
  return typeof value === 'number' ? value : undefined;
}
