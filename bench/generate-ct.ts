/**
 * The benchmark's data: one 300-slice 512×512 16-bit CT series of the phantom in ./ct-phantom.ts, written
 * twice as two studies with their own UIDs and accession numbers: uncompressed (Explicit VR Little
 * Endian) and lossless JPEG-LS (dcmcjpls from Debian's dcmtk). UIDs derive from names, so regenerating
 * gives the same files. Output is cached in .cache/bench/data and reused while GENERATOR_VERSION holds.
 *
 * `npx tsx bench/generate-ct.ts` writes the data alone.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BITS_STORED, CT_GEOMETRY, RESCALE_INTERCEPT, slicePixels } from './ct-phantom.js';

const run = promisify(execFile);

/** Bump when the phantom or the attributes change: cached files are then rewritten. */
const GENERATOR_VERSION = 4;

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';

export const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
export const JPEG_2000_LOSSLESS = '1.2.840.10008.1.2.4.90';
export const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
export const HTJ2K_LOSSLESS = '1.2.840.10008.1.2.4.201';

export type SeriesName = 'raw' | 'jpegls' | 'jpegll' | 'jpegbase' | 'j2k' | 'rle' | 'htj2k';

/** Who serves a series: the test Orthanc, or the demo's DICOM folder source (for what Orthanc cannot serve). */
export type SeriesServer = 'orthanc' | 'folder';

export interface BenchSeries {
  name: SeriesName;
  label: string;
  accessionNumber: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  transferSyntaxUID: string;
  server: SeriesServer;
  folder: string;
  instanceCount: number;
  /** Bytes of all files of the series on disk. */
  bytes: number;
}

/**
 * How a variant's files are made from the uncompressed ones: Debian's dcmtk (`dcmcjpls`, `dcmcjpeg`,
 * `dcmcrle`) on each file, or a WebAssembly encoder from the project's own dependencies (OpenJPEG for
 * JPEG 2000, OpenJPH for HTJ2K: Debian has no DICOM JPEG 2000 encoder, gdcmconv is not installed).
 */
type Encoder = { tool: string; args: string[] } | { wasm: 'openjpeg' | 'openjph' } | undefined;

interface Variant {
  name: SeriesName;
  label: string;
  accessionNumber: string;
  transferSyntaxUID: string;
  server: SeriesServer;
  encoder: Encoder;
}

const VARIANTS: Variant[] = [
  { name: 'raw', label: 'uncompressed', accessionNumber: 'BENCH-CT-RAW', transferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN, server: 'orthanc', encoder: undefined },
  {
    name: 'jpegls',
    label: 'JPEG-LS lossless',
    accessionNumber: 'BENCH-CT-JLS',
    transferSyntaxUID: JPEG_LS_LOSSLESS,
    server: 'orthanc',
    encoder: { tool: 'dcmcjpls', args: ['--encode-lossless', '--uid-never'] },
  },
  {
    name: 'jpegll',
    label: 'JPEG lossless SV1',
    accessionNumber: 'BENCH-CT-JLL',
    transferSyntaxUID: JPEG_LOSSLESS_SV1,
    server: 'orthanc',
    encoder: { tool: 'dcmcjpeg', args: ['--encode-lossless-sv1', '--uid-never'] },
  },
  {
    name: 'jpegbase',
    label: 'JPEG baseline 8-bit (lossy)',
    accessionNumber: 'BENCH-CT-JPB',
    transferSyntaxUID: JPEG_BASELINE,
    server: 'orthanc',
    // 12-bit CT to 8 bits through the file's window (W 400 / L 40), quality 90: a lossy, windowed series as some archives hold.
    encoder: { tool: 'dcmcjpeg', args: ['--encode-baseline', '--use-window', '1', '--quality', '90', '--uid-never'] },
  },
  { name: 'j2k', label: 'JPEG 2000 lossless', accessionNumber: 'BENCH-CT-J2K', transferSyntaxUID: JPEG_2000_LOSSLESS, server: 'orthanc', encoder: { wasm: 'openjpeg' } },
  { name: 'rle', label: 'RLE lossless', accessionNumber: 'BENCH-CT-RLE', transferSyntaxUID: RLE_LOSSLESS, server: 'orthanc', encoder: { tool: 'dcmcrle', args: ['--uid-never'] } },
  // Debian's Orthanc 1.10.1 (DCMTK 3.6.7) stores HTJ2K files but answers 500 to /frames for them: served from the demo's folder source.
  { name: 'htj2k', label: 'HTJ2K lossless', accessionNumber: 'BENCH-CT-HTJ', transferSyntaxUID: HTJ2K_LOSSLESS, server: 'folder', encoder: { wasm: 'openjph' } },
];

/** Every series the bench knows, in report order. */
export const SERIES_NAMES = VARIANTS.map((v) => v.name);

