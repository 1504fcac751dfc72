/**
 * One study per transfer syntax, for the codec display tests (test/integration/codecs.test.ts), made from
 * data a fresh clone has:
 *
 * - **npm-shipped real images**: cornerstone-wado-image-loader's `testImages/` (a GE chest CT slice written
 *   by dcmtk in many transfer syntaxes, the NEMA WG04 JPEG 2000 CTs and a fragmented JPEG without offset
 *   table). Their file names do not always tell their transfer syntax (the one named `…4.57.dcm` is an
 *   8-bit baseline JPEG, `…4.81.dcm` is lossless JPEG-LS), so the syntax is read from each file; files
 *   with the same syntax and the same pixel bytes are loaded once. The CT copies share one
 *   SOPInstanceUID, which Orthanc keeps only once: each file is uploaded, copied under its own accession
 *   number (new UIDs, Orthanc's modify), and its original deleted before the next.
 * - **The generated head CT transcoded by Orthanc** to each syntax its DCMTK can write. Orthanc falls back
 *   to the source's syntax without an error when it has no encoder, so each syntax is first tried on one
 *   instance, and the stored copies are checked.
 *
 * For each study, the values the screen must show are read here, in Node, independently of the viewer:
 * from the uncompressed file with the same pixels (dicom-parser) where there is one; else from DCMTK's
 * decode of the file (Orthanc's `/frames/0/numpy`); JPEG 2000, which Debian's Orthanc cannot decode, with
 * OpenJPEG (ISO 15444's reference decoder, the library Cornerstone also uses) called directly.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as dicomParserModule from 'dicom-parser';
import { type OrthancServer, copyStudyWithAccession } from './orthanc.js';
import { REPO, type StudyFacts } from './test-data.js';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;
type DataSet = ReturnType<typeof dicomParser.parseDicom>;
const require = createRequire(import.meta.url);

export const NPM_TEST_IMAGES = 'node_modules/cornerstone-wado-image-loader/testImages';

export const TS = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegSpectral: '1.2.840.10008.1.2.4.53',
  jpegProgressive: '1.2.840.10008.1.2.4.55',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSV1: '1.2.840.10008.1.2.4.70',
  jpegLs: '1.2.840.10008.1.2.4.80',
  jpegLsNear: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
} as const;

/** Lossy by their transfer syntax (PS3.5 Annex A; 4.90 is reversible only). */
const LOSSY = new Set<string>([TS.jpegBaseline, TS.jpegExtended, TS.jpegSpectral, TS.jpegProgressive, TS.jpegLsNear, TS.j2k]);

/** What the generated CT is transcoded to (tried on one instance first). */
const TRANSCODE_TO = [TS.jpegLs, TS.jpegLsNear, TS.j2kLossless, TS.j2k, TS.rle, TS.jpegBaseline, TS.jpegExtended, TS.jpegLossless, TS.jpegLosslessSV1];

export interface CodecPoint {
  column: number;
  row: number;
  /** Why the point was chosen. */
  kind: 'bone' | 'air' | 'tissue' | 'centre' | 'grid';
  /** The modality value there, as the reference decoder reads the shown image. */
  expected: number;
  /** For lossy images: the value in the lossless original the lossy copy was made from. */
  original?: number;
}

export interface CodecStudy {
  accession: string;
  transferSyntaxUID: string;
  lossy: boolean;
  source: 'npm' | 'transcoded';
  /** Repo-relative: the npm file loaded, or the generated file whose copy the viewer opens on. */
  file: string;
  /** Other npm files with the same syntax and pixel bytes, not loaded again. */
  aliases: string[];
  columns: number;
  rows: number;
  bitsAllocated: number;
  /** The image the viewer opens on (the series' middle) and the series' length. */
  imageIndex: number;
  imageCount: number;
  /** The file's first window, when it has one. */
  window?: [number, number];
  /** Who read `expected`. */
  reference: string;
  /** |probe − expected| allowed, in modality units: 0 for lossless, the decoders' rounding for lossy ones. */
  tolerance: number;
  /**
   * The documented outcome when the viewer must refuse the image instead (README, unsupported data),
   * read from the file here: 12-bit progressive JPEG, which Cornerstone's decoder gets wrong.
   */
  refusal?: { code: 'unsupported'; why: string };
  /** For lossy images: |probe − original| allowed at the points (all chosen in flat regions). */
  originalTolerance?: number;
  points: CodecPoint[];
}

