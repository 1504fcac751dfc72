/**
 * Lossless JPEG (process 14, first-order prediction SV1 or any other selection value) with the JavaScript
 * decoder Cornerstone's loader uses for it (no WebAssembly).
 */
import { Decoder } from '@cornerstonejs/jpeg-lossless-decoder-js';
import type { FrameDecoder } from '../codec-protocol.js';

export function load(): Promise<FrameDecoder> {
  return Promise.resolve((bytes, layout) => {
    const decoder = new Decoder();
    // As Cornerstone asks it: one byte per sample up to 8 bits allocated, two above, whatever the precision.
    const bytesPerSample = layout.bitsAllocated <= 8 ? 1 : 2;
    const buffer = bytes.buffer as ArrayBuffer;
    const decoded = decoder.decode(buffer, bytes.byteOffset, bytes.byteLength, bytesPerSample);
    const frame = decoder.frame;
    const length = frame.dimX * frame.dimY * frame.numComp * bytesPerSample;
    if (decoded.byteLength < length) throw new Error(`decoded ${decoded.byteLength} bytes, the frame needs ${length}`);
    const pixels = new Uint8Array(decoded.buffer, decoded.byteOffset, length).slice().buffer;
    return { pixels, width: frame.dimX, height: frame.dimY, bytesPerSample, components: frame.numComp };
  });
}
