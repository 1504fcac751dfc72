/**
 * Decodes a native (uncompressed, little endian) frame on the main thread, as Cornerstone's decode
 * worker does (dicom-image-loader 5.14, decodeImageFrameWorker.js: `decodeLittleEndian`, then
 * `postProcessDecodedPixels` without a target buffer), step for step, so every pixel is the same:
 *
 * 1. a typed view of the bytes (Cornerstone's `decodeLittleEndian`);
 * 2. signed samples sign-extended from BitsStored, in place (not when native-frames.ts has found or made
 *    every word so already);
 * 3. the smallest and largest sample;
 * 4. one copy into the typed array those call for, after the rescale when it applies (pre-scaling);
 * 5. the rescale (Cornerstone's `scaleArray`), and the frame's `preScale` marked as scaled.
 *
 * Only frames whose step 2 cannot change the caller's bytes are taken (decode-router.ts sends the others
 * to a worker, which works on a copy): unsigned ones, and signed single-sample 8- or 16-bit ones, which
 * native-frames.ts has already sign-extended (widened, for 8 bits), so the shift leaves every word as it is.
 */
import decodeLittleEndian from '../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/shared/decoders/decodeLittleEndian.js';
import getPixelDataTypeFromMinMax from '../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/shared/getPixelDataTypeFromMinMax.js';
import scaleArray from '../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/shared/scaling/scaleArray.js';
import { signExtendedFrames } from './native-frames.js';

/** The fields of Cornerstone's image frame this decode reads and writes. */
export interface NativeImageFrame {
  bitsAllocated?: number;
  bitsStored?: number;
  pixelRepresentation?: number;
  samplesPerPixel?: number;
  pixelData?: unknown;
  pixelDataLength?: number;
  smallestPixelValue?: number;
  largestPixelValue?: number;
  preScale?: unknown;
  decodeTimeInMS?: number;
}

/** The options `createImage` sends with a frame (those this decode reads). */
export interface DecodeOptions {
  preScale?: { enabled?: boolean; scalingParameters?: Record<string, unknown> };
  allowFloatRendering?: boolean;
  targetBuffer?: unknown;
}

type Samples = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Float32Array;

const NATIVE_LITTLE_ENDIAN = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

/** Whether this frame is decoded here rather than in a worker (see the module's comment). */
export function canDecodeNatively(frame: NativeImageFrame, transferSyntax: string, options: DecodeOptions): boolean {
  if (!NATIVE_LITTLE_ENDIAN.has(transferSyntax) || options.targetBuffer !== undefined) return false;
  if (frame.bitsAllocated !== 8 && frame.bitsAllocated !== 16) return false;
  return frame.pixelRepresentation !== 1 || (frame.samplesPerPixel ?? 1) === 1;
}

export async function decodeNativeFrame<T extends NativeImageFrame>(frame: T, bytes: Uint8Array, options: DecodeOptions): Promise<T> {
  const start = Date.now();
  await decodeLittleEndian(frame as never, bytes as never);
  const stored = frame.pixelData as Samples;
  // Skipped where native-frames.ts has checked every word already (signed CT: a pass over the frame saved).
  const signExtended = frame.bitsAllocated === 16 && signExtendedFrames.get(bytes) === frame.bitsStored;
  if (frame.pixelRepresentation === 1 && frame.bitsStored !== undefined && !signExtended) {
    const shift = 32 - frame.bitsStored;
    for (let i = 0; i < stored.length; i++) stored[i] = (stored[i]! << shift) >> shift;
  }
  frame.pixelDataLength = stored.length;
  const { min, max } = minMax(stored);
  const preScale = options.preScale ?? {};
  const parameters = preScale.scalingParameters;
  const canRenderFloat = options.allowFloatRendering ?? true;
  const floatRescale = !!preScale.enabled && Object.values(parameters ?? {}).some((value) => typeof value === 'number' && !Number.isInteger(value));
  const scale = !!preScale.enabled && !(!canRenderFloat && floatRescale);
  if (scale && !parameters) {
    throw new Error('options.preScale.scalingParameters must be defined if preScale.enabled is true, and scalingParameters cannot be derived from the metadata providers.');
  }
  const scaled = scale ? scaledRange(min, max, parameters!) : { min, max };
  const Type = getPixelDataTypeFromMinMax(scaled.min, scaled.max) as unknown as new (length: number) => Samples;
  const pixels = new Type(stored.length);
  pixels.set(stored);
  let smallest = min;
  let largest = max;
  if (scale && rescales(parameters!)) {
    scaleArray(pixels, parameters as never);
    frame.preScale = { ...preScale, scaled: true };
    smallest = scaled.min;
    largest = scaled.max;
  }
  frame.pixelData = pixels;
  frame.smallestPixelValue = smallest;
  frame.largestPixelValue = largest;
  frame.decodeTimeInMS = Date.now() - start;
  return frame;
}

/** The smallest and largest sample (integers: the same as Cornerstone's Math.min/Math.max loop, faster). */
function minMax(samples: Samples): { min: number; max: number } {
  let min = samples[0]!;
  let max = min;
  for (let i = 1; i < samples.length; i++) {
    const value = samples[i]!;
    if (value < min) min = value;
    else if (value > max) max = value;
  }
  return { min, max };
}

/** Cornerstone's `_isRequiredScaling`. */
function rescales(parameters: Record<string, unknown>): boolean {
  const { rescaleSlope, rescaleIntercept, modality, doseGridScaling, suvbw } = parameters;
  return (typeof rescaleSlope === 'number' && typeof rescaleIntercept === 'number') || (modality === 'RTDOSE' && typeof doseGridScaling === 'number') || (modality === 'PT' && typeof suvbw === 'number');
}

/** Cornerstone's `_calculateScaledMinMax`. */
function scaledRange(min: number, max: number, parameters: Record<string, unknown>): { min: number; max: number } {
  const { rescaleSlope, rescaleIntercept, modality, doseGridScaling, suvbw } = parameters as Record<string, number>;
  if (modality === ('PT' as unknown as number) && typeof suvbw === 'number' && !isNaN(suvbw)) {
    return { min: suvbw * (min * rescaleSlope + rescaleIntercept), max: suvbw * (max * rescaleSlope + rescaleIntercept) };
  }
  if (modality === ('RTDOSE' as unknown as number) && typeof doseGridScaling === 'number' && !isNaN(doseGridScaling)) {
    return { min: min * doseGridScaling, max: max * doseGridScaling };
  }
  if (typeof rescaleSlope === 'number' && typeof rescaleIntercept === 'number') {
    return { min: rescaleSlope * min + rescaleIntercept, max: rescaleSlope * max + rescaleIntercept };
  }
  return { min, max };
}