interface DcmjsWriter {
  data: {
    datasetToBuffer(dataset: Record<string, unknown>): Buffer;
    datasetToDict(dataset: Record<string, unknown>): { write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer };
  };
}
// dcmjs ships no type declarations; describe only what is called here.
const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsWriter;

/** A UID under 2.25 (ISO/IEC 9834-8) from a SHA-256 of a name: the same name always gives the same UID. */
function benchUid(...name: string[]): string {
  const digest = createHash('sha256').update(`filmless-bench/${name.join('/')}`).digest('hex');
  return `2.25.${BigInt(`0x${digest.slice(0, 32)}`).toString()}`;
}

function uidsOf(variant: Variant) {
  return {
    studyInstanceUID: benchUid(variant.name, 'study'),
    seriesInstanceUID: benchUid(variant.name, 'series'),
    frameOfReferenceUID: benchUid(variant.name, 'frame-of-reference'),
    sop: (index: number) => benchUid(variant.name, 'instance', String(index)),
  };
}

/** The dataset of slice `index` (0 = most superior), InstanceNumber index + 1, in head-first order. */
function dataset(variant: Variant, index: number, pixels: Buffer): Record<string, unknown> {
  const { rows, columns, pixelSpacing, sliceSpacing, origin } = CT_GEOMETRY;
  const uids = uidsOf(variant);
  const z = origin.z - index * sliceSpacing;
  return {
    _meta: { TransferSyntaxUID: { Value: [EXPLICIT_VR_LITTLE_ENDIAN] } },
    _vrMap: { PixelData: 'OW' },
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
    SOPInstanceUID: uids.sop(index),
    StudyDate: '20260301',
    StudyTime: '101500',
    SeriesDate: '20260301',
    ContentDate: '20260301',
    ContentTime: '101500',
    AccessionNumber: variant.accessionNumber,
    Modality: 'CT',
    Manufacturer: 'Filmless',
    ManufacturerModelName: 'Bench phantom',
    InstitutionName: 'Filmless bench',
    ReferringPhysicianName: '',
    StudyDescription: `Bench chest phantom (${variant.label})`,
    SeriesDescription: 'Axial 1 mm',
    PatientName: [{ Alphabetic: 'BENCH^CHEST^PHANTOM' }],
    PatientID: 'FILMLESS-BENCH',
    PatientBirthDate: '',
    PatientSex: 'O',
    BodyPartExamined: 'CHEST',
    SliceThickness: sliceSpacing,
    SpacingBetweenSlices: sliceSpacing,
    KVP: 120,
    PatientPosition: 'HFS',
    StudyInstanceUID: uids.studyInstanceUID,
    SeriesInstanceUID: uids.seriesInstanceUID,
    StudyID: '1',
    SeriesNumber: 2,
    InstanceNumber: index + 1,
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    ImagePositionPatient: [origin.x, origin.y, z],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    FrameOfReferenceUID: uids.frameOfReferenceUID,
    PositionReferenceIndicator: '',
    SliceLocation: z,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    PixelSpacing: [pixelSpacing, pixelSpacing],
    BitsAllocated: 16,
    BitsStored: BITS_STORED,
    HighBit: BITS_STORED - 1,
    PixelRepresentation: 0,
    WindowCenter: 40,
    WindowWidth: 400,
    RescaleIntercept: RESCALE_INTERCEPT,
    RescaleSlope: 1,
    RescaleType: 'HU',
    // dcmjs wants an ArrayBuffer holding exactly the pixels.
    PixelData: [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength)],
  };
}

interface Manifest {
  version: number;
  series: BenchSeries;
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(folder)) total += (await stat(path.join(folder, name))).size;
  return total;
}

interface FrameEncoder {
  encode(pixels: Buffer): Uint8Array;
}

interface WasmEncoder {
  getDecodedBuffer(info: { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean; isUsingColorTransform: boolean }): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  setQuality(lossless: boolean, quality: number): void;
  encode(): void;
}

/** OpenJPEG's or OpenJPH's WebAssembly encoder (the builds whose decoders the pages use), lossless. */
async function wasmEncoder(kind: 'openjpeg' | 'openjph'): Promise<FrameEncoder> {
  const file = kind === 'openjpeg' ? '@cornerstonejs/codec-openjpeg/wasmjs' : '@cornerstonejs/codec-openjph/wasmjs';
  const factory = createRequire(import.meta.url)(file) as () => Promise<Record<string, new () => WasmEncoder>>;
  const codec = await factory();
  const encoder = new codec[kind === 'openjpeg' ? 'J2KEncoder' : 'HTJ2KEncoder']!();
  return {
    encode(pixels) {
      const input = encoder.getDecodedBuffer({
        width: CT_GEOMETRY.columns,
        height: CT_GEOMETRY.rows,
        bitsPerSample: 16,
        componentCount: 1,
        isSigned: false,
        isUsingColorTransform: false,
      });
      input.set(pixels);
      encoder.setQuality(true, 0);
      encoder.encode();
      return encoder.getEncodedBuffer().slice();
    },
  };
}

