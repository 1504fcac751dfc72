/**
 * RLE Lossless (PS3.5 Annex G) with the decoder of Cornerstone's DICOM image loader (plain JavaScript; the
 * package does not export it on its own, so it is imported by path, as runtime.ts imports its worker).
 */
import decodeRLE from '../../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/shared/decoders/decodeRLE.js';
import type { FrameDecoder } from '../codec-protocol.js';

type RleFrame = Parameters<typeof decodeRLE>[0];

export function load(): Promise<FrameDecoder> {
  return Promise.resolve(async (bytes, layout) => {
    const frame = { rows: layout.rows, columns: layout.columns, bitsAllocated: layout.bitsAllocated, samplesPerPixel: 1, planarConfiguration: 0, pixelRepresentation: 0 };
    const decoded = (await decodeRLE(frame as unknown as RleFrame, bytes)).pixelData as Uint8Array | Uint16Array | undefined;
    if (!decoded) throw new Error('RLE decoder gave no pixels');
    const bytesPerSample = layout.bitsAllocated > 8 ? 2 : 1;
    const length = layout.columns * layout.rows * bytesPerSample;
    if (decoded.byteLength < length) throw new Error(`decoded ${decoded.byteLength} bytes, the frame needs ${length}`);
    // The decoder's output is a buffer of its own, exactly the frame's size: transferred as it is.
    const whole = decoded.byteOffset === 0 && decoded.buffer.byteLength === length;
    const pixels = whole ? (decoded.buffer as ArrayBuffer) : new Uint8Array(decoded.buffer, decoded.byteOffset, length).slice().buffer;
    return { pixels, width: layout.columns, height: layout.rows, bytesPerSample, components: 1 };
  });
}
