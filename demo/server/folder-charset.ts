/**
 * Decoding DICOM text according to Specific Character Set (0008,0005).
 *
 * Only the VRs that may carry non-ASCII text (SH, LO, ST, LT, UT, PN, UC) go through these
 * decoders; codes, dates, numbers and UIDs are ASCII by definition.
 */

/** Turns the raw bytes of one element value into a string. */
export type TextDecodeFn = (bytes: Uint8Array) => string;

/** Real ISO 8859-1. `TextDecoder('latin1')` would be windows-1252, which differs at 0x80-0x9F. */
const decodeLatin1: TextDecodeFn = (bytes) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** WHATWG encoding labels for the defined terms, written in their ISO_IR spelling. */
const ENCODING_OF_TERM: Readonly<Record<string, string>> = {
  'ISO_IR 192': 'utf-8',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9',
  'ISO_IR 203': 'iso-8859-15',
  'ISO_IR 166': 'windows-874',
  // JIS X 0201: ASCII-compatible bytes plus half-width katakana at 0xA1-0xDF, as in Shift_JIS.
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 149': 'euc-kr',
  'ISO_IR 58': 'gb18030',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

/** Terms whose ISO 2022 escapes switch to two-byte Japanese; TextDecoder understands those escapes. */
const JAPANESE_2022_TERMS = new Set(['ISO 2022 IR 87', 'ISO 2022 IR 159']);

/** ESC, up to three intermediate bytes, one final byte (ISO 2022 designation sequences). */
// eslint-disable-next-line no-control-regex -- matching the ESC control character is the point
const ISO_2022_ESCAPE = /\x1b[\x20-\x2f]{1,3}[\x30-\x7e]/g;

/**
 * A decoder for the values of (0008,0005), inherited by nested items unless they declare their own.
 * Unknown or absent character sets decode as Latin-1: a superset of the ASCII default that never
 * fails, which is kinder to the many files that use accented letters without declaring them.
 */
export function decoderForCharacterSet(specificCharacterSet: readonly string[]): TextDecodeFn {
  const terms = specificCharacterSet.map((term) => term.trim()).filter((term) => term !== '');
  if (terms.some((term) => JAPANESE_2022_TERMS.has(term))) return whatwgDecoder('iso-2022-jp');

  const encoding = terms
    .map((term) => ENCODING_OF_TERM[term.replace(/^ISO 2022 IR /, 'ISO_IR ')])
    .find((label) => label !== undefined);
  if (encoding === undefined) return decodeLatin1;

  const decode = whatwgDecoder(encoding);
  const usesCodeExtensions = terms.some((term) => term.startsWith('ISO 2022'));
  if (!usesCodeExtensions) return decode;
  // With code extensions the G1 set is designated by escapes (e.g. ESC $ ) C for Korean); the
  // bytes after them are plain EUC / ISO 8859, so dropping the escapes leaves decodable text.
  return (bytes) => decode(Buffer.from(decodeLatin1(bytes).replace(ISO_2022_ESCAPE, ''), 'latin1'));
}

function whatwgDecoder(label: string): TextDecodeFn {
  const decoder = new TextDecoder(label);
  return (bytes) => decoder.decode(bytes);
}
