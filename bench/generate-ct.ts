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
const GENERATOR_VERSION = 3;

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';

export type SeriesName = 'raw' | 'jpegls';

export interface BenchSeries {
  name: SeriesName;
  label: string;
  accessionNumber: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  transferSyntaxUID: string;
  folder: string;
  instanceCount: number;
  /** Bytes of all files of the series on disk. */
  bytes: number;
}

interface Variant {
  name: SeriesName;
  label: string;
  accessionNumber: string;
  transferSyntaxUID: string;
}

const VARIANTS: Variant[] = [
  { name: 'raw', label: 'uncompressed', accessionNumber: 'BENCH-CT-RAW', transferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN },
  { name: 'jpegls', label: 'JPEG-LS lossless', accessionNumber: 'BENCH-CT-JLS', transferSyntaxUID: JPEG_LS_LOSSLESS },
];

interface DcmjsWriter {
  data: { datasetToBuffer(dataset: Record<string, unknown>): Buffer };
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
  series: BenchSeries[];
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(folder)) total += (await stat(path.join(folder, name))).size;
  return total;
}

async function compressJpegLs(input: string, output: string): Promise<void> {
  await run('dcmcjpls', ['--encode-lossless', '--uid-never', input, output]);
}

/**
 * Makes sure both series exist under `root` (default .cache/bench/data) and describes them.
 * Takes about half a minute the first time, nothing afterwards.
 */
export async function ensureBenchData(root = path.resolve('.cache/bench/data'), log: (line: string) => void = () => undefined): Promise<BenchSeries[]> {
  const manifestFile = path.join(root, 'manifest.json');
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
    if (manifest.version === GENERATOR_VERSION && manifest.series.every((s) => existsSync(s.folder))) return manifest.series;
  }
  log(`generating ${CT_GEOMETRY.slices} slices of ${CT_GEOMETRY.columns}×${CT_GEOMETRY.rows} CT in ${root}`);
  await rm(root, { recursive: true, force: true });
  const scratch = await mkdtemp(path.join(tmpdir(), 'filmless-bench-ct-'));
  const folders = Object.fromEntries(VARIANTS.map((v) => [v.name, path.join(root, v.name)])) as Record<SeriesName, string>;
  for (const folder of Object.values(folders)) await mkdir(folder, { recursive: true });
  const name = (index: number) => `${String(index + 1).padStart(4, '0')}.dcm`;
  try {
    const compressions: Promise<void>[] = [];
    for (let index = 0; index < CT_GEOMETRY.slices; index++) {
      const pixels = slicePixels(index);
      for (const variant of VARIANTS) {
        const bytes = dcmjs.data.datasetToBuffer(dataset(variant, index, pixels));
        if (variant.transferSyntaxUID === EXPLICIT_VR_LITTLE_ENDIAN) {
          await writeFile(path.join(folders[variant.name], name(index)), bytes);
        } else {
          const source = path.join(scratch, `${variant.name}-${name(index)}`);
          await writeFile(source, bytes);
          compressions.push(compressJpegLs(source, path.join(scratch, `out-${variant.name}-${name(index)}`)));
          // Two encoders at a time: one per core, while this thread computes the next slice.
          if (compressions.length >= 2) await compressions.shift();
        }
      }
    }
    await Promise.all(compressions);
    for (const variant of VARIANTS.filter((v) => v.transferSyntaxUID !== EXPLICIT_VR_LITTLE_ENDIAN)) {
      for (let index = 0; index < CT_GEOMETRY.slices; index++) {
        await rename(path.join(scratch, `out-${variant.name}-${name(index)}`), path.join(folders[variant.name], name(index)));
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const series: BenchSeries[] = [];
  for (const variant of VARIANTS) {
    const uids = uidsOf(variant);
    series.push({
      name: variant.name,
      label: variant.label,
      accessionNumber: variant.accessionNumber,
      studyInstanceUID: uids.studyInstanceUID,
      seriesInstanceUID: uids.seriesInstanceUID,
      transferSyntaxUID: variant.transferSyntaxUID,
      folder: folders[variant.name],
      instanceCount: CT_GEOMETRY.slices,
      bytes: await folderBytes(folders[variant.name]),
    });
  }
  await writeFile(manifestFile, JSON.stringify({ version: GENERATOR_VERSION, series } satisfies Manifest, null, 2));
  return series;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const series = await ensureBenchData(undefined, console.log);
  for (const s of series) console.log(`${s.name}: ${s.instanceCount} instances, ${(s.bytes / 1e6).toFixed(1)} MB, ${s.accessionNumber}`);
  console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
}
