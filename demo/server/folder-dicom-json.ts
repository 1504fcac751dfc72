/**
 * A dicom-parser DataSet as DICOM JSON (PS3.18 F.2), without pixel data.
 *
 * This is what QIDO-RS and WADO-RS metadata answer with, so it is computed once at index time and
 * kept in memory; the pixel data stays on disk.
 */
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { decoderForCharacterSet, type TextDecodeFn } from './folder-charset.js';
import { standardVr } from './folder-dictionary.js';

export interface PersonNameJson {
  Alphabetic?: string;
  Ideographic?: string;
  Phonetic?: string;
}

export type DicomJsonValue = string | number | PersonNameJson | DicomJsonDataset | null;

export interface DicomJsonAttribute {
  vr: string;
  Value?: DicomJsonValue[];
  InlineBinary?: string;
}

/** Keys are 8-hex upper-case tags, e.g. `0020000D`. */
export type DicomJsonDataset = Record<string, DicomJsonAttribute>;

export interface DicomJsonOptions {
  /** The file is implicit VR: take each VR from the dictionary; skip tags it does not know. */
  implicitVr: boolean;
  /** Public binary values (OB, OW, UN, ...) up to this size are inlined as base64; larger and private ones are left out. */
  maxInlineBinaryBytes: number;
}

/** What nested items inherit from the dataset around them. */
interface Context {
  readonly options: DicomJsonOptions;
  readonly decodeText: TextDecodeFn;
  readonly pixelRepresentation: number;
  readonly bigEndian: boolean;
}

const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'PN', 'UC']);
/** Single-valued text: a backslash in these is content, not a value delimiter. */
const UNSPLIT_VRS = new Set(['ST', 'LT', 'UT', 'UR']);
/** Free text keeps leading spaces (PS3.5 6.2). */
const KEEP_LEADING_SPACE_VRS = new Set(['ST', 'LT', 'UT']);
const NUMBER_STRING_VRS = new Set(['DS', 'IS']);
const BINARY_NUMBER_SIZE: Readonly<Record<string, number>> = {
  US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, UV: 8, SV: 8,
};
/** Binary VRs and the size of the words to swap when the file is big endian. */
const BULK_WORD_SIZE: Readonly<Record<string, number>> = {
  OB: 1, UN: 1, OW: 2, OF: 4, OL: 4, OD: 8, OV: 8,
};
/** Pixel data (integer, float, double) is served as frames, never as metadata. */
const PIXEL_DATA_TAGS = new Set(['7FE00010', '7FE00008', '7FE00009']);

/**
 * Converts every non-pixel attribute of a parsed dataset to DICOM JSON, honouring Specific
 * Character Set for text. Attributes that cannot be represented (private tags of unknown VR in
 * implicit files, group lengths, file meta, truncated values) are left out rather than guessed.
 */
export function dataSetToDicomJson(dataSet: DataSet, options: DicomJsonOptions): DicomJsonDataset {
  return convertDataSet(dataSet, {
    options,
    decodeText: decoderForCharacterSet([]),
    pixelRepresentation: 0,
    bigEndian: dataSet.byteArrayParser === dicomParser.bigEndianByteArrayParser,
  });
}

function convertDataSet(dataSet: DataSet, inherited: Context): DicomJsonDataset {
  const context = contextOf(dataSet, inherited);
  const json: DicomJsonDataset = {};
  for (const element of Object.values(dataSet.elements)) {
    const tag = element.tag.slice(1).toUpperCase();
    if (!isMetadataTag(tag)) continue;
    const attribute = convertElement(dataSet, element, tag, context);
    if (attribute) json[tag] = attribute;
  }
  return json;
}

function contextOf(dataSet: DataSet, inherited: Context): Context {
  const charset = dataSet.elements.x00080005;
  const pixelRepresentation = dataSet.elements.x00280103 ? dataSet.uint16('x00280103') : undefined;
  return {
    ...inherited,
    decodeText: charset
      ? decoderForCharacterSet(asciiValues(dataSet, charset))
      : inherited.decodeText,
    pixelRepresentation: pixelRepresentation ?? inherited.pixelRepresentation,
  };
}

function isMetadataTag(tag: string): boolean {
  const group = tag.slice(0, 4);
  const isGroupLength = tag.endsWith('0000');
  const isFileMeta = group === '0002';
  const isDelimiterOrPadding = group === 'FFFE' || tag === 'FFFCFFFC';
  return !isGroupLength && !isFileMeta && !isDelimiterOrPadding && !PIXEL_DATA_TAGS.has(tag);
}

function convertElement(
  dataSet: DataSet,
  element: Element,
  tag: string,
  context: Context,
): DicomJsonAttribute | undefined {
  const vr = vrOf(element, tag, context);
  if (vr === undefined) return undefined;
  if (vr === 'SQ') return convertSequence(element, context);
  if (element.dataOffset + element.length > dataSet.byteArray.length) return undefined;
  if (element.length === 0) return { vr };

  const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  if (vr in BULK_WORD_SIZE) return convertBinary(vr, tag, bytes, context);
  if (vr in BINARY_NUMBER_SIZE) return { vr, Value: readNumbers(vr, bytes, context.bigEndian) };
  if (vr === 'AT') return { vr, Value: readAttributeTags(bytes, context.bigEndian) };
  return convertString(vr, bytes, context);
}

