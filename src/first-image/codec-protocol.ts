/** Messages between the element and its first-image codec worker (codec.worker.ts). */

/** The compressed formats the lean first image decodes, each with its own decoder loaded on first use. */
export type CodecName = 'jpegls' | 'jpeg-baseline' | 'jpeg-lossless' | 'jpeg2000' | 'htj2k' | 'rle';

/** What the header says of the frame, for decoders that need it (RLE has no header of its own). */
export interface FrameLayout {
  columns: number;
  rows: number;
  bitsAllocated: number;
}

export interface CodecRequest {
  id: number;
  codec: CodecName;
  bytes: ArrayBuffer;
  layout: FrameLayout;
}

/** Load a codec's decoder now, before its frame has come (no answer): its frame is on a slow link. */
export interface CodecWarmUp {
  warm: CodecName;
}

/** One decoded greyscale frame: samples little-endian, `bytesPerSample` each. */
export interface DecodedFrame {
  pixels: ArrayBuffer;
  width: number;
  height: number;
  bytesPerSample: 1 | 2;
  /** Samples per pixel the codestream holds (the lean path draws 1). */
  components: number;
}

/**
 * The decoded frame, or why not: `unavailable` when the decoder itself could not be loaded (a network
 * failure, a CSP refusing WebAssembly), as opposed to a frame that does not decode.
 */
export type CodecAnswer = ({ id: number } & DecodedFrame) | { id: number; error: string; unavailable?: boolean };

/** A codec module: loads its decoder (WebAssembly and all) and answers the function that decodes one frame. */
export type FrameDecoder = (bytes: Uint8Array, layout: FrameLayout) => DecodedFrame | Promise<DecodedFrame>;
