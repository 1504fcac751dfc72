/**
 * The sample studies as dcmjs "naturalized" datasets:
 *
 * | accession       | patient          | what                                                                 |
 * |-----------------|------------------|----------------------------------------------------------------------|
 * | SAMPLE-CT-1     | FILMLESS-DEMO-1  | head CT: lateral scout + 1.25 mm axial, 512², the current study      |
 * | SAMPLE-CT-PRIOR | FILMLESS-DEMO-1  | the same head one year earlier: scout + 5 mm axial, shifted on the table |
 * | SAMPLE-MR-1     | FILMLESS-DEMO-2  | brain MR: 3D T1 sagittal 1.2 mm and T1 axial 5 mm, 256²               |
 * | SAMPLE-CT-CHEST | FILMLESS-DEMO-3  | chest CT: frontal scout + 5 mm axial, 512²                           |
 *
 * The brain of the head studies is the real ICBM 2009 average brain (./sample-mni.ts, its notice in
 * ImageComments); skull, face and chest are phantoms (./sample-head.ts, ./sample-chest.ts).
 * Everything derives from fixed inputs (UIDs from names, noise from seeds), so generating twice
 * gives byte-identical files and links to the samples survive a regeneration.
 */
import { createHash } from 'node:crypto';
import { CHEST_HU, CHEST_LENGTH, chestSlice, type SliceGrid } from './sample-chest.js';
import { HEAD_CT, HEAD_T1, headModel } from './sample-head.js';
import { MNI_NOTICE, MNI_SOURCE } from './sample-mni.js';
import { correlatedNoise, uniformSource } from './sample-raster.js';

/** A dataset in dcmjs's naturalized form: attribute keywords as keys, multi-values as arrays. */
export type NaturalizedDataset = Record<string, unknown>;

export interface SampleSeries {
  /** Folder below the study folder. */
  readonly folder: string;
  readonly instanceCount: number;
  /** The dataset of one instance, InstanceNumber 1..instanceCount. */
  dataset(instanceNumber: number): NaturalizedDataset;
}

export interface SampleStudy {
  readonly accessionNumber: string;
  readonly studyInstanceUID: string;
  /** Folder below the output folder. */
  readonly folder: string;
  readonly series: readonly SampleSeries[];
}

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

/** The head CT: 512² over 230 mm, slices every 1.25 mm from the skull base to above the vertex. */
export const HEAD_CT_GEOMETRY = {
  size: 512,
  fieldOfView: 230,
  /** Patient (x, y) of the centre of the field of view. */
  center: { x: 0, y: 12 },
  sliceSpacing: 1.25,
  firstZ: -36,
  sliceCount: 106,
} as const;

/**
 * Where the prior study's anatomy lies relative to the current one's, in patient coordinates (mm):
 * a year earlier the patient lay 6 mm further to their left, 9 mm further forward and 14 mm
 * further down the table. A point at p in the current study is at p + PRIOR_SHIFT in the prior.
 */
export const PRIOR_SHIFT = { x: 6, y: -9, z: -14 } as const;

/** A UID under the 2.25 root (ISO/IEC 9834-8) from a SHA-256 of a name: the same name always gives the same UID. */
export function sampleUid(...name: string[]): string {
  const digest = createHash('sha256').update(`filmless-sample/${name.join('/')}`).digest('hex');
  return `2.25.${BigInt(`0x${digest.slice(0, 32)}`).toString()}`;
}

/** All sample studies, described but not yet written. */
export function sampleStudies(): SampleStudy[] {
  return [headCtStudy('current'), mrStudy(), headCtStudy('prior'), chestStudy()];
}

// ---------------------------------------------------------------------------------------------
// Head CT, current and prior

