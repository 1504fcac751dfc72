/** High-Throughput JPEG 2000 with OpenJPH, the WebAssembly build Cornerstone's loader uses; full resolution. */
import factory from '@cornerstonejs/codec-openjph/wasmjs';
import wasmUrl from '@cornerstonejs/codec-openjph/wasm?url';
import type { FrameDecoder } from '../codec-protocol.js';
import { decodeWith, instantiate } from './wasm-codec.js';

export async function load(): Promise<FrameDecoder> {
  const codec = await instantiate(factory, wasmUrl);
  return (bytes) => {
    // One decoder per frame, as Cornerstone's loader does: OpenJPH's keeps state from the last codestream.
    const decoder = new codec.HTJ2KDecoder();
    try {
      return decodeWith(decoder, bytes, () => decoder.decodeSubResolution(0));
    } finally {
      decoder.delete?.();
    }
  };
}
