/** JPEG 2000 (reversible and irreversible) with OpenJPEG, the WebAssembly build Cornerstone's loader uses. */
import factory from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import type { FrameDecoder } from '../codec-protocol.js';
import { decodeWith, instantiate } from './wasm-codec.js';

export async function load(): Promise<FrameDecoder> {
  const codec = await instantiate(factory, wasmUrl);
  const decoder = new codec.J2KDecoder();
  return (bytes) => decodeWith(decoder, bytes, () => decoder.decode());
}
