/**
 * The limit page's decode worker: one per core. Receives a compressed frame and its transfer syntax,
 * answers the decoded samples; both buffers are transferred. Each codec is the WebAssembly (or
 * JavaScript) build Cornerstone's loader uses, loaded the first time a frame of that codec arrives, so
 * a page fetches only the decoder its series needs:
 *
 * - JPEG-LS: CharLS; JPEG baseline 8-bit: libjpeg-turbo; JPEG 2000: OpenJPEG; HTJ2K: OpenJPH;
 * - JPEG lossless (processes 14 and 14 SV1): @cornerstonejs/jpeg-lossless-decoder-js;
 * - RLE: decoded here, in a few lines (Cornerstone's is JavaScript too).
 */

export interface DecodeRequest {
  id: number;
  transferSyntaxUID: string;
  /** Absent: only load the decoder (id 0, no answer). */
  bytes?: ArrayBuffer;
  /** Bits allocated of the samples, from the metadata (JPEG lossless and RLE need it). */
  bitsAllocated?: number;
  columns?: number;
  rows?: number;
}
export interface DecodeAnswer {
  id: number;
  pixels?: ArrayBuffer;
  /** Bytes per decoded sample (1 or 2). */
  bytesPerSample?: number;
  error?: string;
  /** Worker time spent decoding, ms. */
  ms: number;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number };
}
type Factory = (options?: { locateFile?: (file: string) => string }) => Promise<Record<string, new () => WasmDecoder>>;
type Decode = (request: Required<DecodeRequest>) => { pixels: Uint8Array; bytesPerSample: number };

/** The part of a dedicated worker's global scope used here (the DOM typings have no worker scope). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null;
  postMessage(message: DecodeAnswer, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

/** A WebAssembly decoder from its factory module, its .wasm URL and the class name. */
async function wasm(load: () => Promise<{ default: unknown }>, wasmUrl: () => Promise<{ default: string }>, className: string): Promise<Decode> {
  const [factory, url] = await Promise.all([load(), wasmUrl()]);
  const codec = await (factory.default as Factory)({ locateFile: (file) => (file.endsWith('.wasm') ? new URL(url.default, import.meta.url).href : file) });
  const decoder = new codec[className]!();
  return ({ bytes }) => {
    decoder.getEncodedBuffer(bytes.byteLength).set(new Uint8Array(bytes));
    decoder.decode();
    const info = decoder.getFrameInfo();
    return { pixels: decoder.getDecodedBuffer().slice(), bytesPerSample: info.bitsPerSample > 8 ? 2 : 1 };
  };
}

async function jpegLossless(): Promise<Decode> {
  const { Decoder } = await import('@cornerstonejs/jpeg-lossless-decoder-js');
  return ({ bytes, bitsAllocated }) => {
    const bytesPerSample = bitsAllocated <= 8 ? 1 : 2;
    const decoded = new Decoder().decode(bytes, 0, bytes.byteLength, bytesPerSample);
    return { pixels: new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength), bytesPerSample };
  };
}

/** DICOM RLE (PS3.5 annex G), greyscale: one segment per byte of the sample, most significant first. */
const rle: Decode = ({ bytes, bitsAllocated, columns, rows }) => {
  const pixels = columns * rows;
  const bytesPerSample = bitsAllocated <= 8 ? 1 : 2;
  const header = new DataView(bytes);
  const data = new Int8Array(bytes);
  const out = new Uint8Array(pixels * bytesPerSample);
  const segments = header.getUint32(0, true);
  for (let s = 0; s < segments; s++) {
    let input = header.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? header.getUint32(8 + 4 * s, true) : bytes.byteLength;
    // Little-endian output: segment 0 holds the high bytes.
    let output = bytesPerSample - 1 - s;
    const limit = out.length;
    while (input < end && output < limit) {
      const n = data[input++]!;
      if (n >= 0) {
        for (let i = 0; i <= n && output < limit; i++, output += bytesPerSample) out[output] = data[input++]!;
      } else if (n !== -128) {
        const value = data[input++]!;
        for (let i = 0; i <= -n && output < limit; i++, output += bytesPerSample) out[output] = value;
      }
    }
  }
  return { pixels: out, bytesPerSample };
};

/** Decoders by transfer syntax, each loaded on first use. */
const loaders: Record<string, () => Promise<Decode>> = {
  '1.2.840.10008.1.2.4.80': () =>
    wasm(() => import('@cornerstonejs/codec-charls/decodewasmjs'), () => import('@cornerstonejs/codec-charls/decodewasm?url'), 'JpegLSDecoder'),
  '1.2.840.10008.1.2.4.50': () =>
    wasm(
      () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
      () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url'),
      'JPEGDecoder',
    ),
  '1.2.840.10008.1.2.4.90': () =>
    wasm(() => import('@cornerstonejs/codec-openjpeg/decodewasmjs'), () => import('@cornerstonejs/codec-openjpeg/decodewasm?url'), 'J2KDecoder'),
  '1.2.840.10008.1.2.4.201': () =>
    wasm(() => import('@cornerstonejs/codec-openjph/wasmjs'), () => import('@cornerstonejs/codec-openjph/wasm?url'), 'HTJ2KDecoder'),
  '1.2.840.10008.1.2.4.57': jpegLossless,
  '1.2.840.10008.1.2.4.70': jpegLossless,
  '1.2.840.10008.1.2.5': () => Promise.resolve(rle),
};
loaders['1.2.840.10008.1.2.4.81'] = loaders['1.2.840.10008.1.2.4.80']!;
loaders['1.2.840.10008.1.2.4.91'] = loaders['1.2.840.10008.1.2.4.90']!;
loaders['1.2.840.10008.1.2.4.202'] = loaders['1.2.840.10008.1.2.4.201']!;
loaders['1.2.840.10008.1.2.4.203'] = loaders['1.2.840.10008.1.2.4.201']!;

const decoders = new Map<string, Promise<Decode>>();

scope.onmessage = async (event) => {
  const request = event.data;
  const started = performance.now();
  try {
    const load = loaders[request.transferSyntaxUID];
    if (!load) throw new Error(`no decoder for ${request.transferSyntaxUID}`);
    let decoder = decoders.get(request.transferSyntaxUID);
    if (!decoder) decoders.set(request.transferSyntaxUID, (decoder = load()));
    const decode = await decoder;
    if (!request.bytes) return;
    const { pixels, bytesPerSample } = decode(request as Required<DecodeRequest>);
    const buffer = pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength ? (pixels.buffer as ArrayBuffer) : pixels.slice().buffer;
    scope.postMessage({ id: request.id, pixels: buffer, bytesPerSample, ms: performance.now() - started }, [buffer]);
  } catch (error) {
    scope.postMessage({ id: request.id, error: String(error), ms: performance.now() - started });
  }
};