function headCtStudy(which: 'current' | 'prior'): SampleStudy {
  const prior = which === 'prior';
  const name = prior ? 'ct-head-prior' : 'ct';
  const accessionNumber = prior ? 'SAMPLE-CT-PRIOR' : 'SAMPLE-CT-1';
  const date = prior ? '20250108' : '20260112';
  const studyInstanceUID = sampleUid(name, 'study');
  const shift = prior ? PRIOR_SHIFT : { x: 0, y: 0, z: 0 };
  const study: NaturalizedDataset = {
    ...commonAttributes(date, prior ? '141500' : '093000'),
    StudyInstanceUID: studyInstanceUID,
    AccessionNumber: accessionNumber,
    PatientName: [{ Alphabetic: 'SAMPLE^HEAD^CT' }],
    PatientID: 'FILMLESS-DEMO-1',
    PatientBirthDate: '19580314',
    PatientSex: 'F',
    PatientAge: prior ? '066Y' : '067Y',
    StudyDescription: 'CT HEAD WITHOUT CONTRAST',
    StudyID: prior ? '7' : '12',
    Modality: 'CT',
    SOPClassUID: CT_IMAGE_STORAGE,
    BodyPartExamined: 'HEAD',
    FrameOfReferenceUID: sampleUid(name, 'frame-of-reference'),
    KVP: 120,
    XRayTubeCurrent: prior ? 300 : 250,
    RescaleIntercept: -1024,
    RescaleSlope: 1,
    RescaleType: 'HU',
    ImageComments: `Brain from ${MNI_SOURCE}. ${MNI_NOTICE}`,
  };
  const head = headModel();
  const value = (x: number, y: number, z: number, pixel: number): number =>
    head.value(HEAD_CT, x - shift.x, y - shift.y, z - shift.z, pixel);

  const { size, fieldOfView, center } = HEAD_CT_GEOMETRY;
  const pixel = fieldOfView / size;
  const x0 = center.x - fieldOfView / 2 + pixel / 2;
  const y0 = center.y - fieldOfView / 2 + pixel / 2;
  // The current study: thin slices, InstanceNumber 1 the most inferior (the reverse of the usual
  // head-first order, so a viewer must sort by position). The prior: 5 mm slices, head first.
  const spacing = prior ? 5 : HEAD_CT_GEOMETRY.sliceSpacing;
  const count = prior ? 27 : HEAD_CT_GEOMETRY.sliceCount;
  const zOf = prior
    ? (n: number) => HEAD_CT_GEOMETRY.firstZ + PRIOR_SHIFT.z + 2.5 + (count - n) * spacing
    : (n: number) => HEAD_CT_GEOMETRY.firstZ + (n - 1) * spacing;
  const seriesUid = sampleUid(name, 'series', 'axial');
  const axial: SampleSeries = {
    folder: prior ? '2-axial-5mm' : '2-axial-1.25mm',
    instanceCount: count,
    dataset: (instanceNumber) => {
      const z = zOf(instanceNumber);
      // A thick slice averages its slab: two planes a quarter of the thickness either side.
      const planes = prior ? [z - spacing / 4, z + spacing / 4] : [z];
      const noise = correlatedNoise(size, size, 4, (prior ? 7000 : 1000) + instanceNumber);
      const pixels = new Uint16Array(size * size);
      for (let row = 0, i = 0; row < size; row++) {
        const y = y0 + row * pixel;
        for (let column = 0; column < size; column++, i++) {
          const x = x0 + column * pixel;
          let hu = 0;
          for (const plane of planes) hu += value(x, y, plane, pixel);
          hu /= planes.length;
          pixels[i] = clamp(Math.round(hu + noise[i] + 1024), 0, 4095);
        }
      }
      return {
        ...study,
        ...image(size, size, pixels, { bitsStored: 12, signed: false }),
        SeriesInstanceUID: seriesUid,
        SeriesNumber: 2,
        SeriesDescription: prior ? 'Head 5.0 mm' : 'Head 1.25 mm',
        SeriesDate: date,
        SOPInstanceUID: sampleUid(name, 'axial', String(instanceNumber)),
        InstanceNumber: instanceNumber,
        ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
        ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
        ImagePositionPatient: [round3(x0), round3(y0), round3(z)],
        SliceLocation: round3(z),
        PixelSpacing: [round6(pixel), round6(pixel)],
        SliceThickness: spacing,
        ConvolutionKernel: 'H30s',
        // The brain window first (what a head CT opens with), the bone window second.
        WindowCenter: [40, 600],
        WindowWidth: [80, 2800],
        WindowCenterWidthExplanation: ['BRAIN', 'BONE'],
      };
    },
  };
  return {
    accessionNumber,
    studyInstanceUID,
    folder: prior ? 'sample-3-ct-head-prior' : 'sample-1-ct-head',
    series: [headScout(study, name, shift, date), axial],
  };
}

/**
 * A lateral scout of the head: mean Hounsfield units along the patient's left–right axis, as a
 * projection radiograph would show it. Rows run down the patient (−z), columns front to back (+y).
 */
