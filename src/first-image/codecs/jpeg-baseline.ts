/** 8-bit baseline JPEG (lossy) with libjpeg-turbo, the WebAssembly build Cornerstone's loader uses for it. */
import factory from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import type { FrameDecoder } from '../codec-protocol.js';
import { decodeWith, instantiate } from './wasm-codec.js';

export async function load(): Promise<FrameDecoder> {
  const codec = await instantiate(factory, wasmUrl);
  const decoder = new codec.JPEGDecoder();
  return (bytes) => decodeWith(decoder, bytes, () => decoder.decode());
}
