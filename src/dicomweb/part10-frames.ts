/**
 * Splits one Part-10 instance into the bytes of its frames, with dicom-parser alone: the series stream
 * must not need the Cornerstone image loader, which is loaded only after the first image is on screen.
 */
import dicomParser from 'dicom-parser';
import type { FrameBytes } from './frame-bytes.js';
import { type FrameRanges, locateFrames } from './frame-layout.js';

export interface Part10Frames {
  sopInstanceUID: string;
  /** Frames in order; empty when their layout cannot be told (the per-frame fallback fetches them). */
  frames: FrameBytes[];
}

const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';

/** A frame's bytes: a view into the file for one range (no copy), else its fragments joined. */
function frameBytes(file: Uint8Array, ranges: FrameRanges): Uint8Array {
  if (ranges.length === 1) return file.subarray(ranges[0]!.offset, ranges[0]!.offset + ranges[0]!.length);
  const joined = new Uint8Array(ranges.reduce((sum, range) => sum + range.length, 0));
  let at = 0;
  for (const range of ranges) {
    joined.set(file.subarray(range.offset, range.offset + range.length), at);
    at += range.length;
  }
  return joined;
}

const DEFLATED = '1.2.840.10008.1.2.1.99';

/**
 * Parses a Part-10 file and returns its frames. Throws when the file does not parse; a file whose
 * pixel data contradicts its header (truncated, fragments that cannot be told apart) gives no frames,
 * so each is fetched on its own and reported as damaged if it is. A deflated file (1.2.840.10008.1.2.1.99)
 * needs its data set inflated first (`inflated`, see readPart10Frames); its frames are then views into
 * the inflated bytes, still labelled with the file's transfer syntax (Cornerstone reads them as explicit
 * little endian).
 */
export function framesOfPart10(part10: Uint8Array, inflated?: Uint8Array): Part10Frames {
  const meta = dicomParser.readPart10Header(part10);
  // Read from the meta header itself: a deflated data set's elements point into the inflated bytes.
  const transferSyntaxUID = meta.string('x00020010')?.trim() || IMPLICIT_LITTLE_ENDIAN;
  const dataSet = dicomParser.parseDicom(part10, inflated ? ({ inflater: () => inflated } as dicomParser.ParseDicomOptions) : undefined);
  const sopInstanceUID = dataSet.string('x00080018') ?? '';
  let layout: FrameRanges[];
  try {
    layout = locateFrames(dataSet);
  } catch {
    layout = [];
  }
  return { sopInstanceUID, frames: layout.map((ranges) => ({ bytes: frameBytes(dataSet.byteArray, ranges), transferSyntaxUID })) };
}

/**
 * framesOfPart10 for any file, a deflated one too: its data set (everything after the meta header) is
 * inflated first (raw deflate, PS3.5 A.5). With pako, loaded only when a deflated file comes: the
 * platform's DecompressionStream refuses bytes after the end of the deflate stream, and writers leave
 * some there (Orthanc's copies of a deflated file carry thousands of zero bytes after it); zlib, and
 * pako, ignore them.
 */
export async function readPart10Frames(part10: Uint8Array): Promise<Part10Frames> {
  const meta = dicomParser.readPart10Header(part10) as ReturnType<typeof dicomParser.readPart10Header> & { position: number };
  if (meta.string('x00020010')?.trim() !== DEFLATED) return framesOfPart10(part10);
  const { inflateRaw } = await import('pako');
  return framesOfPart10(part10, inflateRaw(part10.subarray(meta.position)));
}
