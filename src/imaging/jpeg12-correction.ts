/**
 * Corrects what Cornerstone's JavaScript JPEG decoder gets wrong for 12-bit DCT JPEG (transfer syntaxes
 * 1.2.840.10008.1.2.4.51, and the retired .53 and .55 it decodes the same way).
 *
 * JPEG stores a sample minus 2^(P−1) (the level shift, ITU-T T.81 A.3.1); a decoder adds it back after
 * the inverse DCT, whose output it holds at 16 times the sample scale: sample = (q + 16·2^(P−1) + 8) >> 4.
 * Cornerstone's decoder (codecs/jpeg.js, quantizeAndInverse) adds 2056 / bitConversion, the 8-bit
 * constant scaled by 4095 / 255, i.e. 33016.94 instead of 32776 for P = 12. Its `>> 4` truncates the
 * sum to an integer first, so every sample it gives is exactly 240 / 16 = 15 stored units too high, and
 * its clamps are shifted by the same amount:
 * - below: it answers 0…15 where the right answer is 0 (and 0 for anything lower): max(0, v − 15) is exact;
 * - above: it saturates at 4095 from q = 32503 on, where the right sample is 4079…4095; 4094 and below
 *   are exact after − 15, 4095 becomes 4080 (at most 15 stored units low, only in the top 16 of the
 *   4096 levels: metal on a CT).
 * 8-bit JPEG (P = 8) goes through the same code with the right constant, so only P = 12 is corrected;
 * P is read from the frame's own SOF marker, not from the header's BitsStored.
 *
 * Progressive scans with successive approximation (coefficients refined bit by bit: full progression,
 * .55) are wrong beyond that at 12 bits: against DCMTK on the npm-shipped CT, 38 % of the samples are
 * off by more than a unit after the correction, by up to 141. Such frames are refused instead.
 * Spectral selection alone (.53) decodes like sequential JPEG and is corrected the same way.
 */
import { FilmlessError } from '../errors.js';

/** Transfer syntaxes Cornerstone decodes with its JavaScript DCT JPEG decoder (decodeJPEGBaseline12Bit). */
export const JS_DCT_JPEG = new Set(['1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.53', '1.2.840.10008.1.2.4.55']);

/** How many stored units too high Cornerstone's decoder gives every 12-bit sample. */
export const TWELVE_BIT_EXCESS = 15;

/** What a JPEG codestream says of itself: sample precision P and whether a scan uses successive approximation. */
export interface JpegCoding {
  precision: number;
  /** A progressive scan refines coefficients bit by bit (SOS Ah or Al not 0, T.81 G.1.1.1.2). */
  successiveApproximation: boolean;
}

/**
 * Reads the frame header (SOFn) and every scan header (SOS) of a JPEG codestream, skipping the
 * entropy-coded data between them; undefined when it is not a JPEG codestream with a frame header.
 */
export function jpegCoding(bytes: Uint8Array): JpegCoding | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let precision: number | undefined;
  let successiveApproximation = false;
  let at = 2;
  while (at + 1 < bytes.length) {
    if (bytes[at] !== 0xff) {
      at += 1; // entropy-coded data
      continue;
    }
    const marker = bytes[at + 1]!;
    // Stuffed zero, restart markers and fill bytes carry no length.
    if (marker === 0x00 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0xff) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    if (marker === 0xd9 || at + 4 >= bytes.length) break;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) precision = bytes[at + 4];
    if (marker === 0xda) {
      const approximation = bytes[at + 5 + 2 * bytes[at + 4]! + 2];
      if (approximation) successiveApproximation = true;
    }
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return precision === undefined ? undefined : { precision, successiveApproximation };
}

/** Cornerstone's modality scaling of a stored value, as it applied it (see postProcessDecodedPixels). */
interface ScalingParameters {
  rescaleSlope?: number | string;
  rescaleIntercept?: number | string;
  modality?: string;
  suvbw?: number;
  doseGridScaling?: number;
}

