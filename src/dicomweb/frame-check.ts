/**
 * Checks a compressed frame's codestream before any decoder sees it. Decoders differ in what they
 * forgive, and a forgiven frame is drawn wrong: Cornerstone's RLE decoder fills what it cannot read with
 * zeros (a black image), OpenJPEG decodes a JPEG 2000 stream that was cut short into a blurred partial
 * image, and its failures reach the renderer as an image zero pixels wide. A damaged frame must be
 * reported (`bad-data`, the image's tile), never shown. The checks read only the codestream's frame:
 *
 * - JPEG (every process) and JPEG-LS: it starts with SOI and ends with EOI (trailing padding allowed);
 * - JPEG 2000 and HTJ2K: it starts with SOC and a SIZ segment of the right length whose image size is the
 *   header's, and ends with EOC;
 * - RLE (PS3.5 Annex G): a header with 1 to 15 segments, as many as the samples need, at increasing
 *   offsets inside the frame, each decoding to at least one byte per pixel.
 */
import { FilmlessError } from '../errors.js';

/** What the header says a frame holds. */
export interface FrameShape {
  columns: number;
  rows: number;
  samplesPerPixel: number;
  bitsAllocated: number;
}

const JPEG = new Set([
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.53',
  '1.2.840.10008.1.2.4.55',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.81',
]);
const JPEG_2000 = new Set([
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.92',
  '1.2.840.10008.1.2.4.93',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.4.202',
  '1.2.840.10008.1.2.4.203',
]);
const RLE = '1.2.840.10008.1.2.5';

function damaged(reason: string): FilmlessError {
  return new FilmlessError('bad-data', `The frame's codestream is damaged: ${reason}`);
}

/** Whether an end marker (FF D9: JPEG's EOI, JPEG 2000's EOC) closes the stream, after at most a few padding bytes. */
function endsWithEndMarker(bytes: Uint8Array): boolean {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  for (let at = end - 2; at >= Math.max(0, end - 8); at--) if (bytes[at] === 0xff && bytes[at + 1] === 0xd9) return true;
  return false;
}

function checkJpeg(bytes: Uint8Array): void {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw damaged('no JPEG start marker');
  if (!endsWithEndMarker(bytes)) throw damaged('no JPEG end marker (cut short)');
}

function checkJpeg2000(bytes: Uint8Array, shape: FrameShape): void {
  // A JP2 file (boxes) instead of a bare codestream: its decoder finds the codestream itself.
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0x0c && bytes[4] === 0x6a && bytes[5] === 0x50) return;
  if (bytes[0] !== 0xff || bytes[1] !== 0x4f || bytes[2] !== 0xff || bytes[3] !== 0x51) throw damaged('no JPEG 2000 start (SOC, SIZ)');
  if (bytes.length < 42) throw damaged('shorter than a JPEG 2000 header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint16(4);
  const components = view.getUint16(40);
  if (length !== 38 + 3 * components || bytes.length < 4 + length) throw damaged(`SIZ segment length ${length} for ${components} components`);
  const width = view.getUint32(8) - view.getUint32(16);
  const height = view.getUint32(12) - view.getUint32(20);
  if (shape.columns > 0 && shape.rows > 0 && (width !== shape.columns || height !== shape.rows)) throw damaged(`image size ${width}×${height}, the header says ${shape.columns}×${shape.rows}`);
  if (!endsWithEndMarker(bytes)) throw damaged('no JPEG 2000 end marker (cut short)');
}

/** Bytes one RLE segment decodes to (PS3.5 G.3.1), up to a run that would read past its end (encoders pad segments). */
function rleSegmentLength(bytes: Uint8Array, start: number, end: number): number {
  let out = 0;
  let at = start;
  while (at < end) {
    const n = bytes[at]!;
    at += 1;
    if (n < 128) {
      if (at + n + 1 > end) return out;
      out += n + 1;
      at += n + 1;
    } else if (n > 128) {
      if (at >= end) return out;
      out += 257 - n;
      at += 1;
    }
  }
  return out;
}

function checkRle(bytes: Uint8Array, shape: FrameShape): void {
  if (bytes.length < 64) throw damaged('shorter than an RLE header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const expected = shape.samplesPerPixel * Math.ceil(shape.bitsAllocated / 8);
  if (count < 1 || count > 15 || (shape.bitsAllocated % 8 === 0 && count !== expected)) throw damaged(`${count} RLE segments, the image needs ${expected}`);
  const offsets = Array.from({ length: count }, (_, i) => view.getUint32(4 + 4 * i, true));
  if (offsets[0] !== 64) throw damaged(`first RLE segment at ${offsets[0]}, not after the header`);
  for (let i = 0; i < count; i++) {
    const start = offsets[i]!;
    const end = i + 1 < count ? offsets[i + 1]! : bytes.length;
    if (end <= start || end > bytes.length) throw damaged(`RLE segment ${i + 1} at ${start}–${end} of ${bytes.length} bytes`);
    if (shape.bitsAllocated % 8 !== 0) continue;
    const decoded = rleSegmentLength(bytes, start, end);
    if (decoded < shape.columns * shape.rows) throw damaged(`RLE segment ${i + 1} holds ${decoded} of ${shape.columns * shape.rows} pixels (cut short)`);
  }
}

/** Throws `bad-data` with the reason when a compressed frame is plainly damaged; other syntaxes pass. */
export function checkFrame(bytes: Uint8Array, transferSyntaxUID: string, shape: FrameShape): void {
  if (JPEG.has(transferSyntaxUID)) checkJpeg(bytes);
  else if (JPEG_2000.has(transferSyntaxUID)) checkJpeg2000(bytes, shape);
  else if (transferSyntaxUID === RLE) checkRle(bytes, shape);
}