function headScout(study: NaturalizedDataset, name: string, shift: { x: number; y: number; z: number }, date: string): SampleSeries {
  const size = 256;
  const spacing = 1;
  const top = 116 + shift.z;
  const front = -118 + shift.y;
  return {
    folder: '1-scout',
    instanceCount: 1,
    dataset: () => {
      const head = headModel();
      const path = 200;
      const step = 6;
      const noise = correlatedNoise(size, size, 6, 4242 + shift.z);
      const values = new Float32Array(size * size);
      const jitter = uniformSource(777);
      for (let row = 0; row < size; row++) {
        const z = top - row * spacing - shift.z;
        for (let column = 0; column < size; column++) {
          const y = front + column * spacing - shift.y;
          // Stratified samples: a random phase per pixel turns the aliasing of the thin skull into noise.
          let sum = 0;
          const phase = jitter();
          for (let x = -path / 2 + phase * step; x < path / 2; x += step) sum += head.value(HEAD_CT, x, y, z, 1.5);
          values[row * size + column] = (sum * step) / path;
        }
      }
      const pixels = new Uint16Array(size * size);
      for (let i = 0; i < values.length; i++) pixels[i] = clamp(Math.round(values[i] + noise[i] + 1024), 0, 4095);
      return {
        ...study,
        ...image(size, size, pixels, { bitsStored: 12, signed: false }),
        SeriesInstanceUID: sampleUid(name, 'series', 'scout'),
        SeriesNumber: 1,
        SeriesDescription: 'Scout lateral',
        SeriesDate: date,
        SOPInstanceUID: sampleUid(name, 'scout', '1'),
        InstanceNumber: 1,
        ImageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'],
        ImageOrientationPatient: [0, 1, 0, 0, 0, -1],
        ImagePositionPatient: [0, front, top],
        PixelSpacing: [spacing, spacing],
        WindowCenter: -350,
        WindowWidth: 1100,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Brain MR

function mrStudy(): SampleStudy {
  const studyInstanceUID = sampleUid('mr', 'study');
  const date = '20260203';
  const study: NaturalizedDataset = {
    ...commonAttributes(date, '111000'),
    StudyInstanceUID: studyInstanceUID,
    AccessionNumber: 'SAMPLE-MR-1',
    PatientName: [{ Alphabetic: 'SAMPLE^BRAIN^MR' }],
    PatientID: 'FILMLESS-DEMO-2',
    PatientBirthDate: '19790921',
    PatientSex: 'M',
    PatientAge: '046Y',
    StudyDescription: 'MR BRAIN WITHOUT CONTRAST',
    StudyID: '3',
    Modality: 'MR',
    SOPClassUID: MR_IMAGE_STORAGE,
    BodyPartExamined: 'BRAIN',
    FrameOfReferenceUID: sampleUid('mr', 'frame-of-reference'),
    MagneticFieldStrength: 3,
    ImagingFrequency: 123.2,
    ImagedNucleus: '1H',
    ImageComments: `Brain from ${MNI_SOURCE}. ${MNI_NOTICE}`,
  };
  const head = headModel();
  // A mild receive-coil bias (brighter towards the back of the head) and Rician noise.
  const signal = (x: number, y: number, z: number, pixel: number): number =>
    head.value(HEAD_T1, x, y, z, pixel) * (1 + 0.0008 * y - 0.0004 * z);

  const render = (
    instanceSeed: number,
    rows: number,
    columns: number,
    at: (row: number, column: number) => number,
  ): Uint16Array => {
    const real = correlatedNoise(columns, rows, 14, instanceSeed);
    const imaginary = correlatedNoise(columns, rows, 14, instanceSeed + 50000);
    const pixels = new Uint16Array(rows * columns);
    for (let row = 0, i = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++, i++) {
        const magnitude = Math.hypot(at(row, column) + real[i], imaginary[i]);
        pixels[i] = clamp(Math.round(magnitude), 0, 65535);
      }
    }
    return pixels;
  };

  // 3D T1 sagittal: 256² at 1 mm, 128 partitions of 1.2 mm from patient right (x = −76.2) to left.
  const sagittalCount = 128;
  const sagittalSpacing = 1.2;
  const sagittal: SampleSeries = {
    folder: '1-t1-3d-sagittal',
    instanceCount: sagittalCount,
    dataset: (instanceNumber) => {
      const x = -((sagittalCount - 1) * sagittalSpacing) / 2 + (instanceNumber - 1) * sagittalSpacing;
      const front = -140;
      const top = 112;
      const pixels = render(2000 + instanceNumber, 256, 256, (row, column) => signal(x, front + column, top - row, 1));
      return {
        ...study,
        ...image(256, 256, pixels, { bitsStored: 16, signed: false }),
        SeriesInstanceUID: sampleUid('mr', 'series', 't1-sagittal'),
        SeriesNumber: 2,
        SeriesDescription: 'T1 MPRAGE sag 1.2 mm',
        SOPInstanceUID: sampleUid('mr', 't1-sagittal', String(instanceNumber)),
        InstanceNumber: instanceNumber,
        ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'ND'],
        ScanningSequence: ['GR', 'IR'],
        SequenceVariant: ['SP', 'MP'],
        MRAcquisitionType: '3D',
        RepetitionTime: 2300,
        EchoTime: 2.98,
        InversionTime: 900,
        FlipAngle: 9,
        ImageOrientationPatient: [0, 1, 0, 0, 0, -1],
        ImagePositionPatient: [round3(x), front, top],
        SliceLocation: round3(x),
        PixelSpacing: [1, 1],
        SliceThickness: sagittalSpacing,
        SpacingBetweenSlices: sagittalSpacing,
        WindowCenter: 620,
        WindowWidth: 1240,
      };
    },
  };

  // 2D T1 axial: 256² over 230 mm, 24 slices 5 mm thick every 6 mm, head first.
  const axialCount = 24;
  const axialPixel = 230 / 256;
  const axial: SampleSeries = {
    folder: '2-t1-axial-5mm',
    instanceCount: axialCount,
    dataset: (instanceNumber) => {
      const z = 86 - (instanceNumber - 1) * 6;
      const x0 = -115 + axialPixel / 2;
      const y0 = -103 + axialPixel / 2;
      const planes = [z - 1.7, z, z + 1.7];
      const pixels = render(3000 + instanceNumber, 256, 256, (row, column) => {
        let sum = 0;
        for (const plane of planes) sum += signal(x0 + column * axialPixel, y0 + row * axialPixel, plane, axialPixel);
        return sum / planes.length;
      });
      return {
        ...study,
        ...image(256, 256, pixels, { bitsStored: 16, signed: false }),
        SeriesInstanceUID: sampleUid('mr', 'series', 't1-axial'),
        SeriesNumber: 3,
        SeriesDescription: 'T1 SE ax 5 mm',
        SOPInstanceUID: sampleUid('mr', 't1-axial', String(instanceNumber)),
        InstanceNumber: instanceNumber,
        ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'ND'],
        ScanningSequence: 'SE',
        SequenceVariant: 'SK',
        MRAcquisitionType: '2D',
        RepetitionTime: 550,
        EchoTime: 9,
        FlipAngle: 90,
        ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
        ImagePositionPatient: [round3(x0), round3(y0), z],
        SliceLocation: z,
        PixelSpacing: [round6(axialPixel), round6(axialPixel)],
        SliceThickness: 5,
        SpacingBetweenSlices: 6,
        WindowCenter: 600,
        WindowWidth: 1200,
      };
    },
  };
  return { accessionNumber: 'SAMPLE-MR-1', studyInstanceUID, folder: 'sample-2-mr-brain', series: [sagittal, axial] };
}

// ---------------------------------------------------------------------------------------------
// Chest CT

function chestStudy(): SampleStudy {
  const studyInstanceUID = sampleUid('ct-chest', 'study');
  const date = '20260120';
  const study: NaturalizedDataset = {
    ...commonAttributes(date, '154500'),
    StudyInstanceUID: studyInstanceUID,
    AccessionNumber: 'SAMPLE-CT-CHEST',
    PatientName: [{ Alphabetic: 'SAMPLE^CHEST^CT' }],
    PatientID: 'FILMLESS-DEMO-3',
    PatientBirthDate: '19640502',
    PatientSex: 'M',
    PatientAge: '061Y',
    StudyDescription: 'CT CHEST WITHOUT CONTRAST',
    StudyID: '5',
    Modality: 'CT',
    SOPClassUID: CT_IMAGE_STORAGE,
    BodyPartExamined: 'CHEST',
    FrameOfReferenceUID: sampleUid('ct-chest', 'frame-of-reference'),
    KVP: 120,
    RescaleIntercept: -1024,
    RescaleSlope: 1,
    RescaleType: 'HU',
  };
  const size = 512;
  const fieldOfView = 380;
  const pixel = fieldOfView / size;
  const grid: SliceGrid = { columns: size, rows: size, pixel, x0: -fieldOfView / 2 + pixel / 2, y0: -fieldOfView / 2 + 10 + pixel / 2 };
  const spacing = 5;
  const count = Math.floor((CHEST_LENGTH - 10) / spacing) + 1;
  const axial: SampleSeries = {
    folder: '2-axial-5mm',
    instanceCount: count,
    dataset: (instanceNumber) => {
      const z = -5 - (instanceNumber - 1) * spacing;
      const hu = new Float32Array(size * size);
      chestSlice(z, grid, hu);
      const noise = correlatedNoise(size, size, 9, 5000 + instanceNumber);
      const pixels = new Uint16Array(size * size);
      for (let i = 0; i < hu.length; i++) pixels[i] = clamp(Math.round(hu[i] + noise[i] + 1024), 0, 4095);
      return {
        ...study,
        ...image(size, size, pixels, { bitsStored: 12, signed: false }),
        SeriesInstanceUID: sampleUid('ct-chest', 'series', 'axial'),
        SeriesNumber: 2,
        SeriesDescription: 'Chest 5.0 mm',
        SOPInstanceUID: sampleUid('ct-chest', 'axial', String(instanceNumber)),
        InstanceNumber: instanceNumber,
        ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
        ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
        ImagePositionPatient: [round3(grid.x0), round3(grid.y0), z],
        SliceLocation: z,
        PixelSpacing: [round6(pixel), round6(pixel)],
        SliceThickness: spacing,
        ConvolutionKernel: 'B40f',
        WindowCenter: [40, -600],
        WindowWidth: [400, 1500],
        WindowCenterWidthExplanation: ['MEDIASTINUM', 'LUNG'],
      };
    },
  };
  // A frontal scout: mean HU front to back, from a coarse stack of the same slices.
  const scout: SampleSeries = {
    folder: '1-scout',
    instanceCount: 1,
    dataset: () => {
      const columns = 256;
      const rows = 256;
      const scoutPixel = 1.5;
      const top = 40;
      const left = -((columns - 1) * scoutPixel) / 2;
      const coarse: SliceGrid = { columns, rows: 48, pixel: scoutPixel, rowPixel: 340 / 47, x0: left, y0: -170 };
      const values = new Float32Array(rows * columns).fill(CHEST_HU.air);
      const slice = new Float32Array(columns * coarse.rows);
      for (let row = 0; row < rows; row++) {
        const z = top - row * scoutPixel;
        if (z > 0 || z < -CHEST_LENGTH) continue;
        // A coarse slice (1.5 mm across, 7 mm front to back) is enough for a mean along y.
        chestSlice(z, coarse, slice);
        for (let column = 0; column < columns; column++) {
          let sum = 0;
          for (let r = 0; r < coarse.rows; r++) sum += slice[r * columns + column];
          values[row * columns + column] = sum / coarse.rows;
        }
      }
      const noise = correlatedNoise(columns, rows, 5, 4343);
      const pixels = new Uint16Array(rows * columns);
      for (let i = 0; i < values.length; i++) pixels[i] = clamp(Math.round(values[i] + noise[i] + 1024), 0, 4095);
      return {
        ...study,
        ...image(rows, columns, pixels, { bitsStored: 12, signed: false }),
        SeriesInstanceUID: sampleUid('ct-chest', 'series', 'scout'),
        SeriesNumber: 1,
        SeriesDescription: 'Scout AP',
        SOPInstanceUID: sampleUid('ct-chest', 'scout', '1'),
        InstanceNumber: 1,
        ImageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'],
        ImageOrientationPatient: [1, 0, 0, 0, 0, -1],
        ImagePositionPatient: [round3(left), 0, top],
        PixelSpacing: [scoutPixel, scoutPixel],
        WindowCenter: -450,
        WindowWidth: 1100,
      };
    },
  };
  return { accessionNumber: 'SAMPLE-CT-CHEST', studyInstanceUID, folder: 'sample-4-ct-chest', series: [scout, axial] };
}

// ---------------------------------------------------------------------------------------------

function commonAttributes(date: string, time: string): NaturalizedDataset {
  return {
    _meta: { TransferSyntaxUID: { Value: [EXPLICIT_VR_LITTLE_ENDIAN] } },
    _vrMap: { PixelData: 'OW' },
    SpecificCharacterSet: 'ISO_IR 192',
    StudyDate: date,
    StudyTime: time,
    SeriesDate: date,
    ContentDate: date,
    ContentTime: time,
    InstitutionName: 'Filmless demo',
    Manufacturer: 'Filmless',
    ManufacturerModelName: 'Sample generator',
    ReferringPhysicianName: '',
    PatientPosition: 'HFS',
    PositionReferenceIndicator: '',
    BurnedInAnnotation: 'NO',
  };
}

function image(
  rows: number,
  columns: number,
  pixels: Uint16Array,
  { bitsStored, signed }: { bitsStored: number; signed: boolean },
): NaturalizedDataset {
  return {
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: bitsStored,
    HighBit: bitsStored - 1,
    PixelRepresentation: signed ? 1 : 0,
    // dcmjs wants an ArrayBuffer holding exactly the pixels. Uint16Array is little-endian on every
    // platform Node runs on, as Explicit VR Little Endian needs.
    PixelData: [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength)],
  };
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

/** Decimal strings (DS) hold at most 16 characters. */
function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
