/**
 * The limit page's DICOM Part-10 reader: walks the top-level elements (explicit VR little endian, as
 * the bench data and Orthanc's answers are) to the Pixel Data element and returns its value (the
 * native pixels, or the fragments of an encapsulated single frame joined), the SOP Instance UID and the
 * Instance Number.
 */

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

export interface PixelDataValue {
  /** SOP Instance UID (0008,0018). */
  sopInstanceUID: string;
  /** Instance Number (0020,0013); NaN when absent. */
  instanceNumber: number;
  /** Native pixels (a view into the instance), or the compressed bitstream of frame 1. */
  bytes: Uint8Array;
  encapsulated: boolean;
}

/** Skips an undefined-length value (sequence or encapsulated data) up to its delimiter; returns the offset after it. */
function skipUndefined(view: DataView, offset: number): number {
  let depth = 1;
  while (offset + 8 <= view.byteLength) {
    const group = view.getUint16(offset, true);
    const element = view.getUint16(offset + 2, true);
    const length = view.getUint32(offset + 4, true);
    offset += 8;
    if (group === 0xfffe && element === 0xe0dd) {
      if (--depth === 0) return offset;
    } else if (group === 0xfffe && element === 0xe000 && length === UNDEFINED) {
      depth += 1; // an item of undefined length: its elements follow, then FFFE,E00D
    } else if (group === 0xfffe && element === 0xe00d) {
      depth -= 1;
    } else if (group === 0xfffe) {
      offset += length;
    } else {
      // An element inside an undefined-length item (explicit VR).
      const vr = String.fromCharCode(view.getUint8(offset - 4), view.getUint8(offset - 3));
      const long = LONG_VRS.has(vr);
      const valueLength = long ? view.getUint32(offset, true) : view.getUint16(offset - 2, true);
      offset = long ? offset + 4 : offset;
      if (long && valueLength === UNDEFINED) offset = skipUndefined(view, offset);
      else offset += valueLength;
    }
  }
  throw new Error('truncated sequence');
}

export function pixelDataOf(part10: Uint8Array): PixelDataValue {
  const view = new DataView(part10.buffer, part10.byteOffset, part10.byteLength);
  if (String.fromCharCode(...part10.subarray(128, 132)) !== 'DICM') throw new Error('not a Part-10 file');
  let offset = 132;
  let sopInstanceUID = '';
  let instanceNumber = NaN;
  while (offset + 8 <= view.byteLength) {
    const group = view.getUint16(offset, true);
    const element = view.getUint16(offset + 2, true);
    const vr = String.fromCharCode(part10[offset + 4]!, part10[offset + 5]!);
    const long = LONG_VRS.has(vr);
    const length = long ? view.getUint32(offset + 8, true) : view.getUint16(offset + 6, true);
    const valueStart = offset + (long ? 12 : 8);
    if (group === 0x0008 && element === 0x0018) {
      sopInstanceUID = String.fromCharCode(...part10.subarray(valueStart, valueStart + length)).replace(/\0+$/, '');
    }
    if (group === 0x0020 && element === 0x0013) {
      instanceNumber = Number(String.fromCharCode(...part10.subarray(valueStart, valueStart + length)).trim());
    }
    if (group === 0x7fe0 && element === 0x0010) {
      if (length !== UNDEFINED) return { sopInstanceUID, instanceNumber, bytes: part10.subarray(valueStart, valueStart + length), encapsulated: false };
      // Encapsulated: the basic offset table item, then the fragments of the (single) frame up to the delimiter.
      let item = valueStart;
      item += 8 + view.getUint32(item + 4, true);
      const fragments: Uint8Array[] = [];
      while (item + 8 <= view.byteLength && view.getUint16(item + 2, true) === 0xe000) {
        const fragmentLength = view.getUint32(item + 4, true);
        fragments.push(part10.subarray(item + 8, item + 8 + fragmentLength));
        item += 8 + fragmentLength;
      }
      if (fragments.length === 1) return { sopInstanceUID, instanceNumber, bytes: fragments[0]!, encapsulated: true };
      const joined = new Uint8Array(fragments.reduce((sum, f) => sum + f.length, 0));
      let at = 0;
      for (const fragment of fragments) {
        joined.set(fragment, at);
        at += fragment.length;
      }
      return { sopInstanceUID, instanceNumber, bytes: joined, encapsulated: true };
    }
    offset = length === UNDEFINED ? skipUndefined(view, valueStart) : valueStart + length;
  }
  throw new Error('no Pixel Data');
}
