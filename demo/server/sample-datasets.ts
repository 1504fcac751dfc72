/**
 * The sample studies as dcmjs "naturalized" datasets: a CT (localizer plus 60 axial slices) and a
 * sagittal T1 MR of the synthetic head in ./sample-phantom.ts.
 *
 * Everything is derived from fixed inputs (UIDs from names, noise from seeds), so generating
 * twice gives byte-identical files and links to the samples survive a regeneration.
 */
import { createHash } from 'node:crypto';
import { CT_HOUNSFIELD, MR_T1_SIGNAL, meanHounsfieldAlongY, noiseGenerator, tissueAt, type Point } from './sample-phantom.js';

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
const STUDY_DATE = '20260101';

/**
 * A UID under the 2.25 root (ISO/IEC 9834-8: a 128-bit number in decimal), here the first
 * 128 bits of a SHA-256 of a name, so the same name always gives the same UID.
 */
export function sampleUid(...name: string[]): string {
  const digest = createHash('sha256').update(`filmless-sample/${name.join('/')}`).digest('hex');
  return `2.25.${BigInt(`0x${digest.slice(0, 32)}`).toString()}`;
}

/** Both sample studies, described but not yet written. */
export function sampleStudies(): SampleStudy[] {
  return [ctStudy(), mrStudy()];
}

function ctStudy(): SampleStudy {
  const studyInstanceUID = sampleUid('ct', 'study');
  const study: NaturalizedDataset = {
    ...commonStudyAttributes(),
    StudyInstanceUID: studyInstanceUID,
    AccessionNumber: 'SAMPLE-CT-1',
    PatientName: [{ Alphabetic: 'SAMPLE^CT^PHANTOM' }],
    PatientID: 'FILMLESS-DEMO-1',
    StudyDescription: 'Synthetic head phantom CT',
    StudyID: '1',
    Modality: 'CT',
    SOPClassUID: CT_IMAGE_STORAGE,
    FrameOfReferenceUID: sampleUid('ct', 'frame-of-reference'),
    KVP: 120,
    RescaleIntercept: -1024,
    RescaleSlope: 1,
    RescaleType: 'HU',
  };
  return {
    accessionNumber: 'SAMPLE-CT-1',
    studyInstanceUID,
    folder: 'sample-ct-head',
    series: [ctLocalizer(study), ctAxial(study)],
  };
}

/** A coronal projection, as a scanner's scout view: mean HU along the anterior-posterior axis. */
function ctLocalizer(study: NaturalizedDataset): SampleSeries {
  const size = 256;
  const spacing = 0.8;
  const halfWidth = ((size - 1) * spacing) / 2;
  return {
    folder: '1-localizer',
    instanceCount: 1,
    dataset: () => {
      const pixels = Buffer.alloc(size * size * 2);
      for (let row = 0; row < size; row++) {
        for (let column = 0; column < size; column++) {
          const hounsfield = meanHounsfieldAlongY(-halfWidth + column * spacing, halfWidth - row * spacing, 2 * halfWidth);
          pixels.writeInt16LE(Math.round(hounsfield) + 1024, (row * size + column) * 2);
        }
      }
      return {
        ...study,
        ...image(size, size, pixels, { bitsStored: 16, signed: true }),
        SeriesInstanceUID: sampleUid('ct', 'series', 'localizer'),
        SeriesNumber: 1,
        SeriesDescription: 'Localizer',
        SOPInstanceUID: sampleUid('ct', 'localizer', '1'),
        InstanceNumber: 1,
        ImageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'],
        ImageOrientationPatient: [1, 0, 0, 0, 0, -1],
        ImagePositionPatient: [-halfWidth, 0, halfWidth],
        PixelSpacing: [spacing, spacing],
        WindowCenter: -400,
        WindowWidth: 1200,
      };
    },
  };
}

/**
 * 60 axial slices from z = -72.5 to +75 every 2.5 mm. InstanceNumber 1 is the most inferior
 * slice, the reverse of the usual head-first order, so a viewer must sort by position.
 */
function ctAxial(study: NaturalizedDataset): SampleSeries {
  const size = 256;
  const spacing = 0.8;
  const halfWidth = ((size - 1) * spacing) / 2;
  const sliceCount = 60;
  return {
    folder: '2-axial-2.5mm',
    instanceCount: sliceCount,
    dataset: (instanceNumber) => {
      const z = -72.5 + (instanceNumber - 1) * 2.5;
      const noise = noiseGenerator(1000 + instanceNumber, 6);
      const pixels = Buffer.alloc(size * size * 2);
      for (let row = 0; row < size; row++) {
        for (let column = 0; column < size; column++) {
          const point = { x: -halfWidth + column * spacing, y: -halfWidth + row * spacing, z };
          const tissue = tissueAt(point);
          const hounsfield = CT_HOUNSFIELD[tissue] + (tissue === 'air' ? 0 : noise());
          pixels.writeInt16LE(Math.round(hounsfield) + 1024, (row * size + column) * 2);
        }
      }
      return {
        ...study,
        ...image(size, size, pixels, { bitsStored: 16, signed: true }),
        SeriesInstanceUID: sampleUid('ct', 'series', 'axial'),
        SeriesNumber: 2,
        SeriesDescription: 'Synthetic head 2.5 mm',
        SOPInstanceUID: sampleUid('ct', 'axial', String(instanceNumber)),
        InstanceNumber: instanceNumber,
        ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
        ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
        ImagePositionPatient: [-halfWidth, -halfWidth, z],
        SliceLocation: z,
        PixelSpacing: [spacing, spacing],
        SliceThickness: 2.5,
        ConvolutionKernel: 'STANDARD',
        WindowCenter: 40,
        WindowWidth: 80,
      };
    },
  };
}