export const fileName = (index: number) => `${String(index + 1).padStart(4, '0')}.dcm`;

/** Writes one variant's 300 files into `folder` (empty). */
async function writeVariant(variant: Variant, folder: string, scratch: string): Promise<void> {
  const encoder = variant.encoder;
  if (encoder === undefined) {
    for (let index = 0; index < CT_GEOMETRY.slices; index++) {
      await writeFile(path.join(folder, fileName(index)), dcmjs.data.datasetToBuffer(dataset(variant, index, slicePixels(index))));
    }
  } else if ('tool' in encoder) {
    // The uncompressed file with this variant's UIDs and accession, then the dcmtk tool on it; two at a time (one per core).
    const running: Promise<unknown>[] = [];
    for (let index = 0; index < CT_GEOMETRY.slices; index++) {
      const source = path.join(scratch, `${variant.name}-${fileName(index)}`);
      await writeFile(source, dcmjs.data.datasetToBuffer(dataset(variant, index, slicePixels(index))));
      running.push(run(encoder.tool, [...encoder.args, source, path.join(folder, fileName(index))]).then(() => rm(source)));
      if (running.length >= 2) await running.shift();
    }
    await Promise.all(running);
  } else {
    const codec = await wasmEncoder(encoder.wasm);
    for (let index = 0; index < CT_GEOMETRY.slices; index++) {
      const pixels = slicePixels(index);
      const encoded = codec.encode(pixels);
      const data = dataset(variant, index, pixels);
      data._meta = { TransferSyntaxUID: { Value: [variant.transferSyntaxUID] } };
      data._vrMap = { PixelData: 'OB' };
      data.PixelData = [encoded.buffer.slice(encoded.byteOffset, encoded.byteOffset + encoded.byteLength)];
      // One fragment per frame (dcmjs would otherwise cut frames into 20 KB fragments).
      const file = dcmjs.data.datasetToDict(data).write({ allowInvalidVRLength: false, fragmentMultiframe: false });
      await writeFile(path.join(folder, fileName(index)), Buffer.from(file));
    }
  }
}

/**
 * Makes sure the named series exist under `root` (default .cache/bench/data) and describes them. Each
 * series is cached on its own (its folder and a manifest), so adding a codec does not rewrite the others.
 * About half a minute per series the first time, nothing afterwards.
 */
export async function ensureBenchData(
  root = path.resolve('.cache/bench/data'),
  log: (line: string) => void = () => undefined,
  names: readonly SeriesName[] = SERIES_NAMES,
): Promise<BenchSeries[]> {
  const series: BenchSeries[] = [];
  await mkdir(root, { recursive: true });
  for (const variant of VARIANTS.filter((v) => names.includes(v.name))) {
    const folder = path.join(root, variant.name);
    const manifestFile = path.join(root, `${variant.name}.json`);
    if (existsSync(manifestFile)) {
      const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
      if (manifest.version === GENERATOR_VERSION && existsSync(folder)) {
        series.push(manifest.series);
        continue;
      }
    }
    const started = Date.now();
    log(`generating ${variant.label}: ${CT_GEOMETRY.slices} slices of ${CT_GEOMETRY.columns}×${CT_GEOMETRY.rows} CT in ${folder}`);
    await rm(folder, { recursive: true, force: true });
    const scratch = await mkdtemp(path.join(tmpdir(), 'filmless-bench-ct-'));
    const partial = `${folder}.partial`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    try {
      await writeVariant(variant, partial, scratch);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    await rename(partial, folder);
    const uids = uidsOf(variant);
    const described: BenchSeries = {
      name: variant.name,
      label: variant.label,
      accessionNumber: variant.accessionNumber,
      studyInstanceUID: uids.studyInstanceUID,
      seriesInstanceUID: uids.seriesInstanceUID,
      transferSyntaxUID: variant.transferSyntaxUID,
      server: variant.server,
      folder,
      instanceCount: CT_GEOMETRY.slices,
      bytes: await folderBytes(folder),
    };
    await writeFile(manifestFile, JSON.stringify({ version: GENERATOR_VERSION, series: described } satisfies Manifest, null, 2));
    log(`generated ${variant.label} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    series.push(described);
  }
  return series;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const names = process.argv[2] ? (process.argv[2].split(',') as SeriesName[]) : SERIES_NAMES;
  const series = await ensureBenchData(undefined, console.log, names);
  for (const s of series) console.log(`${s.name}: ${s.instanceCount} instances, ${(s.bytes / 1e6).toFixed(1)} MB, ${s.accessionNumber}`);
  console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
}
