/**
 * Where each frame of a Part-10 instance lies: byte ranges into the parsed file, one range for native
 * pixel data, one per fragment for encapsulated data (found through the Basic Offset Table, or from
 * the data itself when it is empty). Shared by the viewer's series stream (browser) and the demo's
 * DICOMweb folder source (Node); dicom-parser only.
 */
import dicomParser, { type DataSet, type Element, type Fragment } from 'dicom-parser';

export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** One frame: the ranges to concatenate, in order (one for native data, one per fragment otherwise). */
export type FrameRanges = readonly ByteRange[];

/** The file's pixel data contradicts its own header; such an instance cannot be served. */
export class FrameLayoutError extends Error {}

const UNDEFINED_LENGTH = 0xffffffff;
const JPEG_FAMILY = /^1\.2\.840\.10008\.1\.2\.4\.(5\d|70)$/;

/**
 * The byte ranges of every frame of (7FE0,0010), relative to `dataSet.byteArray`; an empty list
 * when there is no pixel data (e.g. a structured report).
 * @throws FrameLayoutError when the pixel data is truncated or cannot be split into frames.
 */
export function locateFrames(dataSet: DataSet): FrameRanges[] {
  const pixelData = dataSet.elements.x7fe00010;
  if (!pixelData) return [];
  const frameCount = dataSet.intString('x00280008') ?? 1;
  if (!Number.isInteger(frameCount) || frameCount < 1) {
    throw new FrameLayoutError(`NumberOfFrames is not a positive integer: ${frameCount}`);
  }
  const frames = pixelData.encapsulatedPixelData
    ? locateEncapsulatedFrames(dataSet, pixelData, frameCount)
    : locateNativeFrames(dataSet, pixelData, frameCount);
  const end = frames.flat().reduce((furthest, range) => Math.max(furthest, range.offset + range.length), 0);
  if (end > dataSet.byteArray.length) throw new FrameLayoutError('pixel data runs past the end of the file');
  return frames;
}

function locateNativeFrames(dataSet: DataSet, pixelData: Element, frameCount: number): FrameRanges[] {
  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0;
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  // YBR_FULL_422 stores two luminance and one shared pair of chroma samples per two pixels.
  const samplesStored = dataSet.string('x00280004') === 'YBR_FULL_422' ? 2 : samplesPerPixel;
  const frameBits = rows * columns * samplesStored * bitsAllocated;
  if (frameBits === 0) throw new FrameLayoutError('Rows, Columns or BitsAllocated missing');
  const frameBytes = Math.ceil(frameBits / 8);
  if (pixelData.length < Math.ceil((frameBits * frameCount) / 8)) {
    throw new FrameLayoutError(
      `pixel data holds ${pixelData.length} bytes, ${frameCount} frame(s) need ${frameBytes} each`,
    );
  }
  // Bit-packed (1-bit) frames need not start on a byte; the byte holding the first bit is the
  // closest a byte range can get, and single-frame bitmaps are exact.
  return Array.from({ length: frameCount }, (_, frame) => [
    { offset: pixelData.dataOffset + Math.floor((frame * frameBits) / 8), length: frameBytes },
  ]);
}

function locateEncapsulatedFrames(dataSet: DataSet, pixelData: Element, frameCount: number): FrameRanges[] {
  const fragments = pixelData.fragments ?? [];
  if (fragments.length === 0) throw new FrameLayoutError('encapsulated pixel data without fragments');
  // dicom-parser leaves the undefined length in place when the sequence delimiter never came.
  if (pixelData.length === UNDEFINED_LENGTH) throw new FrameLayoutError('encapsulated pixel data is cut short');
  const firstFragments = firstFragmentOfEachFrame(dataSet, pixelData, fragments, frameCount);
  return firstFragments.map((first, frame) => {
    const end = firstFragments[frame + 1] ?? fragments.length;
    return fragments.slice(first, end).map((fragment) => ({ offset: fragment.position, length: fragment.length }));
  });
}

/** Fragment indexes where frames begin, from the Basic Offset Table or, failing that, the data. */
function firstFragmentOfEachFrame(
  dataSet: DataSet,
  pixelData: Element,
  fragments: readonly Fragment[],
  frameCount: number,
): number[] {
  const offsetTable = pixelData.basicOffsetTable ?? [];
  if (offsetTable.length === frameCount) return fragmentIndexesAt(offsetTable, fragments);
  if (frameCount === 1) return [0];
  if (fragments.length === frameCount) return fragments.map((_, index) => index);

  const transferSyntaxUID = dataSet.string('x00020010') ?? '';
  if (JPEG_FAMILY.test(transferSyntaxUID)) {
    const fromEndMarkers = jpegFrameStarts(dataSet, pixelData, fragments, frameCount);
    if (fromEndMarkers) return fromEndMarkers;
  }
  const starts = fragmentsStartingACodestream(dataSet, fragments);
  if (starts.length === frameCount && starts[0] === 0) return starts;
  throw new FrameLayoutError(
    `cannot tell which of ${fragments.length} fragments make each of ${frameCount} frames`,
  );
}

/** Frames split where a fragment ends in a JPEG EOI marker; undefined when that does not add up. */
function jpegFrameStarts(
  dataSet: DataSet,
  pixelData: Element,
  fragments: readonly Fragment[],
  frameCount: number,
): number[] | undefined {
  try {
    const rebuiltTable = dicomParser.createJPEGBasicOffsetTable(dataSet, pixelData);
    return rebuiltTable.length === frameCount ? fragmentIndexesAt(rebuiltTable, fragments) : undefined;
  } catch {
    return undefined;
  }
}

function fragmentIndexesAt(offsets: readonly number[], fragments: readonly Fragment[]): number[] {
  const indexes = offsets.map((offset) => fragments.findIndex((fragment) => fragment.offset === offset));
  const ascending = indexes.every((index, i) => index >= 0 && (i === 0 ? index === 0 : index > indexes[i - 1]));
  if (!ascending) throw new FrameLayoutError('Basic Offset Table does not point at fragment starts in order');
  return indexes;
}

/** Fragments opening with a JPEG SOI (also JPEG-LS) or a JPEG 2000 SOC+SIZ marker. */
function fragmentsStartingACodestream(dataSet: DataSet, fragments: readonly Fragment[]): number[] {
  const bytes = dataSet.byteArray;
  const starts: number[] = [];
  fragments.forEach((fragment, index) => {
    const at = fragment.position;
    const jpegStart = bytes[at] === 0xff && bytes[at + 1] === 0xd8 && bytes[at + 2] === 0xff;
    const j2kStart = bytes[at] === 0xff && bytes[at + 1] === 0x4f && bytes[at + 2] === 0xff && bytes[at + 3] === 0x51;
    if (jpegStart || j2kStart) starts.push(index);
  });
  return starts;
}