/** 24 sagittal slices from patient right (x = -69, instance 1) to left (x = +69), 6 mm apart. */
function mrStudy(): SampleStudy {
  const studyInstanceUID = sampleUid('mr', 'study');
  const size = 192;
  const spacing = 1.2;
  const halfWidth = ((size - 1) * spacing) / 2;
  const sliceCount = 24;
  const study: NaturalizedDataset = {
    ...commonStudyAttributes(),
    StudyInstanceUID: studyInstanceUID,
    AccessionNumber: 'SAMPLE-MR-1',
    PatientName: [{ Alphabetic: 'SAMPLE^MR^PHANTOM' }],
    PatientID: 'FILMLESS-DEMO-2',
    StudyDescription: 'Synthetic head phantom MR',
    StudyID: '2',
    Modality: 'MR',
    SOPClassUID: MR_IMAGE_STORAGE,
    FrameOfReferenceUID: sampleUid('mr', 'frame-of-reference'),
    ScanningSequence: 'SE',
    SequenceVariant: 'NONE',
    MRAcquisitionType: '2D',
    RepetitionTime: 500,
    EchoTime: 10,
    MagneticFieldStrength: 1.5,
  };
  const sagittal: SampleSeries = {
    folder: '1-t1-sagittal',
    instanceCount: sliceCount,
    dataset: (instanceNumber) => {
      const x = -69 + (instanceNumber - 1) * 6;
      const noise = noiseGenerator(2000 + instanceNumber, 40);
      const pixels = Buffer.alloc(size * size * 2);
      for (let row = 0; row < size; row++) {
        for (let column = 0; column < size; column++) {
          const point: Point = { x, y: -halfWidth + column * spacing, z: halfWidth - row * spacing };
          const tissue = tissueAt(point);
          const signal = MR_T1_SIGNAL[tissue] + (tissue === 'air' ? 0 : noise());
          pixels.writeUInt16LE(Math.min(4095, Math.max(0, Math.round(signal))), (row * size + column) * 2);
        }
      }
      return {
        ...study,
        ...image(size, size, pixels, { bitsStored: 12, signed: false }),
        SeriesInstanceUID: sampleUid('mr', 'series', 't1-sagittal'),
        SeriesNumber: 1,
        SeriesDescription: 'Synthetic T1 sagittal',
        SOPInstanceUID: sampleUid('mr', 't1-sagittal', String(instanceNumber)),
        InstanceNumber: instanceNumber,
        ImageType: ['ORIGINAL', 'PRIMARY', 'OTHER'],
        ImageOrientationPatient: [0, 1, 0, 0, 0, -1],
        ImagePositionPatient: [x, -halfWidth, halfWidth],
        SliceLocation: x,
        PixelSpacing: [spacing, spacing],
        SliceThickness: 5,
        SpacingBetweenSlices: 6,
        WindowCenter: 1500,
        WindowWidth: 3000,
      };
    },
  };
  return { accessionNumber: 'SAMPLE-MR-1', studyInstanceUID, folder: 'sample-mr-head', series: [sagittal] };
}

function commonStudyAttributes(): NaturalizedDataset {
  return {
    _meta: { TransferSyntaxUID: { Value: [EXPLICIT_VR_LITTLE_ENDIAN] } },
    _vrMap: { PixelData: 'OW' },
    SpecificCharacterSet: 'ISO_IR 192',
    StudyDate: STUDY_DATE,
    StudyTime: '090000',
    SeriesDate: STUDY_DATE,
    ContentDate: STUDY_DATE,
    ContentTime: '090000',
    InstitutionName: 'Filmless demo',
    Manufacturer: 'Filmless',
    ManufacturerModelName: 'Synthetic phantom',
    ReferringPhysicianName: '',
    PatientBirthDate: '',
    PatientSex: 'O',
    PatientPosition: 'HFS',
    BodyPartExamined: 'HEAD',
    PositionReferenceIndicator: '',
  };
}

function image(
  rows: number,
  columns: number,
  pixels: Buffer,
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
    // dcmjs wants an ArrayBuffer holding exactly the pixels, not a view into a pooled one.
    PixelData: [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength)],
  };
}
