/**
 * Small studies of the image types a fresh clone has no real files of, written here with dcmjs so the
 * image-type test's core runs without ../shared: MONOCHROME1, RGB, 12-bit data with garbage in the bits
 * above BitsStored, signed 12-bit data that is not sign-extended, signed 8-bit data, pixel padding without
 * a window, and a study whose second series is a structured report (no pixel data). Each is written to
 * .cache/image-type-samples/<case>/ (the test reads the files back in Node for ground truth) and uploaded
 * to Orthanc as its own study under its own accession number.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OrthancServer } from './orthanc.js';
import { GENERATED_IMAGE_TYPES } from './robustness-names.js';
import type { RobustnessFolder, RobustnessStudies } from './robustness-studies.js';
import { REPO } from './test-data.js';

interface Dcmjs {
  data: { datasetToBuffer(dataset: Record<string, unknown>): Buffer };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

export const IMAGE_TYPE_SAMPLES = path.join(REPO, '.cache/image-type-samples');

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
const SOP_CLASS = { CR: '1.2.840.10008.5.1.4.1.1.1', CT: '1.2.840.10008.5.1.4.1.1.2', MR: '1.2.840.10008.5.1.4.1.1.4', US: '1.2.840.10008.5.1.4.1.1.6.1', SR: '1.2.840.10008.5.1.4.1.1.88.11' } as const;

function uid(seed: string): string {
  let hash = 0n;
  for (const char of seed) hash = (hash * 131n + BigInt(char.codePointAt(0)!)) % 10n ** 30n;
  return `2.25.${hash + 7n}`;
}

const SIZE = 64;

/** Quadrant index (0 top left, 1 top right, 2 bottom left, 3 bottom right) of a pixel. */
const quadrant = (i: number) => (Math.floor(i / SIZE) >= SIZE / 2 ? 2 : 0) + (i % SIZE >= SIZE / 2 ? 1 : 0);

interface Slice {
  pixels: ArrayBuffer;
  /** Attributes of this image (pixel module and more). */
  attributes: Record<string, unknown>;
}

interface Case {
  modality: keyof typeof SOP_CLASS;
  slices: Slice[];
  /** A second series of the same study: a structured report without pixel data. */
  withReport?: boolean;
}

const grey = (bitsStored: number, signed: boolean, extra: Record<string, unknown> = {}) => ({
  SamplesPerPixel: 1,
  PhotometricInterpretation: 'MONOCHROME2',
  BitsAllocated: 16,
  BitsStored: bitsStored,
  HighBit: bitsStored - 1,
  PixelRepresentation: signed ? 1 : 0,
  ...extra,
});

/** The cases, by name (see GENERATED_IMAGE_TYPES). */
function cases(): Record<string, Case> {
  // Three slices whose quadrants differ, so every image's values tell which slice it is.
  const stack = (value: (slice: number, quadrant: number) => number, attributes: Record<string, unknown>): Slice[] =>
    [0, 1, 2].map((slice) => ({ pixels: Uint16Array.from({ length: SIZE * SIZE }, (_, i) => value(slice, quadrant(i))).buffer, attributes }));
  return {
    'generated/monochrome1': {
      modality: 'CR',
      slices: [
        {
          pixels: Uint16Array.from({ length: SIZE * SIZE }, (_, i) => [100, 1200, 2400, 3600][quadrant(i)]!).buffer,
          attributes: grey(12, false, { PhotometricInterpretation: 'MONOCHROME1', WindowCenter: 1850, WindowWidth: 4000, ImagerPixelSpacing: [0.2, 0.2] }),
        },
      ],
    },
    'generated/rgb': {
      modality: 'US',
      slices: [
        {
          pixels: Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, k) => [[220, 30, 30], [30, 200, 40], [40, 60, 230], [128, 128, 128]][quadrant(Math.floor(k / 3))]![k % 3]!).buffer,
          attributes: { SamplesPerPixel: 3, PhotometricInterpretation: 'RGB', PlanarConfiguration: 0, BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelRepresentation: 0 },
        },
      ],
    },
    // Bits 12–15 hold garbage (an overlay, or another device's flags): only the 12 stored bits are the
    // value. The garbage is on the darker quadrants, so an image drawn without masking (the lean first
    // image is checked too) shows them brightest. One image, so the canvas is compared with the file.
    'generated/high-bits-12': {
      modality: 'MR',
      slices: [
        {
          pixels: Uint16Array.from({ length: SIZE * SIZE }, (_, i) => (200 + 900 * quadrant(i)) | (quadrant(i) % 2 ? 0 : 0xf000)).buffer,
          attributes: grey(12, false, { WindowCenter: 1600, WindowWidth: 3200 }),
        },
      ],
    },
    // Signed 12-bit values in 16-bit words, not sign-extended (the bits above BitsStored are zero).
    'generated/signed-12': {
      modality: 'CT',
      slices: stack((slice, q) => (-1000 + 700 * q + 20 * slice) & 0x0fff, grey(12, true, { WindowCenter: 0, WindowWidth: 2000, RescaleSlope: 1, RescaleIntercept: 0 })),
    },
    'generated/signed-8': {
      modality: 'MR',
      slices: [0, 1, 2].map((slice) => ({
        pixels: Int8Array.from({ length: SIZE * SIZE }, (_, i) => -90 + 50 * quadrant(i) + 5 * slice).buffer,
        attributes: { SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelRepresentation: 1, WindowCenter: 0, WindowWidth: 256 },
      })),
    },
    // No window in the file, and most of the image is padding (0): the auto-window must leave it out.
    'generated/padding': {
      modality: 'MR',
      slices: stack((slice, q) => (q === 3 ? 800 + 200 * slice : q === 2 ? 1600 : 0), grey(12, false, { PixelPaddingValue: 0 })),
    },
    'generated/with-report': {
      modality: 'MR',
      slices: stack((slice, q) => 100 + 300 * q + 10 * slice, grey(12, false, { WindowCenter: 600, WindowWidth: 1200 })),
      withReport: true,
    },
  };
}

