/** JPEG-LS (lossless and near-lossless) with CharLS, the WebAssembly build Cornerstone's loader uses. */
import factory from '@cornerstonejs/codec-charls/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';
import type { FrameDecoder } from '../codec-protocol.js';
import { decodeWith, instantiate } from './wasm-codec.js';

export async function load(): Promise<FrameDecoder> {
  const codec = await instantiate(factory, wasmUrl);
  const decoder = new codec.JpegLSDecoder();
  return (bytes) => decodeWith(decoder, bytes, () => decoder.decode());
}