export interface CodecTranscodeRefusal {
  transferSyntaxUID: string;
  reason: string;
}

export interface CodecStudies {
  studies: CodecStudy[];
  /** Syntaxes Orthanc could not transcode the generated CT to, and why. */
  refused: CodecTranscodeRefusal[];
}

let loaded: CodecStudies | undefined;

/** What {@link loadCodecStudies} made (for the `pacs-info` command). */
export function codecStudies(): CodecStudies | undefined {
  return loaded;
}

/** A decoded frame: modality values, row by row. */
interface Values {
  columns: number;
  rows: number;
  values: Float64Array;
}

/**
 * An enhanced (multi-frame) image's attribute from its functional groups: the frame's own group
 * (5200,9230), else the shared one (5200,9229), inside the functional group sequence `macro`.
 */
export function functionalGroup(dataSet: DataSet, macro: string, frame: number): DataSet | undefined {
  const within = (group: DataSet | undefined) => group?.elements[macro]?.items?.[0]?.dataSet;
  return within(dataSet.elements.x52009230?.items?.[frame]?.dataSet) ?? within(dataSet.elements.x52009229?.items?.[0]?.dataSet);
}

function header(dataSet: DataSet, frame = 0) {
  // Rescale and window at the top level, else (enhanced images) in the frame's functional groups.
  const rescale = dataSet.string('x00281053') !== undefined ? dataSet : (functionalGroup(dataSet, 'x00289145', frame) ?? dataSet);
  const voi = dataSet.string('x00281050') !== undefined ? dataSet : (functionalGroup(dataSet, 'x00289132', frame) ?? dataSet);
  return {
    transferSyntaxUID: dataSet.string('x00020010')?.trim() ?? '',
    sopInstanceUID: dataSet.string('x00080018') ?? '',
    seriesInstanceUID: dataSet.string('x0020000e') ?? '',
    columns: dataSet.uint16('x00280011') ?? 0,
    rows: dataSet.uint16('x00280010') ?? 0,
    bitsAllocated: dataSet.uint16('x00280100') ?? 0,
    signed: dataSet.uint16('x00280103') === 1,
    slope: Number(rescale.string('x00281053') ?? 1),
    intercept: Number(rescale.string('x00281052') ?? 0),
    window: ((c, w) => (c !== undefined && w !== undefined && !Number.isNaN(c + w) ? ([c, w] as [number, number]) : undefined))(
      voi.string('x00281050') !== undefined ? Number(voi.string('x00281050')!.split('\\')[0]) : undefined,
      voi.string('x00281051') !== undefined ? Number(voi.string('x00281051')!.split('\\')[0]) : undefined,
    ),
  };
}

/** Modality values of a native little-endian file (dicom-parser). */
function nativeValues(bytes: Uint8Array, dataSet: DataSet): Values {
  const h = header(dataSet);
  const pixel = dataSet.elements.x7fe00010;
  if (!pixel || ![TS.implicitLittle, TS.explicitLittle].includes(h.transferSyntaxUID as never)) throw new Error('not a native little-endian file');
  const view = new DataView(bytes.buffer, bytes.byteOffset + pixel.dataOffset);
  const values = new Float64Array(h.columns * h.rows);
  for (let i = 0; i < values.length; i++) {
    const stored = h.bitsAllocated === 8 ? (h.signed ? view.getInt8(i) : view.getUint8(i)) : h.signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true);
    values[i] = stored * h.slope + h.intercept;
  }
  return { columns: h.columns, rows: h.rows, values };
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
}

