/**
 * What the first image's WebAssembly codecs have in common: the Emscripten builds Cornerstone's DICOM
 * image loader uses (CharLS, libjpeg-turbo, OpenJPEG, OpenJPH) all take the codestream into a buffer of
 * their own, decode it, and describe and expose the decoded samples the same way.
 */
import type { DecodedFrame } from '../codec-protocol.js';

export interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
}

export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getFrameInfo(): WasmFrameInfo;
  getDecodedBuffer(): Uint8Array;
}

/** An Emscripten module factory, as each codec package's `…wasmjs` entry exports it. */
export type WasmFactory<T> = (options: { locateFile: (file: string) => string }) => Promise<T>;

/** Starts a codec module, its WebAssembly fetched from the URL Vite gave it (beside the worker, same origin or CDN). */
export function instantiate<T>(factory: WasmFactory<T>, wasmUrl: string): Promise<T> {
  return factory({ locateFile: (file) => (file.endsWith('.wasm') ? new URL(wasmUrl, import.meta.url).href : file) });
}

/**
 * Decodes one codestream: `run` decodes what was put in the encoded buffer. The samples are copied out
 * of the module's memory (which the next frame reuses) into a buffer of their own, to be transferred.
 */
export function decodeWith(decoder: WasmDecoder, bytes: Uint8Array, run: () => void): DecodedFrame {
  decoder.getEncodedBuffer(bytes.byteLength).set(bytes);
  run();
  const info = decoder.getFrameInfo();
  const bytesPerSample = info.bitsPerSample > 8 ? 2 : 1;
  const decoded = decoder.getDecodedBuffer();
  const length = info.width * info.height * info.componentCount * bytesPerSample;
  if (decoded.byteLength < length) throw new Error(`decoded ${decoded.byteLength} bytes, the frame needs ${length}`);
  const pixels = decoded.slice(0, length).buffer;
  return { pixels, width: info.width, height: info.height, bytesPerSample, components: info.componentCount };
}
