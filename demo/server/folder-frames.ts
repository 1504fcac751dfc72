/**
 * Where each frame's pixel data lies in a file, and reading it back on demand.
 *
 * Indexing records byte ranges only, so a folder of any size costs little memory; a frame request
 * reads just its ranges from disk and returns the bytes exactly as stored (no transcoding).
 */
import { open, readFile } from 'node:fs/promises';
import dicomParser from 'dicom-parser';
import type { ByteRange, FrameRanges } from '../../src/dicomweb/frame-layout.js';

export { FrameLayoutError, locateFrames, type ByteRange, type FrameRanges } from '../../src/dicomweb/frame-layout.js';

const DEFLATED_EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';

/** Where a file's frames are, as recorded by {@link locateFrames}. */
export interface StoredFrames {
  readonly filePath: string;
  /** Deflated files: ranges refer to the inflated dataset, which must be rebuilt to read them. */
  readonly deflated: boolean;
  readonly frames: readonly FrameRanges[];
}

/** True when frames of this transfer syntax can only be read from the inflated dataset. */
export function isDeflated(transferSyntaxUID: string): boolean {
  return transferSyntaxUID === DEFLATED_EXPLICIT_LITTLE_ENDIAN;
}

/**
 * Reads the stored bytes of the given frames (0-based indexes) with one open file.
 * @throws RangeError for an index outside the instance's frames.
 */
export async function readFrames(stored: StoredFrames, frameIndexes: readonly number[]): Promise<Buffer[]> {
  const wanted = frameIndexes.map((index) => {
    const frame = stored.frames[index];
    if (!frame) throw new RangeError(`frame ${index + 1} does not exist`);
    return frame;
  });
  if (stored.deflated) {
    const inflated = dicomParser.parseDicom(await readFile(stored.filePath)).byteArray;
    return wanted.map((ranges) => concat(ranges.map((r) => inflated.subarray(r.offset, r.offset + r.length))));
  }
  const file = await open(stored.filePath, 'r');
  try {
    const frames: Buffer[] = [];
    for (const ranges of wanted) {
      const parts: Buffer[] = [];
      for (const range of ranges) parts.push(await readExactly(file, range));
      frames.push(concat(parts));
    }
    return frames;
  } finally {
    await file.close();
  }
}

async function readExactly(file: Awaited<ReturnType<typeof open>>, range: ByteRange): Promise<Buffer> {
  const buffer = Buffer.alloc(range.length);
  let filled = 0;
  while (filled < range.length) {
    const { bytesRead } = await file.read(buffer, filled, range.length - filled, range.offset + filled);
    if (bytesRead === 0) throw new Error('file is shorter than when it was indexed');
    filled += bytesRead;
  }
  return buffer;
}

function concat(parts: readonly Uint8Array[]): Buffer {
  if (parts.length !== 1) return Buffer.concat(parts);
  const [only] = parts;
  return Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength);
}
