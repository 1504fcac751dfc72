/**
 * One of the compressed-frame decoders behind decode-router.ts: Cornerstone's own decoder
 * (`decodeImageFrame` of its decode worker module, the same WebAssembly builds and post-processing), with
 * the frame handed in and the decoded pixels handed back as transferred buffers, not clones.
 *
 * Cornerstone's module also exposes itself through comlink on this worker's scope when it is evaluated
 * here; its listener ignores these messages (they carry no comlink `type`), so it never answers them.
 */
import { decodeImageFrame } from '../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/decodeImageFrameWorker.js';
import type { DecodeAnswer, DecodeRequest } from './decode-protocol.js';

interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent<DecodeRequest>) => void): void;
  postMessage(message: DecodeAnswer, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

scope.addEventListener('message', (event) => {
  const request = event.data;
  if (!request || typeof request.filmlessDecode !== 'number') return;
  const { filmlessDecode: id, imageFrame, transferSyntax, pixelData, decodeConfig, options } = request;
  decodeImageFrame(imageFrame as never, transferSyntax, pixelData, decodeConfig as never, options as never, undefined).then(
    (frame: { pixelData?: unknown }) => {
      const pixels = frame.pixelData;
      const transfer = ArrayBuffer.isView(pixels) && pixels.buffer instanceof ArrayBuffer ? [pixels.buffer] : [];
      scope.postMessage({ filmlessDecoded: id, frame }, transfer);
    },
    (error: unknown) => {
      const { message, name } = error instanceof Error ? error : { message: String(error), name: 'Error' };
      scope.postMessage({ filmlessDecoded: id, error: { message, name } });
    },
  );
});
