/**
 * Decoding compressed frames and encoding JPEG, for rendered images of the folder source. The work
 * is done by the same WebAssembly builds the viewer's Cornerstone decoders use (CharLS, OpenJPEG,
 * OpenJPH, libjpeg-turbo) and the Cornerstone JPEG lossless decoder, loaded once, in Node; RLE
 * Lossless (PS3.5 Annex G) is decoded here. What none of them reads is refused with
 * {@link NotRenderableError}, never guessed.
 */
import { createRequire } from 'node:module';
import type { DicomJsonDataset } from './folder-dicom-json.js';
import { NotRenderableError } from './folder-pixels.js';
import type { RasterImage } from './folder-png.js';

const require = createRequire(import.meta.url);

/** A frame decoded to native samples: little-endian, interleaved, as Explicit VR Little Endian stores them. */
export interface DecodedFrame {
  readonly bytes: Uint8Array;
  /** Colour frames come out of the JPEG and JPEG 2000 decoders as RGB, whatever YBR model they were stored in. */
  readonly photometric?: 'RGB';
}

/** The part of an Emscripten codec build this file uses. */
interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): WasmFrameInfo;
  delete?(): void;
}
interface WasmEncoder {
  getDecodedBuffer(frameInfo: WasmFrameInfo): Uint8Array;
  setQuality(quality: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete?(): void;
}
type Factory = () => Promise<Record<string, new () => unknown>>;

const modules = new Map<string, Promise<Record<string, new () => unknown>>>();

/** Instantiates a codec build once per process. */
function codec(specifier: string): Promise<Record<string, new () => unknown>> {
  let loading = modules.get(specifier);
  if (!loading) {
    loading = (require(specifier) as Factory)();
    modules.set(specifier, loading);
  }
  return loading;
}

const JPEG_BASELINE = ['1.2.840.10008.1.2.4.50'];
/** Extended (12-bit) JPEG is decoded only when its frames are 8-bit: libjpeg-turbo's build here is 8-bit. */
const JPEG_EXTENDED = ['1.2.840.10008.1.2.4.51'];
const JPEG_LOSSLESS = ['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'];
const JPEG_LS = ['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'];
const JPEG_2000 = ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91'];
const HTJ2K = ['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203'];
const RLE = ['1.2.840.10008.1.2.5'];

/** The compressed transfer syntaxes whose frames {@link decodeFrame} can read. */
export const DECODABLE_SYNTAXES: ReadonlySet<string> = new Set([
  ...JPEG_BASELINE, ...JPEG_EXTENDED, ...JPEG_LOSSLESS, ...JPEG_LS, ...JPEG_2000, ...HTJ2K, ...RLE,
]);

/**
 * Decodes one compressed frame of an instance to native samples.
 * @throws NotRenderableError when the syntax or the frame's sample format cannot be decoded.
 */
export async function decodeFrame(json: DicomJsonDataset, transferSyntaxUID: string, frame: Uint8Array): Promise<DecodedFrame> {
  const rows = numberOf(json, '00280010') ?? 0;
  const columns = numberOf(json, '00280011') ?? 0;
  const samples = numberOf(json, '00280002') ?? 1;
  const bitsAllocated = numberOf(json, '00280100') ?? 0;
  const expected = rows * columns * samples * (bitsAllocated / 8);
  let decoded: DecodedFrame;
  if (RLE.includes(transferSyntaxUID)) {
    decoded = { bytes: decodeRle(frame, rows * columns, samples, bitsAllocated) };
  } else if (JPEG_LOSSLESS.includes(transferSyntaxUID)) {
    const { Decoder } = require('@cornerstonejs/jpeg-lossless-decoder-js') as {
      Decoder: new () => { decode(buffer: ArrayBuffer, offset: number, length: number, bytes: number): Uint8Array | Uint16Array };
    };
    const copy = Uint8Array.from(frame);
    const values = new Decoder().decode(copy.buffer, 0, copy.length, bitsAllocated <= 8 ? 1 : 2);
    decoded = { bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
  } else {
    const [specifier, className] =
      JPEG_LS.includes(transferSyntaxUID) ? ['@cornerstonejs/codec-charls/decodewasmjs', 'JpegLSDecoder']
      : JPEG_2000.includes(transferSyntaxUID) ? ['@cornerstonejs/codec-openjpeg/decodewasmjs', 'J2KDecoder']
      : HTJ2K.includes(transferSyntaxUID) ? ['@cornerstonejs/codec-openjph/wasmjs', 'HTJ2KDecoder']
      : JPEG_BASELINE.includes(transferSyntaxUID) || JPEG_EXTENDED.includes(transferSyntaxUID)
        ? ['@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', 'JPEGDecoder']
        : [undefined, undefined];
    if (!specifier || !className) throw new NotRenderableError(`frames in transfer syntax ${transferSyntaxUID} cannot be decoded here`);
    if (className === 'JPEGDecoder' && bitsAllocated !== 8) {
      throw new NotRenderableError(`${bitsAllocated}-bit JPEG (${transferSyntaxUID}) cannot be decoded here: only 8-bit JPEG`);
    }
    const Decoder = (await codec(specifier))[className] as new () => WasmDecoder;
    const decoder = new Decoder();
    try {
      decoder.getEncodedBuffer(frame.length).set(frame);
      try {
        decoder.decode();
      } catch (error) {
        throw new NotRenderableError(`the ${transferSyntaxUID} frame does not decode: ${String(error)}`);
      }
      const info = decoder.getFrameInfo();
      if (info.width !== columns || info.height !== rows || info.componentCount !== samples) {
        throw new NotRenderableError(
          `the frame decodes to ${info.width}×${info.height}×${info.componentCount}, its header says ${columns}×${rows}×${samples}`,
        );
      }
      decoded = {
        bytes: Uint8Array.from(decoder.getDecodedBuffer()),
        photometric: samples === 3 && className !== 'JpegLSDecoder' ? 'RGB' : undefined,
      };
    } finally {
      decoder.delete?.();
    }
  }
  if (decoded.bytes.length < expected) {
    throw new NotRenderableError(`the frame decodes to ${decoded.bytes.length} bytes, its header needs ${expected}`);
  }
  return decoded;
}

/**
 * RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, one PackBits segment per byte
 * plane, most significant byte first, planes of one sample after another. Returns interleaved
 * little-endian samples.
 */
function decodeRle(frame: Uint8Array, pixels: number, samples: number, bitsAllocated: number): Uint8Array {
  const bytesPerSample = bitsAllocated / 8;
  if (!Number.isInteger(bytesPerSample) || frame.length < 64) throw new NotRenderableError('the RLE frame has no header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== samples * bytesPerSample || segments > 15) {
    throw new NotRenderableError(`the RLE frame has ${segments} segments, ${samples * bytesPerSample} expected`);
  }
  const out = new Uint8Array(pixels * samples * bytesPerSample);
  for (let segment = 0; segment < segments; segment++) {
    const start = view.getUint32(4 + segment * 4, true);
    const end = segment + 1 < segments ? view.getUint32(8 + segment * 4, true) : frame.length;
    const sample = Math.floor(segment / bytesPerSample);
    // Segment 0 of a sample is its most significant byte; little-endian output puts it last.
    const byte = bytesPerSample - 1 - (segment % bytesPerSample);
    const stride = samples * bytesPerSample;
    let target = sample * bytesPerSample + byte;
    let written = 0;
    let i = start;
    while (i < end && written < pixels) {
      const header = (frame[i++] << 24) >> 24;
      if (header >= 0) {
        for (let n = 0; n <= header && i < end && written < pixels; n++, written++, target += stride) out[target] = frame[i++];
      } else if (header !== -128) {
        const value = frame[i++];
        for (let n = 0; n < 1 - header && written < pixels; n++, written++, target += stride) out[target] = value;
      }
    }
    if (written < pixels) throw new NotRenderableError(`RLE segment ${segment + 1} is short: ${written} of ${pixels} bytes`);
  }
  return out;
}

/** Encodes an 8-bit image as a baseline JPEG with libjpeg-turbo, at the given quality (1–100). */
export async function encodeJpeg(image: RasterImage, quality = 90): Promise<Buffer> {
  const Encoder = (await codec('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs')).JPEGEncoder as new () => WasmEncoder;
  const encoder = new Encoder();
  try {
    const input = encoder.getDecodedBuffer({
      width: image.width,
      height: image.height,
      bitsPerSample: 8,
      componentCount: image.channels,
      isSigned: false,
    });
    input.set(image.pixels);
    encoder.setQuality(quality);
    encoder.encode();
    return Buffer.from(encoder.getEncodedBuffer());
  } finally {
    encoder.delete?.();
  }
}

function numberOf(json: DicomJsonDataset, tag: string): number | undefined {
  const value = json[tag]?.Value?.[0];
  return typeof value === 'number' ? value : undefined;
}
