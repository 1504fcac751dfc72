/**
 * The first image's JPEG-LS decoder: CharLS (the WebAssembly build Cornerstone's loader uses, so both
 * paths decode alike) in a worker of its own, so a JPEG-LS series shows its first image without
 * waiting for Cornerstone. Receives one bitstream, answers the decoded samples; buffers are transferred.
 */
import charlsFactory from '@cornerstonejs/codec-charls/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';
import type { JpegLsRequest, JpegLsAnswer } from './jpegls-protocol.js';

/** The part of a dedicated worker's global scope used here (the DOM typings have no worker scope). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<JpegLsRequest>) => void) | null;
  postMessage(message: JpegLsAnswer, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;
const decoder = charlsFactory({ locateFile: (file) => (file.endsWith('.wasm') ? new URL(wasmUrl, import.meta.url).href : file) }).then(
  (codec) => new codec.JpegLSDecoder(),
);

scope.onmessage = async (event) => {
  const { id, bytes } = event.data;
  try {
    const jls = await decoder;
    jls.getEncodedBuffer(bytes.byteLength).set(new Uint8Array(bytes));
    jls.decode();
    const info = jls.getFrameInfo();
    const pixels = jls.getDecodedBuffer().slice().buffer;
    scope.postMessage({ id, pixels, width: info.width, height: info.height, bitsPerSample: info.bitsPerSample }, [pixels]);
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
