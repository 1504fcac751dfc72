/** DICOM JSON model (PS3.18 F.2): what QIDO-RS and WADO-RS metadata answer with. */

export interface DicomPersonName {
  Alphabetic?: string;
  Ideographic?: string;
  Phonetic?: string;
}

export type DicomJsonValue = string | number | DicomPersonName | DicomJsonDataset;

export interface DicomJsonAttribute {
  vr: string;
  Value?: DicomJsonValue[];
  BulkDataURI?: string;
  InlineBinary?: string;
}

/** One dataset: keys are 8-digit upper-case hex tags, e.g. `0020000D`. */
export type DicomJsonDataset = Record<string, DicomJsonAttribute | undefined>;

/** Tags Filmless reads, named so call sites explain themselves. */
export const Tag = {
  SpecificCharacterSet: '00080005',
  ImageType: '00080008',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDate: '00080020',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  IssuerOfAccessionNumberSequence: '00080051',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  InstitutionName: '00080080',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  PatientName: '00100010',
  PatientID: '00100020',
  PatientBirthDate: '00100030',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  ImagePositionPatient: '00200032',
  ImageOrientationPatient: '00200037',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  NumberOfFrames: '00280008',
  Rows: '00280010',
  Columns: '00280011',
  WindowCenter: '00281050',
  WindowWidth: '00281051',
  RescaleIntercept: '00281052',
  RescaleSlope: '00281053',
  LocalNamespaceEntityID: '00400031',
  UniversalEntityID: '00400032',
  UniversalEntityIDType: '00400033',
  PerFrameFunctionalGroupsSequence: '52009230',
  SharedFunctionalGroupsSequence: '52009229',
  PlanePositionSequence: '00209113',
  PlaneOrientationSequence: '00209116',
} as const;

/** The first value of an attribute as a string; '' when absent. Never throws on odd input. */
export function stringValue(dataset: DicomJsonDataset | undefined, tag: string): string {
  const value = dataset?.[tag]?.Value?.[0];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && 'Alphabetic' in value) return String(value.Alphabetic ?? '');
  return '';
}

/** All values of an attribute as strings (multi-valued CS, e.g. ModalitiesInStudy). */
export function stringValues(dataset: DicomJsonDataset | undefined, tag: string): string[] {
  const values = dataset?.[tag]?.Value ?? [];
  return values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String);
}

/** A numeric attribute (IS/DS arrive as numbers or strings depending on the server). */
export function numberValue(dataset: DicomJsonDataset | undefined, tag: string): number | undefined {
  const values = numberValues(dataset, tag);
  return values[0];
}

export function numberValues(dataset: DicomJsonDataset | undefined, tag: string): number[] {
  const values = dataset?.[tag]?.Value ?? [];
  const numbers: number[] = [];
  for (const value of values) {
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
    if (Number.isFinite(n)) numbers.push(n);
  }
  return numbers;
}

/** Nested dataset items of a sequence attribute. */
export function sequenceItems(dataset: DicomJsonDataset | undefined, tag: string): DicomJsonDataset[] {
  const values = dataset?.[tag]?.Value ?? [];
  return values.filter((v): v is DicomJsonDataset => typeof v === 'object' && v !== null && !('Alphabetic' in v));
}
