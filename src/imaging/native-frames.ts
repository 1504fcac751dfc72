/**
 * Uncompressed frames as Cornerstone must get them to show the stored values, and what it must read
 * about them. Its decoder takes native pixels as they are, so:
 *
 * - **High bits.** Bits above BitsStored are not part of the value (PS3.5 8.1.1; devices leave overlays
 *   or flags there): unsigned samples are masked to BitsStored, signed ones sign-extended from it.
 * - **Signed 8-bit** samples are read unsigned by Cornerstone (−90 shows as 166): they are widened to
 *   signed 16-bit words, and the image is described as such.
 * - **YBR_FULL_422** (two pixels share one chroma pair, Y1 Y2 Cb Cr) is passed through unconverted by
 *   Cornerstone: it is converted to RGB (ybr-full-422.ts), and described as RGB.
 *
 * Frames that need none of this are handed over untouched (no copy).
 */
import { type DicomJsonAttribute, type DicomJsonDataset, Tag, numberValue, stringValue } from '../dicomweb/dicom-json.js';
import { ybrFull422ToRgb } from './ybr-full-422.js';

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
const BIG_ENDIAN = '1.2.840.10008.1.2.2';

export interface PreparedFrame {
  samples: Uint8Array;
  transferSyntaxUID: string;
  /** Attributes Cornerstone must read instead of the file's, for this frame's new layout. */
  overrides?: Record<string, DicomJsonAttribute>;
}

export function prepareNativeFrame(instance: DicomJsonDataset, samples: Uint8Array, transferSyntaxUID: string): PreparedFrame {
  const unchanged: PreparedFrame = { samples, transferSyntaxUID };
  const bitsAllocated = numberValue(instance, '00280100') ?? 16;
  const bitsStored = numberValue(instance, '00280101') ?? bitsAllocated;
  const signed = numberValue(instance, '00280103') === 1;
  const rows = numberValue(instance, Tag.Rows) ?? 0;
  const columns = numberValue(instance, Tag.Columns) ?? 0;
  const photometric = stringValue(instance, '00280004').trim();
  if (photometric === 'YBR_FULL_422' && bitsAllocated === 8) {
    const rgb = ybrFull422ToRgb(samples, rows, columns);
    return rgb ? { samples: rgb, transferSyntaxUID, overrides: { '00280004': { vr: 'CS', Value: ['RGB'] }, '00280006': { vr: 'US', Value: [0] } } } : unchanged;
  }
  if ((numberValue(instance, '00280002') ?? 1) !== 1) return unchanged;
  const count = rows * columns;
  if (bitsAllocated === 8 && signed) {
    const width = Math.min(8, bitsStored);
    const words = new Uint8Array(count * 2);
    const out = new DataView(words.buffer);
    for (let i = 0; i < count && i < samples.length; i++) out.setInt16(i * 2, (samples[i]! << (32 - width)) >> (32 - width), true);
    return {
      samples: words,
      transferSyntaxUID: EXPLICIT_LITTLE,
      overrides: { '00280100': { vr: 'US', Value: [16] }, '00280101': { vr: 'US', Value: [16] }, '00280102': { vr: 'US', Value: [15] } },
    };
  }
  if (bitsAllocated !== 16 || bitsStored >= 16 || bitsStored < 1) return unchanged;
  const littleEndian = transferSyntaxUID !== BIG_ENDIAN;
  const view = new DataView(samples.buffer, samples.byteOffset, Math.min(samples.byteLength, count * 2));
  const words = view.byteLength >> 1;
  const mask = (1 << bitsStored) - 1;
  const shift = 32 - bitsStored;
  // Only a frame whose values need it is copied.
  const fast = littleEndian && MACHINE_LITTLE_ENDIAN && samples.byteOffset % 2 === 0;
  const first = fast ? firstWrongWord(new Uint16Array(samples.buffer, samples.byteOffset, words), signed, mask, shift) : firstWrongInView(view, littleEndian, signed, mask, shift);
  if (first === NONE_WRONG) return verified(unchanged, signed && words === samples.byteLength >> 1, bitsStored);
  const copy = samples.slice(0, words * 2);
  const out = new DataView(copy.buffer);
  for (let i = first; i < words; i++) {
    const word = out.getUint16(i * 2, littleEndian);
    out.setUint16(i * 2, signed ? ((word << shift) >> shift) & 0xffff : word & mask, littleEndian);
  }
  return verified({ samples: copy, transferSyntaxUID }, signed, bitsStored);
}

/**
 * Signed 16-bit frames whose every word (trailing bytes included) was found, or made, sign-extended from BitsStored, with that
 * BitsStored: the decode that follows (decode-native.ts) need not sign-extend them once more, a pass that
 * would leave every word as it is.
 */
export const signExtendedFrames = new WeakMap<Uint8Array, number>();

function verified(frame: PreparedFrame, signed: boolean, bitsStored: number): PreparedFrame {
  if (signed) signExtendedFrames.set(frame.samples, bitsStored);
  return frame;
}

/** Whether this machine stores a 16-bit word low byte first (every browser's does, but typed arrays follow it). */
const MACHINE_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** {@link firstWrongWord} found none. */
const NONE_WRONG = -2;

/**
 * The first word whose bits above BitsStored are not what the value's own bits say, or NONE_WRONG: every
 * native frame is checked once, so this runs over whole frames as they stream in and is kept to one
 * comparison per word (a loop per signedness, on 16-bit words in the machine's order, little endian).
 */
function firstWrongWord(words: Uint16Array, signed: boolean, mask: number, shift: number): number {
  if (signed) {
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      if ((((word << shift) >> shift) & 0xffff) !== word) return i;
    }
    return NONE_WRONG;
  }
  // Unsigned: two words at a time where the bytes allow it (the high bits of both at once), the rest one by one.
  const pairs = words.byteOffset % 4 === 0 ? new Uint32Array(words.buffer, words.byteOffset, words.length >> 1) : undefined;
  const high = ~(mask | (mask << 16));
  let from = 0;
  if (pairs) {
    let i = 0;
    while (i < pairs.length && (pairs[i]! & high) === 0) i++;
    from = i * 2;
  }
  for (let i = from; i < words.length; i++) if ((words[i]! & mask) !== words[i]) return i;
  return NONE_WRONG;
}

/** The same, word by word through a view: big-endian frames, or bytes not 2-aligned. */
function firstWrongInView(view: DataView, littleEndian: boolean, signed: boolean, mask: number, shift: number): number {
  for (let i = 0; i < view.byteLength >> 1; i++) {
    const word = view.getUint16(i * 2, littleEndian);
    if ((signed ? ((word << shift) >> shift) & 0xffff : word & mask) !== word) return i;
  }
  return NONE_WRONG;
}
