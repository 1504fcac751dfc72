/**
 * The limit page's decode worker: CharLS (the same WebAssembly build Cornerstone uses) and nothing
 * else. Receives a JPEG-LS bitstream, answers the decoded 16-bit pixels; both buffers are transferred.
 */
import charlsFactory from '@cornerstonejs/codec-charls/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';

export interface DecodeRequest {
  id: number;
  bytes: ArrayBuffer;
}
export interface DecodeAnswer {
  id: number;
  pixels?: ArrayBuffer;
  error?: string;
  /** Worker time spent decoding, ms. */
  ms: number;
}

/** The part of a dedicated worker's global scope used here (the DOM typings have no worker scope). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null;
  postMessage(message: DecodeAnswer, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;
const decoder = charlsFactory({ locateFile: (file) => (file.endsWith('.wasm') ? new URL(wasmUrl, import.meta.url).href : file) }).then(
  (codec) => new codec.JpegLSDecoder(),
);

scope.onmessage = async (event) => {
  const { id, bytes } = event.data;
  const jls = await decoder;
  const started = performance.now();
  try {
    jls.getEncodedBuffer(bytes.byteLength).set(new Uint8Array(bytes));
    jls.decode();
    const pixels = jls.getDecodedBuffer().slice().buffer;
    const answer: DecodeAnswer = { id, pixels, ms: performance.now() - started };
    scope.postMessage(answer, [pixels]);
  } catch (error) {
    scope.postMessage({ id, error: String(error), ms: performance.now() - started } satisfies DecodeAnswer);
  }
};
