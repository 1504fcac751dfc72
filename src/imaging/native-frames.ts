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
  const wrong = (word: number) => (signed ? ((word << shift) >> shift) & 0xffff : word & mask) !== word;
  let first = -1;
  for (let i = 0; i < words; i++) {
    if (wrong(view.getUint16(i * 2, littleEndian))) {
      first = i;
      break;
    }
  }
  if (first < 0) return unchanged;
  const copy = samples.slice(0, words * 2);
  const out = new DataView(copy.buffer);
  for (let i = first; i < words; i++) {
    const word = out.getUint16(i * 2, littleEndian);
    out.setUint16(i * 2, signed ? ((word << shift) >> shift) & 0xffff : word & mask, littleEndian);
  }
  return { samples: copy, transferSyntaxUID };
}
