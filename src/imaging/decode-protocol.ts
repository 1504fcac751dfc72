/** Messages between decode-router.ts and its compressed-frame decoders (decode.worker.ts). */

/** One frame to decode: the arguments of Cornerstone's `decodeTask`, and an id for the answer. */
export interface DecodeRequest {
  filmlessDecode: number;
  imageFrame: unknown;
  transferSyntax: string;
  /** The frame's own bytes (a copy, transferred). */
  pixelData: Uint8Array;
  decodeConfig: unknown;
  options: unknown;
}

/** The decoded frame (its pixels transferred), or why it did not decode. */
export type DecodeAnswer =
  | { filmlessDecoded: number; frame: unknown }
  | { filmlessDecoded: number; error: { message: string; name: string } };
