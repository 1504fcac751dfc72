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

/**
 * Parses a Part-10 file and returns its frames. Throws when the file does not parse; a file whose
 * pixel data contradicts its header (truncated, fragments that cannot be told apart) gives no frames,
 * so each is fetched on its own and reported as damaged if it is.
 */
export function framesOfPart10(part10: Uint8Array): Part10Frames {
  const dataSet = dicomParser.parseDicom(part10);
  const sopInstanceUID = dataSet.string('x00080018') ?? '';
  const transferSyntaxUID = dataSet.string('x00020010') ?? IMPLICIT_LITTLE_ENDIAN;
  let layout: FrameRanges[];
  try {
    layout = locateFrames(dataSet);
  } catch {
    layout = [];
  }
  return { sopInstanceUID, frames: layout.map((ranges) => ({ bytes: frameBytes(dataSet.byteArray, ranges), transferSyntaxUID })) };
}