/** The decoded image, as far as the correction needs it (Cornerstone's IImage). */
export interface DecodedImage {
  getPixelData(): ArrayLike<number> & { [index: number]: number; length: number };
  preScale?: { scaled?: boolean; scalingParameters?: ScalingParameters };
  minPixelValue: number;
  maxPixelValue: number;
  imageFrame?: { smallestPixelValue?: number; largestPixelValue?: number };
}

/** Pixel = a · stored + b, as Cornerstone scaled it (a = 1, b = 0 when it did not). */
function linearScaling(image: DecodedImage): [number, number] {
  if (!image.preScale?.scaled) return [1, 0];
  const parameters = image.preScale.scalingParameters ?? {};
  // Multi-frame metadata may hand them over as the DS strings they are in the file.
  const slope = Number(parameters.rescaleSlope ?? 1);
  const intercept = Number(parameters.rescaleIntercept ?? 0);
  const { modality, suvbw, doseGridScaling } = parameters;
  if (modality === 'PT' && typeof suvbw === 'number' && !Number.isNaN(suvbw)) return [suvbw * slope, suvbw * intercept];
  if (modality === 'RTDOSE' && typeof doseGridScaling === 'number' && !Number.isNaN(doseGridScaling)) return [doseGridScaling, 0];
  return [slope, intercept];
}

const INTEGER_RANGES: Record<string, [number, number]> = {
  Uint8Array: [0, 255],
  Int8Array: [-128, 127],
  Uint16Array: [0, 65535],
  Int16Array: [-32768, 32767],
  Uint32Array: [0, 4294967295],
  Int32Array: [-2147483648, 2147483647],
};

/** Pixel arrays the corrected values are written to when Cornerstone's own cannot hold them. */
export type CorrectedPixels = Int16Array | Int32Array | Float32Array;

/**
 * Takes the 15 stored units off every sample of a 12-bit JPEG frame decoded by Cornerstone's JavaScript
 * decoder, in place, in whatever form Cornerstone left it: stored values (sign-extended from BitsStored
 * when PixelRepresentation is 1) or modality values when it pre-scaled them.
 * Cornerstone picks its array from the values it found: corrected values may no longer fit (a CT whose
 * lowest value was 2 after its intercept is −13 once corrected, below its Uint16Array). They are then
 * returned in a new array (Int16, Int32 or Float32) for the caller to put in the image instead.
 * @throws FilmlessError `unsupported` where the stored sample cannot be recovered exactly (signed data
 * stored in fewer than 12 bits, a rescale that cannot be undone).
 */
export function correctTwelveBitJpeg(image: DecodedImage, signed: boolean, bitsStored: number): CorrectedPixels | undefined {
  if (signed && bitsStored !== 12) {
    throw new FilmlessError('unsupported', `12-bit JPEG with signed ${bitsStored}-bit samples cannot be decoded exactly`);
  }
  const pixels = image.getPixelData();
  const [a, b] = linearScaling(image);
  const integerRange = INTEGER_RANGES[(pixels as unknown as object).constructor.name];
  let min = Infinity;
  let max = -Infinity;
  let whole = true;
  const corrected = new Float64Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const stored = Math.round((pixels[i]! - b) / a);
    const sample = signed ? stored & 0xfff : stored; // the 12-bit JPEG sample
    const fixed = Math.max(0, sample - TWELVE_BIT_EXCESS);
    const value = a * (signed ? (fixed << 20) >> 20 : fixed) + b;
    corrected[i] = value;
    if (!Number.isInteger(value)) whole = false;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0) throw new FilmlessError('unsupported', `12-bit JPEG with a rescale the correction cannot undo (${a}, ${b})`);
  let replacement: CorrectedPixels | undefined;
  if (integerRange && (min < integerRange[0] || max > integerRange[1] || !whole)) {
    if (!whole) replacement = Float32Array.from(corrected);
    else if (min >= -32768 && max <= 32767) replacement = Int16Array.from(corrected);
    else replacement = Int32Array.from(corrected);
  } else {
    for (let i = 0; i < pixels.length; i++) pixels[i] = corrected[i]!;
  }
  image.minPixelValue = min;
  image.maxPixelValue = max;
  if (image.imageFrame) {
    image.imageFrame.smallestPixelValue = min;
    image.imageFrame.largestPixelValue = max;
  }
  return replacement;
}
