/**
 * The first image's decoder worker: one small script that loads, on first use, the decoder of the codec
 * it is asked for (each a chunk of its own, with its WebAssembly), so a page only ever fetches the codecs
 * its studies use. The decoders are the builds Cornerstone's DICOM image loader uses, so the first image
 * and Cornerstone's copy of it hold the same values. Receives one bitstream, answers the decoded samples;
 * buffers are transferred both ways.
 */
import type { CodecAnswer, CodecName, CodecRequest, CodecWarmUp, FrameDecoder } from './codec-protocol.js';

const codecs: Record<CodecName, () => Promise<{ load: () => Promise<FrameDecoder> }>> = {
  jpegls: () => import('./codecs/jpegls.js'),
  'jpeg-baseline': () => import('./codecs/jpeg-baseline.js'),
  'jpeg-lossless': () => import('./codecs/jpeg-lossless.js'),
  jpeg2000: () => import('./codecs/jpeg2000.js'),
  htj2k: () => import('./codecs/htj2k.js'),
  rle: () => import('./codecs/rle.js'),
};

/** The part of a dedicated worker's global scope used here (the DOM typings have no worker scope). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<CodecRequest | CodecWarmUp>) => void) | null;
  postMessage(message: CodecAnswer, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;
const decoders = new Map<CodecName, Promise<FrameDecoder>>();

/** The codec's decoder, loaded once; a load that failed (network) is tried again next time. */
function decoderOf(codec: CodecName): Promise<FrameDecoder> {
  let decoder = decoders.get(codec);
  if (!decoder) {
    decoder = codecs[codec]().then((module) => module.load());
    decoders.set(codec, decoder);
    decoder.catch(() => decoders.delete(codec));
  }
  return decoder;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

scope.onmessage = async (event) => {
  if ('warm' in event.data) {
    // Loaded while its frame is on its way; a failure is met again (and answered) when the frame comes.
    decoderOf(event.data.warm).catch(() => undefined);
    return;
  }
  const { id, codec, bytes, layout } = event.data;
  let decode: FrameDecoder;
  try {
    decode = await decoderOf(codec);
  } catch (error) {
    scope.postMessage({ id, error: message(error), unavailable: true });
    return;
  }
  try {
    const decoded = await decode(new Uint8Array(bytes), layout);
    scope.postMessage({ id, ...decoded }, [decoded.pixels]);
  } catch (error) {
    // Emscripten codecs throw numbers (pointers to a C++ exception) as often as errors.
    scope.postMessage({ id, error: `${codec}: ${message(error)}` });
  }
};
