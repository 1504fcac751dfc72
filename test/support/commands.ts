/** Node-side facts the browser tests ask for (the PACS, the gateway's log, pixels read from files). */
import { executeServerCommand } from '@web/test-runner-commands';
import { REAL_DATA_MARK } from './real-data-mark.js';
import type { RobustnessStudies } from './robustness-studies.js';
import type { StudyFacts, TestData } from './test-data.js';

export interface PacsInfo {
  /** Hospital B's gateway (a second Orthanc), for the several-PACS tests. */
  hospitalBUrl: string;
  /** Where the built dist/ is served from another origin, under a sub-path. */
  cdnUrl: string;
  gatewayUrl: string;
  token: string;
  /** Accession numbers of the tests' copies of the generated studies. */
  accessions: Record<string, string>;
  /** The same on ../shared/dicom's real studies; absent when that folder is. */
  realAccessions?: Record<string, string>;
  /** Facts read from the files (test-data.ts). */
  data: TestData;
  studies: Record<string, string[]>;
  /**
   * ../shared/dicom's robustness/ and transfer-syntaxes/ folders, by path relative to dicom/ (e.g.
   * `robustness/ct-missing-slice-d2n`): accession, StudyInstanceUIDs, files and series. Absent without it.
   */
  robustness?: RobustnessStudies;
  /** Generated image-type studies (MONOCHROME1, RGB, high bits, signed data, padding, a report), same shape. */
  imageTypes: RobustnessStudies;
}

/** What a suite runs on: one data set's CT and MR facts and the accession numbers of its copies. */
export interface DatasetUse {
  ct: StudyFacts;
  mr: StudyFacts;
  accessions: Record<string, string>;
}

export type Dataset = 'generated' | 'real';


/**
 * A suite on one data set: the generated studies (always there), or ../shared/dicom's real ones. Without
 * that folder the real-data suite's tests are skipped, and the summary counts and names them.
 */
export function describeOn(dataset: Dataset, title: string, body: (use: () => DatasetUse) => void): void {
  describe(dataset === 'real' ? `${title} ${REAL_DATA_MARK}` : title, function () {
    let use: DatasetUse | undefined;
    before(async function () {
      const pacs = await pacsInfo();
      if (dataset === 'generated') use = { ct: pacs.data.ct, mr: pacs.data.mr, accessions: pacs.accessions };
      else if (pacs.realAccessions && pacs.data.realCt && pacs.data.realMr) use = { ct: pacs.data.realCt, mr: pacs.data.realMr, accessions: pacs.realAccessions };
      else this.skip();
    });
    body(() => use!);
  });
}

/** The same suite on the generated studies, then again on the real ones. */
export function describeEachDataset(title: string, body: (use: () => DatasetUse) => void): void {
  describeOn('generated', title, body);
  describeOn('real', title, body);
}

export interface GatewayRequest {
  /** When the gateway received it (ISO 8601). */
  time: string;
  method: string;
  url: string;
  authorization: string | null;
  status: number;
}

let info: PacsInfo | undefined;

export async function pacsInfo(): Promise<PacsInfo> {
  info ??= (await executeServerCommand('pacs-info')) as PacsInfo;
  return info;
}

export async function gatewayRequests(): Promise<GatewayRequest[]> {
  return (await executeServerCommand('gateway-requests')) as GatewayRequest[];
}

export interface StoredPixel {
  stored: number;
  slope: number;
  intercept: number;
  modalityValue: number;
}

export async function storedPixel(file: string, column: number, row: number): Promise<StoredPixel> {
  return (await executeServerCommand('stored-pixel', { file, column, row })) as StoredPixel;
}


/** One step of real touch input: all fingers' positions (page CSS pixels) at that moment. */
export interface TouchStep {
  type: 'touchStart' | 'touchMove' | 'touchEnd';
  points: [number, number][];
}

export async function touch(steps: TouchStep[]): Promise<void> {
  await executeServerCommand('touch', { steps });
}

export async function screenshot(name: string): Promise<void> {
  await executeServerCommand('screenshot', { name });
}

export async function stopHospitalB(): Promise<void> {
  await executeServerCommand('stop-hospital-b');
}

/** StudyInstanceUIDs the PACS holds for a patient, asked through its own REST API. */
export async function patientStudies(patientId: string, modality?: string): Promise<string[]> {
  return (await executeServerCommand('patient-studies', { patientId, modality })) as string[];
}

/** Emulates user preferences, e.g. `{ 'forced-colors': 'active', 'prefers-reduced-motion': 'reduce' }`. */
export async function emulatePreferences(features: Record<string, string>): Promise<void> {
  await executeServerCommand('media', features);
}