function vrOf(element: Element, tag: string, context: Context): string | undefined {
  // dicom-parser also reads items of UN sequences of undefined length; those are sequences.
  if (element.items !== undefined) return 'SQ';
  const dictionaryVr = standardVr(tag, context.pixelRepresentation);
  // Implicit files, and items of UN sequences (implicit encoding inside), carry no VR of their own.
  if (context.options.implicitVr || element.vr === undefined) return dictionaryVr;
  // Some writers store known public attributes as UN; the bytes are still the standard encoding.
  if (element.vr === 'UN' && dictionaryVr !== undefined && dictionaryVr !== 'SQ') return dictionaryVr;
  return element.vr;
}

function convertSequence(element: Element, context: Context): DicomJsonAttribute {
  const items = (element.items ?? []).flatMap((item) =>
    item.dataSet ? [convertDataSet(item.dataSet, context)] : [],
  );
  return items.length > 0 ? { vr: 'SQ', Value: items } : { vr: 'SQ' };
}

function convertBinary(
  vr: string,
  tag: string,
  bytes: Uint8Array,
  context: Context,
): DicomJsonAttribute | undefined {
  // Vendors park large private blobs in binary elements; no viewer reads them, every metadata
  // request would carry them.
  if (isPrivate(tag) || bytes.length > context.options.maxInlineBinaryBytes) return undefined;
  const wordSize = BULK_WORD_SIZE[vr] ?? 1;
  // DICOM JSON binary is little endian whatever the file's transfer syntax.
  const littleEndian = context.bigEndian && wordSize > 1 ? swapWords(bytes, wordSize) : bytes;
  return { vr, InlineBinary: Buffer.from(littleEndian).toString('base64') };
}

function isPrivate(tag: string): boolean {
  return parseInt(tag.slice(3, 4), 16) % 2 === 1;
}

function swapWords(bytes: Uint8Array, wordSize: number): Uint8Array {
  const swapped = new Uint8Array(bytes.length);
  const wholeWords = bytes.length - (bytes.length % wordSize);
  for (let word = 0; word < wholeWords; word += wordSize) {
    for (let i = 0; i < wordSize; i++) swapped[word + i] = bytes[word + wordSize - 1 - i];
  }
  swapped.set(bytes.subarray(wholeWords), wholeWords);
  return swapped;
}

function readNumbers(vr: string, bytes: Uint8Array, bigEndian: boolean): number[] {
  const size = BINARY_NUMBER_SIZE[vr];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const littleEndian = !bigEndian;
  const values: number[] = [];
  for (let offset = 0; offset + size <= bytes.length; offset += size) {
    switch (vr) {
      case 'US': values.push(view.getUint16(offset, littleEndian)); break;
      case 'SS': values.push(view.getInt16(offset, littleEndian)); break;
      case 'UL': values.push(view.getUint32(offset, littleEndian)); break;
      case 'SL': values.push(view.getInt32(offset, littleEndian)); break;
      case 'FL': values.push(view.getFloat32(offset, littleEndian)); break;
      case 'FD': values.push(view.getFloat64(offset, littleEndian)); break;
      case 'UV': values.push(Number(view.getBigUint64(offset, littleEndian))); break;
      case 'SV': values.push(Number(view.getBigInt64(offset, littleEndian))); break;
    }
  }
  return values;
}

function readAttributeTags(bytes: Uint8Array, bigEndian: boolean): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tags: string[] = [];
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) {
    const group = view.getUint16(offset, !bigEndian);
    const element = view.getUint16(offset + 2, !bigEndian);
    tags.push(hex4(group) + hex4(element));
  }
  return tags;
}

function hex4(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, '0');
}

function convertString(vr: string, bytes: Uint8Array, context: Context): DicomJsonAttribute {
  const text = TEXT_VRS.has(vr) ? context.decodeText(bytes) : latin1(bytes);
  const rawValues = UNSPLIT_VRS.has(vr) ? [text] : text.split('\\');
  const values = rawValues.map((value) => trimValue(vr, value));
  if (values.every((value) => value === '')) return { vr };

  if (vr === 'PN') return { vr, Value: values.map(personName) };
  if (NUMBER_STRING_VRS.has(vr)) return { vr, Value: values.map(numberOrText) };
  return { vr, Value: values.map((value) => (value === '' ? null : value)) };
}

function trimValue(vr: string, value: string): string {
  // Values are padded to even length with a space, or a NUL for UIDs and some careless writers;
  // other trailing whitespace (a final CR LF in free text) is content.
  const trailingTrimmed = value.replace(/[ \0]+$/, '');
  return KEEP_LEADING_SPACE_VRS.has(vr) ? trailingTrimmed : trailingTrimmed.replace(/^ +/, '');
}

function personName(value: string): PersonNameJson | null {
  if (value === '') return null;
  const [alphabetic, ideographic, phonetic] = value.split('=');
  const name: PersonNameJson = {};
  if (alphabetic) name.Alphabetic = alphabetic;
  if (ideographic) name.Ideographic = ideographic;
  if (phonetic) name.Phonetic = phonetic;
  return name;
}

/** DS/IS are JSON numbers; a value that is not a number is kept as written rather than lost. */
function numberOrText(value: string): number | string | null {
  if (value === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : value;
}

function asciiValues(dataSet: DataSet, element: Element): string[] {
  const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  return latin1(bytes).split('\\');
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