/** Modality values of a single-frame JPEG 2000 file, decoded by OpenJPEG called directly. */
async function jpeg2000Values(dataSet: DataSet): Promise<Values> {
  const h = header(dataSet);
  const pixel = dataSet.elements.x7fe00010!;
  const frame = dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixel, 0, pixel.fragments!.length);
  // Quiet: OpenJPEG's build prints its progress otherwise.
  const factory = require('@cornerstonejs/codec-openjpeg/decodewasmjs') as (module: object) => Promise<{ J2KDecoder: new () => WasmDecoder }>;
  const { J2KDecoder } = await factory({ print: () => undefined, printErr: () => undefined });
  const decoder = new J2KDecoder();
  decoder.getEncodedBuffer(frame.length).set(frame);
  decoder.decode();
  const info = decoder.getFrameInfo();
  if (info.width !== h.columns || info.height !== h.rows || info.componentCount !== 1 || info.bitsPerSample > 16) throw new Error('unexpected JPEG 2000 frame');
  const decoded = decoder.getDecodedBuffer().slice();
  const samples = info.bitsPerSample > 8 ? (h.signed ? new Int16Array(decoded.buffer) : new Uint16Array(decoded.buffer)) : h.signed ? new Int8Array(decoded.buffer) : decoded;
  const values = new Float64Array(h.columns * h.rows);
  for (let i = 0; i < values.length; i++) values[i] = samples[i]! * h.slope + h.intercept;
  return { columns: h.columns, rows: h.rows, values };
}

