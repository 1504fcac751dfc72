/**
 * Splits one Part-10 instance into the bytes of its frames, with dicom-parser alone: the series stream
 * must not need the Cornerstone image loader, which is loaded only after the first image is on screen.
 */
import * as dicomParser from 'dicom-parser';
import type { FrameBytes } from './client.js';

export interface Part10Frames {
  sopInstanceUID: string;
  /** Frames in order; an entry is undefined when that frame's bytes could not be found. */
  frames: (FrameBytes | undefined)[];
}

const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';

/** Bytes one native (uncompressed) frame occupies. */
function nativeFrameLength(dataSet: dicomParser.DataSet): number {
  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  const samples = dataSet.uint16('x00280002') ?? 1;
  const bitsAllocated = dataSet.uint16('x00280100') ?? 16;
  const pixels = rows * columns * samples;
  return bitsAllocated === 1 ? Math.ceil(pixels / 8) : pixels * (bitsAllocated / 8);
}

/** One frame of encapsulated pixel data, following the basic offset table or the fragment layout. */
function encapsulatedFrame(dataSet: dicomParser.DataSet, element: dicomParser.Element, index: number, frameCount: number): Uint8Array {
  const fragments = element.fragments ?? [];
  if (frameCount === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length);
  if ((element.basicOffsetTable?.length ?? 0) > 0) return dicomParser.readEncapsulatedImageFrame(dataSet, element, index);
  if (fragments.length === frameCount) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, index, 1);
  // No offset table and several fragments per frame: JPEG frames can still be told apart by their markers.
  const table = dicomParser.createJPEGBasicOffsetTable(dataSet, element);
  return dicomParser.readEncapsulatedImageFrame(dataSet, element, index, table);
}

/**
 * Parses a Part-10 file and returns its frames as views into the file's buffer (no copy). Throws when
 * the file does not parse; a frame that cannot be located is left undefined, so the caller can fetch it
 * on its own and report it if that fails too.
 */
export function framesOfPart10(part10: Uint8Array): Part10Frames {
  const dataSet = dicomParser.parseDicom(part10);
  const sopInstanceUID = dataSet.string('x00080018') ?? '';
  const transferSyntaxUID = dataSet.string('x00020010') ?? IMPLICIT_LITTLE_ENDIAN;
  const frameCount = Math.max(1, dataSet.intString('x00280008') ?? 1);
  const element = dataSet.elements.x7fe00010;
  const frames: (FrameBytes | undefined)[] = [];
  for (let index = 0; index < frameCount; index++) {
    try {
      if (!element) throw new Error('no pixel data');
      let bytes: Uint8Array;
      if (element.encapsulatedPixelData) {
        bytes = encapsulatedFrame(dataSet, element, index, frameCount);
      } else {
        const length = nativeFrameLength(dataSet);
        const start = element.dataOffset + index * length;
        // A truncated frame is handed on short: the decoder's length check reports it as bad data.
        const end = Math.min(start + length, element.dataOffset + element.length, part10.length);
        bytes = new Uint8Array(part10.buffer, part10.byteOffset + start, Math.max(0, end - start));
      }
      frames.push({ bytes, transferSyntaxUID });
    } catch {
      frames.push(undefined);
    }
  }
  return { sopInstanceUID, frames };
}