function imageFile(name: string, modality: Case['modality'], accession: string, index: number, slice: Slice): Buffer {
  const pixelVr = slice.attributes.BitsAllocated === 8 ? 'OB' : 'OW';
  return dcmjs.data.datasetToBuffer({
    _meta: { TransferSyntaxUID: { Value: [EXPLICIT_LITTLE] } },
    _vrMap: { PixelData: pixelVr },
    SOPClassUID: SOP_CLASS[modality],
    SOPInstanceUID: uid(`${name}-image-${index}`),
    StudyInstanceUID: uid(`${name}-study`),
    SeriesInstanceUID: uid(`${name}-series`),
    StudyDate: '20260401',
    StudyTime: '090000',
    AccessionNumber: accession,
    Modality: modality,
    PatientName: 'IMAGE^TYPES',
    PatientID: 'FL-IMAGE-TYPES',
    StudyDescription: `Image type: ${name}`,
    SeriesDescription: name.split('/')[1],
    SeriesNumber: 1,
    InstanceNumber: index + 1,
    ...(modality === 'US' || modality === 'CR' ? {} : { ImagePositionPatient: [0, 0, index * 5], ImageOrientationPatient: [1, 0, 0, 0, 1, 0], PixelSpacing: [1, 1] }),
    Rows: SIZE,
    Columns: SIZE,
    ...slice.attributes,
    PixelData: [slice.pixels],
  });
}

function reportFile(name: string, accession: string): Buffer {
  return dcmjs.data.datasetToBuffer({
    _meta: { TransferSyntaxUID: { Value: [EXPLICIT_LITTLE] } },
    SOPClassUID: SOP_CLASS.SR,
    SOPInstanceUID: uid(`${name}-report`),
    StudyInstanceUID: uid(`${name}-study`),
    SeriesInstanceUID: uid(`${name}-report-series`),
    StudyDate: '20260401',
    StudyTime: '090000',
    AccessionNumber: accession,
    Modality: 'SR',
    PatientName: 'IMAGE^TYPES',
    PatientID: 'FL-IMAGE-TYPES',
    SeriesDescription: 'Report',
    SeriesNumber: 2,
    InstanceNumber: 1,
    ValueType: 'CONTAINER',
    ContinuityOfContent: 'SEPARATE',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ConceptNameCodeSequence: [{ CodeValue: '18748-4', CodingSchemeDesignator: 'LN', CodeMeaning: 'Diagnostic imaging report' }],
  });
}

async function upload(orthanc: OrthancServer, file: string, bytes: Buffer): Promise<void> {
  // Other test runs on this machine may read the same file: replaced atomically (same bytes every run).
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, file);
  const response = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: new Uint8Array(bytes) });
  if (!response.ok) throw new Error(`${file}: upload failed: ${response.status} ${await response.text()}`);
}

/** Writes and loads the generated image-type studies; answers them in the robustness folders' shape. */
export async function loadImageTypeStudies(orthanc: OrthancServer, studies: Record<string, string[]>): Promise<RobustnessStudies> {
  const result: RobustnessStudies = {};
  for (const [name, { modality, slices, withReport }] of Object.entries(cases())) {
    const accession = GENERATED_IMAGE_TYPES[name]!;
    const folder = path.join(IMAGE_TYPE_SAMPLES, name.split('/')[1]!);
    await mkdir(folder, { recursive: true });
    const studyInstanceUID = uid(`${name}-study`);
    const entry: RobustnessFolder = { accession, studyInstanceUIDs: [studyInstanceUID], files: [], series: [] };
    const images = { studyInstanceUID, seriesInstanceUID: uid(`${name}-series`), files: [] as string[], sopInstanceUIDs: [] as string[], transferSyntaxUIDs: [] as string[] };
    for (const [index, slice] of slices.entries()) {
      const file = path.join(folder, `${index + 1}.dcm`);
      await upload(orthanc, file, imageFile(name, modality, accession, index, slice));
      images.files.push(file);
      images.sopInstanceUIDs.push(uid(`${name}-image-${index}`));
      images.transferSyntaxUIDs.push(EXPLICIT_LITTLE);
    }
    entry.series.push(images);
    if (withReport) {
      const file = path.join(folder, 'report.dcm');
      await upload(orthanc, file, reportFile(name, accession));
      entry.series.push({ studyInstanceUID, seriesInstanceUID: uid(`${name}-report-series`), files: [file], sopInstanceUIDs: [uid(`${name}-report`)], transferSyntaxUIDs: [EXPLICIT_LITTLE] });
    }
    entry.files = entry.series.flatMap((s) => s.files);
    result[name] = entry;
    studies[accession] = [studyInstanceUID];
  }
  return result;
}