/** Modality values as DCMTK inside Orthanc decodes a stored instance (`/frames/0/numpy`: rescaled float32). */
async function orthancValues(
  orthanc: OrthancServer,
  instanceId: string,
  { columns, rows, slope, intercept }: { columns: number; rows: number; slope: number; intercept: number },
  frame = 0,
): Promise<Values> {
  // DCMTK's stored values, rescaled here with the file's rescale (read in Node, functional groups too):
  // Orthanc's own rescale (`?rescale=1`) truncates to whole units.
  const response = await fetch(`${orthanc.url}/instances/${instanceId}/frames/${frame}/numpy?rescale=0`);
  if (!response.ok) throw new Error(`Orthanc cannot decode ${instanceId}: ${response.status} ${await response.text()}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const headerLength = bytes.readUInt16LE(8);
  const npyHeader = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const type = /'descr': '([<|][uif][124])'/.exec(npyHeader)?.[1];
  if (!type || (!npyHeader.includes(`(${rows}, ${columns}, 1)`) && !npyHeader.includes(`(${rows},${columns},1)`))) {
    throw new Error(`unexpected numpy header ${npyHeader}`);
  }
  const data = bytes.subarray(10 + headerLength);
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
  const count = columns * rows;
  const stored =
    type === '<u2' ? new Uint16Array(buffer, 0, count) : type === '<i2' ? new Int16Array(buffer, 0, count) : type === '|u1' || type === '<u1' ? new Uint8Array(buffer, 0, count) : type === '|i1' || type === '<i1' ? new Int8Array(buffer, 0, count) : undefined;
  if (!stored) throw new Error(`unexpected numpy type ${type}`);
  return { columns, rows, values: Float64Array.from(stored, (v) => v * slope + intercept) };
}

/**
 * The sample precision of the file's first JPEG frame and whether a scan refines coefficients by
 * successive approximation (SOS Ah/Al), read here from its marker segments (T.81 B.1.1.4).
 */
export function jpegProcess(dataSet: DataSet): { precision: number; successiveApproximation: boolean } | undefined {
  const pixelData = dataSet.elements.x7fe00010;
  if (!pixelData?.fragments?.length) return undefined;
  const bytes = dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData, 0, pixelData.fragments.length);
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let precision: number | undefined;
  let successiveApproximation = false;
  for (let at = 2; at + 4 < bytes.length; ) {
    const marker = bytes[at + 1]!;
    if (bytes[at] !== 0xff || marker === 0 || marker === 0xff || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 1;
      continue;
    }
    if (marker === 0xd9) break;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) precision = bytes[at + 4]!;
    if (marker === 0xda && bytes[at + 5 + 2 * bytes[at + 4]! + 2] !== 0) successiveApproximation = true;
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return precision === undefined ? undefined : { precision, successiveApproximation };
}

/** README, unsupported data: 12-bit JPEG with successive approximation is refused (Cornerstone's decoder gets its values wrong). */
function refusalOf(dataSet: DataSet): CodecStudy['refusal'] {
  const process = jpegProcess(dataSet);
  if (process?.precision === 12 && process.successiveApproximation) return { code: 'unsupported', why: '12-bit JPEG with successive approximation' };
  return undefined;
}

/**
 * Probe points chosen from the reference values: dense bone, air, soft tissue (each the middle of a
 * flat 5×5 patch, so lossy decoders and display interpolation agree there), and the image centre.
 */
function choosePoints({ columns, rows, values }: Values): { column: number; row: number; kind: CodecPoint['kind'] }[] {
  const at = (c: number, r: number) => values[r * columns + c]!;
  const patch = (c: number, r: number) => {
    let min = Infinity;
    let max = -Infinity;
    for (let dr = -2; dr <= 2; dr++) {
      for (let dc = -2; dc <= 2; dc++) {
        const v = at(c + dc, r + dr);
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    return { min, max };
  };
  let bone = { column: 0, row: 0, score: -Infinity };
  let air = { column: 0, row: 0, score: Infinity };
  let tissue = { column: 0, row: 0, score: Infinity };
  const margin = Math.round(Math.min(columns, rows) / 16);
  for (let r = margin; r < rows - margin; r += 2) {
    for (let c = margin; c < columns - margin; c += 2) {
      const { min, max } = patch(c, r);
      if (min > bone.score) bone = { column: c, row: r, score: min };
      // Air as a patient's surroundings or lungs show it (not the padding outside a scanner's circle).
      const centreDistance = Math.hypot(c - columns / 2, r - rows / 2) / columns;
      if (min > -1100 && max < -900 && max - min + centreDistance * 50 < air.score) air = { column: c, row: r, score: max - min + centreDistance * 50 };
      if (min > -20 && max < 100 && max - min + centreDistance * 100 < tissue.score) tissue = { column: c, row: r, score: max - min + centreDistance * 100 };
    }
  }
  const points: { column: number; row: number; kind: CodecPoint['kind'] }[] = [{ column: bone.column, row: bone.row, kind: 'bone' }];
  if (air.score !== Infinity) points.push({ column: air.column, row: air.row, kind: 'air' });
  if (tissue.score !== Infinity) points.push({ column: tissue.column, row: tissue.row, kind: 'tissue' });
  points.push({ column: columns >> 1, row: rows >> 1, kind: 'centre' });
  if (points.length < 4) points.push({ column: columns >> 2, row: rows >> 1, kind: 'grid' }, { column: columns >> 1, row: (rows * 3) >> 2, kind: 'grid' });
  return points;
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The Orthanc study holding a StudyInstanceUID. */
async function orthancStudy(orthanc: OrthancServer, studyUID: string): Promise<string> {
  const [found] = await json<{ ID: string }[]>(`${orthanc.url}/tools/lookup`, { method: 'POST', body: studyUID });
  if (!found) throw new Error(`no study ${studyUID}`);
  return found.ID;
}

interface OrthancInstance {
  ID: string;
  ParentSeries: string;
  MainDicomTags: { InstanceNumber?: string };
}

async function storedSyntax(orthanc: OrthancServer, instanceId: string): Promise<string> {
  return (await (await fetch(`${orthanc.url}/instances/${instanceId}/metadata/TransferSyntax`)).text()).trim();
}

async function loadNpmImages(orthanc: OrthancServer, studies: Record<string, string[]>): Promise<CodecStudy[]> {
  const folder = path.join(REPO, NPM_TEST_IMAGES);
  const files: { file: string; bytes: Uint8Array; dataSet: DataSet; key: string }[] = [];
  for (const name of (await readdir(folder)).filter((n) => n.startsWith('CT')).sort()) {
    const bytes = new Uint8Array(await readFile(path.join(folder, name)));
    let dataSet: DataSet;
    try {
      // A deflated data set needs an inflater to be read: its meta header (syntax, SOP instance) is all we need of it.
      dataSet = dicomParser.readPart10Header(bytes);
      if (dataSet.string('x00020010')?.trim() !== TS.deflated) dataSet = dicomParser.parseDicom(bytes);
    } catch {
      continue;
    }
    const pixel = dataSet.elements.x7fe00010;
    const pixelHash = pixel ? createHash('sha256').update(bytes.subarray(pixel.dataOffset, pixel.dataOffset + pixel.length)).digest('hex') : createHash('sha256').update(bytes).digest('hex');
    files.push({ file: path.join(NPM_TEST_IMAGES, name), bytes, dataSet, key: `${dataSet.string('x00020010')?.trim()} ${pixelHash}` });
  }
  // The uncompressed image the lossless copies must equal, by SOPInstanceUID; lossy copies (new SOP UIDs) by series.
  const natives = files.filter((f) => header(f.dataSet).transferSyntaxUID === TS.explicitLittle);
  const result: CodecStudy[] = [];
  const seen = new Map<string, CodecStudy>();
  let n = 0;
  for (const { file, bytes, dataSet, key } of files) {
    const known = seen.get(key);
    if (known) {
      known.aliases.push(file);
      continue;
    }
    const transferSyntaxUID = dataSet.string('x00020010')!.trim();
    const upload = await json<{ ID: string; ParentStudy: string }>(`${orthanc.url}/instances`, { method: 'POST', body: new Uint8Array(bytes) });
    n += 1;
    const accession = `FL-CODEC-NPM-${n}`;
    const studyUID = await copyStudyWithAccession(orthanc, upload.ParentStudy, accession);
    await fetch(`${orthanc.url}/studies/${upload.ParentStudy}`, { method: 'DELETE' });
    const [copy] = await json<OrthancInstance[]>(`${orthanc.url}/studies/${await orthancStudy(orthanc, studyUID)}/instances`);
    const stored = await storedSyntax(orthanc, copy!.ID);
    if (stored !== transferSyntaxUID) throw new Error(`${file}: Orthanc stored ${stored}, the file is ${transferSyntaxUID}`);
    studies[accession] = [studyUID];

    // A multi-frame file is one series of its frames; the viewer opens on the middle one.
    const imageCount = dataSet.intString('x00280008') ?? 1;
    const imageIndex = Math.floor((imageCount - 1) / 2);
    const lossy = LOSSY.has(transferSyntaxUID);
    const isDeflated = transferSyntaxUID === TS.deflated;
    const h = isDeflated ? undefined : header(dataSet, imageIndex);
    const sibling = natives.find((f) => f.dataSet.string('x00020003') === dataSet.string('x00020003'));
    const original = natives.find((f) => f.dataSet.string('x0020000e') === dataSet.string('x0020000e') && f.dataSet.uint16('x00280011') === dataSet.uint16('x00280011'));
    let values: Values;
    let reference: string;
    if (sibling && !lossy) {
      values = nativeValues(sibling.bytes, sibling.dataSet);
      reference = `dicom-parser: ${sibling.file}`;
    } else if (transferSyntaxUID === TS.j2kLossless || transferSyntaxUID === TS.j2k) {
      values = await jpeg2000Values(dataSet);
      reference = 'OpenJPEG (called directly in Node) on the file';
    } else {
      values = await orthancValues(orthanc, copy!.ID, header(dataSet, imageIndex), imageIndex);
      reference = "DCMTK's decode of the file (Orthanc /frames/0/numpy)";
    }
    const originalValues = lossy && original ? nativeValues(original.bytes, original.dataSet) : undefined;
    const meta = h ?? header(sibling!.dataSet);
    const study: CodecStudy = {
      accession,
      transferSyntaxUID,
      lossy,
      source: 'npm',
      file,
      aliases: [],
      columns: values.columns,
      rows: values.rows,
      bitsAllocated: meta.bitsAllocated,
      imageIndex,
      imageCount,
      ...(meta.window ? { window: meta.window } : {}),
      reference,
      ...tolerances(transferSyntaxUID, meta.slope),
      ...(isDeflated ? {} : { refusal: refusalOf(dataSet) }),
      points: choosePoints(originalValues ?? values).map((p) => ({
        ...p,
        expected: values.values[p.row * values.columns + p.column]!,
        ...(originalValues ? { original: originalValues.values[p.row * values.columns + p.column]! } : {}),
      })),
    };
    seen.set(key, study);
    result.push(study);
  }
  return result;
}

/**
 * |probe − reference| allowed. Lossless: none. Lossy, against DCMTK's decode of the same file: JPEG
 * decoders may round the inverse DCT differently by a stored unit (two for 12-bit); JPEG-LS decoding is
 * exact. Against the lossless original (flat regions only): what the encoders lost, bounded here.
 */
function tolerances(transferSyntaxUID: string, slope: number): { tolerance: number; originalTolerance?: number } {
  const step = Math.abs(slope);
  switch (transferSyntaxUID) {
    case TS.jpegBaseline:
      // 8 bits for a CT: one stored step is ~32 HU.
      return { tolerance: step + 1e-3, originalTolerance: 3 * step };
    case TS.jpegExtended:
    case TS.jpegSpectral:
    case TS.jpegProgressive:
      return { tolerance: step + 1e-3, originalTolerance: 12 * step };
    case TS.jpegLsNear:
      return { tolerance: 1e-3, originalTolerance: 10 * step };
    case TS.j2k:
      return { tolerance: 1e-3, originalTolerance: 40 };
    default:
      return { tolerance: 0 };
  }
}

/** A new UID under the UUID root (PS3.5 B.2). */
function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`)}`;
}

/** Slices of the generated CT around its middle that each transcoded series holds. */
const TRANSCODED_SLICES = 5;

/**
 * The generated CT's middle slices transcoded by Orthanc to each syntax it can write, one series (and
 * study) per syntax. Instance by instance: Orthanc's instance modify answers the transcoded file, which is
 * checked and stored; copying the whole study would transcode every slice for nothing.
 */
async function loadTranscoded(orthanc: OrthancServer, ct: StudyFacts, studies: Record<string, string[]>): Promise<{ made: CodecStudy[]; refused: CodecTranscodeRefusal[] }> {
  const half = TRANSCODED_SLICES >> 1;
  const first = Math.max(0, ct.main.middleIndex - half);
  const files = ct.main.files.slice(first, first + TRANSCODED_SLICES);
  const imageIndex = ct.main.middleIndex - first;
  const middleBytes = new Uint8Array(await readFile(path.join(REPO, ct.main.middleFile)));
  const middleSet = dicomParser.parseDicom(middleBytes);
  const originalValues = nativeValues(middleBytes, middleSet);
  const meta = header(middleSet);
  const sources: string[] = [];
  for (const file of files) {
    const sop = dicomParser.parseDicom(new Uint8Array(await readFile(path.join(REPO, file)))).string('x00080018');
    const [found] = await json<{ ID: string }[]>(`${orthanc.url}/tools/lookup`, { method: 'POST', body: sop });
    if (!found) throw new Error(`${file} is not in Orthanc`);
    sources.push(found.ID);
  }
  const refused: CodecTranscodeRefusal[] = [];
  const made: CodecStudy[] = [];
  for (const ts of TRANSCODE_TO) {
    const accession = `FL-CODEC-CT-${made.length + 1}`;
    const replace = { StudyInstanceUID: newUid(), SeriesInstanceUID: newUid(), AccessionNumber: accession };
    let shownId = '';
    let shownBytes: Uint8Array | undefined;
    let refusal: string | undefined;
    for (const [i, source] of sources.entries()) {
      const response = await fetch(`${orthanc.url}/instances/${source}/modify`, {
        method: 'POST',
        body: JSON.stringify({ Transcode: ts, Force: true, Replace: { ...replace, SOPInstanceUID: newUid() } }),
      });
      if (!response.ok) {
        const answer = (await response.json().catch(() => ({}))) as { Details?: string; Message?: string };
        refusal = `Orthanc answered ${response.status}: ${answer.Details ?? answer.Message ?? ''}`;
        break;
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      const written = dicomParser.readPart10Header(bytes).string('x00020010')?.trim();
      if (written !== ts) {
        refusal = `Orthanc wrote ${written} instead`;
        break;
      }
      const stored = await json<{ ID: string }>(`${orthanc.url}/instances`, { method: 'POST', body: bytes });
      if (i === imageIndex) {
        shownId = stored.ID;
        shownBytes = bytes;
      }
    }
    if (refusal) {
      refused.push({ transferSyntaxUID: ts, reason: refusal });
      const [partial] = await json<{ ID: string }[]>(`${orthanc.url}/tools/lookup`, { method: 'POST', body: replace.StudyInstanceUID });
      if (partial) await fetch(`${orthanc.url}/studies/${partial.ID}`, { method: 'DELETE' });
      continue;
    }
    if ((await storedSyntax(orthanc, shownId)) !== ts) throw new Error(`Orthanc did not store ${ts}`);
    studies[accession] = [replace.StudyInstanceUID];
    const lossy = LOSSY.has(ts);
    const tags = await json<{ RescaleSlope?: string }>(`${orthanc.url}/instances/${shownId}/simplified-tags`);
    // DCMTK's JPEG encoder may store the values shifted, with the rescale changed to match: the copy's own header.
    const values = lossy ? await orthancValues(orthanc, shownId, header(dicomParser.parseDicom(shownBytes!))) : originalValues;
    made.push({
      accession,
      transferSyntaxUID: ts,
      lossy,
      source: 'transcoded',
      file: ct.main.middleFile,
      aliases: [],
      columns: meta.columns,
      rows: meta.rows,
      bitsAllocated: meta.bitsAllocated,
      imageIndex,
      imageCount: files.length,
      ...(meta.window ? { window: meta.window } : {}),
      reference: lossy ? "DCMTK's decode of the transcoded instance (Orthanc /frames/0/numpy)" : `dicom-parser: ${ct.main.middleFile} (the original)`,
      ...tolerances(ts, Number(tags.RescaleSlope ?? 1)),
      points: choosePoints(originalValues).map((p) => ({
        ...p,
        expected: values.values[p.row * meta.columns + p.column]!,
        ...(lossy ? { original: originalValues.values[p.row * meta.columns + p.column]! } : {}),
      })),
    });
  }
  return { made, refused };
}

/**
 * Loads the npm-shipped images (one study each) and the generated CT's transcoded copies into Orthanc,
 * adds their StudyInstanceUIDs to `studies` by accession number, and keeps the list for `pacs-info`.
 * The generated CT (`ct`) must be in Orthanc already.
 */
export async function loadCodecStudies(orthanc: OrthancServer, ct: StudyFacts, studies: Record<string, string[]>): Promise<CodecStudies> {
  const npm = await loadNpmImages(orthanc, studies);
  const { made, refused } = await loadTranscoded(orthanc, ct, studies);
  loaded = { studies: [...npm, ...made], refused };
  return loaded;
}
